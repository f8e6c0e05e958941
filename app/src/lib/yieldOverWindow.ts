/** Seconds in a (365-day) year: the yield's annualisation. */
export const SECONDS_PER_YEAR = 365n * 24n * 3600n;

/** One operator's settled epoch, as `EpochSettled` reports it. */
export interface SettledEpoch {
  epoch: bigint;
  reward: bigint;
  commission: bigint;
  poolShare: bigint;
}

/** Input of {@link yieldOverWindow}. */
export interface YieldOverWindowParameters {
  /** The operator's settled epochs (any order; those outside the window are ignored). */
  settled: readonly SettledEpoch[];
  /** The current epoch: the window is the `windowEpochs` epochs before it. */
  currentEpoch: bigint;
  /** How many past epochs the window holds (at least 1; cut at epoch 0). */
  windowEpochs: bigint;
  /** Epoch length, seconds. */
  epochLength: bigint;
  /** The operator's stake now: self-stake + active delegated stake. */
  stake: bigint;
}

/** What {@link yieldOverWindow} found: the window, its sums and the annualised yields. */
export interface YieldOverWindowReturnType {
  /** First and last epoch of the window (inclusive); `first > last` when the window is empty. */
  first: bigint;
  last: bigint;
  /** Epochs in the window. */
  epochs: bigint;
  /** Σ reward over the window (every epoch without a settlement counts as 0). */
  rewardSum: bigint;
  /** Σ (reward − commission) over the window: what the stake earned after commission. */
  afterCommissionSum: bigint;
  /** Whole-stake yield: Σ reward / epochs × epochsPerYear / stake, basis points per year. */
  operatorYieldBps: bigint;
  /** Delegator yield: Σ (reward − commission) / epochs × epochsPerYear / stake, basis points per year. */
  delegatorYieldBps: bigint;
}

/** The window's first epoch, last epoch and length: the `windowEpochs` epochs before `currentEpoch`. */
export function epochWindow(currentEpoch: bigint, windowEpochs: bigint): { first: bigint; last: bigint } {
  const last = currentEpoch - 1n;
  const first = currentEpoch > windowEpochs ? currentEpoch - windowEpochs : 0n;
  return { first, last };
}

/**
 * Yield over a stated window (PROTOCOL §16.8), never the last epoch alone:
 * `yield = Σ_{e in window} x_e / N × (SECONDS_PER_YEAR / epochLength) / stake`, where `x_e` is the
 * reward (operator yield) or reward − commission (delegator yield: a delegated token earns the
 * pool's share per token, `(reward − commission) / (self + delegated)`, §10.3), `N` the window's
 * epochs and `stake` the operator's stake now. Integer math, basis points, rounded down.
 */
export function yieldOverWindow(p: YieldOverWindowParameters): YieldOverWindowReturnType {
  const { first, last } = epochWindow(p.currentEpoch, p.windowEpochs < 1n ? 1n : p.windowEpochs);
  const epochs = last >= first ? last - first + 1n : 0n;
  let rewardSum = 0n;
  let afterCommissionSum = 0n;
  for (const s of p.settled) {
    if (s.epoch < first || s.epoch > last) continue;
    rewardSum += s.reward;
    afterCommissionSum += s.reward - s.commission;
  }
  const annualise = (sum: bigint) =>
    epochs === 0n || p.stake === 0n || p.epochLength === 0n
      ? 0n
      : (sum * SECONDS_PER_YEAR * 10_000n) / (epochs * p.epochLength * p.stake);
  return {
    first,
    last,
    epochs,
    rewardSum,
    afterCommissionSum,
    operatorYieldBps: annualise(rewardSum),
    delegatorYieldBps: annualise(afterCommissionSum),
  };
}

/** Input of {@link expectedDelegationReward}. */
export interface ExpectedDelegationRewardParameters {
  /** RGL the delegator would add (or has). */
  amount: bigint;
  /** `afterCommissionSum` over the window ({@link yieldOverWindow}). */
  afterCommissionSum: bigint;
  /** Epochs in the window. */
  epochs: bigint;
  /** The operator's stake now (self + delegated), without `amount` when it is a new delegation. */
  stake: bigint;
  /** `amount` is already part of `stake` (an existing delegation). */
  included?: boolean;
  epochLength: bigint;
}

/**
 * The yield calculator: expected RGL per epoch and per year for `amount` delegated, assuming the
 * operator's reward after commission stays at the window's average per epoch and the new amount
 * joins the stake (diluting it): `perEpoch = avg × amount / (stake + amount)`,
 * `perYear = perEpoch × SECONDS_PER_YEAR / epochLength`.
 */
export function expectedDelegationReward(p: ExpectedDelegationRewardParameters): {
  perEpoch: bigint;
  perYear: bigint;
} {
  const total = p.included ? p.stake : p.stake + p.amount;
  if (p.epochs === 0n || total === 0n || p.epochLength === 0n) return { perEpoch: 0n, perYear: 0n };
  const perEpoch = (p.afterCommissionSum * p.amount) / (p.epochs * total);
  const perYear = (p.afterCommissionSum * p.amount * SECONDS_PER_YEAR) / (p.epochs * total * p.epochLength);
  return { perEpoch, perYear };
}

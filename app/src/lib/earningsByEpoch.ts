import type { OperatorSettledEpoch } from "../chain/readSettledEpochs";
import type { WorkPayment } from "../chain/readWorkPayments";

/** One epoch of the operator's earnings chart. */
export interface EpochEarnings {
  epoch: bigint;
  /** Work payments credited in the market during the epoch (by block time). */
  work: bigint;
  /** The operator part of the epoch's reward: commission + self share (`EpochSettled`). */
  rewards: bigint;
}

/**
 * The operator's earnings per epoch from `first` to `last` (inclusive): work payments bucketed by
 * block time into `⌊(at − genesis) / epochLength⌋`, rewards by the epoch they were earned in.
 */
export function earningsByEpoch(
  settled: readonly OperatorSettledEpoch[],
  payments: readonly WorkPayment[],
  genesis: bigint,
  epochLength: bigint,
  first: bigint,
  last: bigint,
): EpochEarnings[] {
  if (last < first || epochLength === 0n) return [];
  const rows = new Map<bigint, EpochEarnings>();
  for (let e = first; e <= last; e++) rows.set(e, { epoch: e, work: 0n, rewards: 0n });
  for (const p of payments) {
    const row = rows.get(p.at >= genesis ? (p.at - genesis) / epochLength : 0n);
    if (row) row.work += p.paid;
  }
  for (const s of settled) {
    const row = rows.get(s.epoch);
    if (row) row.rewards += s.commission + s.selfShare;
  }
  return [...rows.values()];
}

import { formatToken } from "./format";

/** What the connected wallet holds: gas (ETH) and the payment token, in base units (undefined: not read yet). */
export interface WalletFunds {
  eth?: bigint;
  token?: bigint;
  /** The payment token's symbol and decimals (RGL: 18). */
  symbol: string;
  decimals: number;
}

/**
 * The sentence that stops a spend the wallet cannot cover, or undefined when it can: `You have
 * 40 RGL; this job needs 100 RGL.` Gas first: `This account has no ETH to pay for gas.`
 */
export function shortfallText(funds: WalletFunds, needed: bigint, what = "this action"): string | undefined {
  if (funds.eth !== undefined && funds.eth === 0n) return "This account has no ETH to pay for gas.";
  if (funds.token !== undefined && funds.token < needed) {
    const f = (v: bigint) => formatToken(v, funds.symbol, 4, funds.decimals);
    return `You have ${f(funds.token)}; ${what} needs ${f(needed)}.`;
  }
  return undefined;
}

/**
 * How much to approve for a spend of `needed` with `allowance` already granted: exactly `needed`
 * when the allowance is short (never an unlimited approval), 0 when it covers the spend.
 */
export function approvalAmount(allowance: bigint, needed: bigint): bigint {
  return allowance >= needed ? 0n : needed;
}

/** The create button's state: why it is off (title and visible text), or undefined when it may be pressed. */
export function createDisabledReason(s: {
  account?: string;
  problems: readonly string[];
  planning: boolean;
  hasJob: boolean;
  busy: boolean;
  funds: WalletFunds;
  escrow?: bigint;
}): string | undefined {
  if (!s.account) return "Connect a wallet on the right chain to create a job.";
  if (s.problems.length > 0) return `Fix the form first: ${s.problems[0]}.`;
  if (s.busy) return "A transaction of this form is under way.";
  if (!s.hasJob || s.escrow === undefined) {
    return s.planning ? "Planning over the operators on-chain…" : "There is no plan yet: see the plan above.";
  }
  if (s.funds.eth === undefined || s.funds.token === undefined) return "Reading your balances…";
  return shortfallText(s.funds, s.escrow, "this job's escrow");
}

/**
 * Why an amount button ({@link AmountAction}) is off, or undefined when it is on: the caller's
 * reason, no wallet, no amount typed, or an amount that is no positive number of RGL.
 */
export function amountActionReason(s: {
  account?: string;
  disabled?: boolean;
  disabledReason?: string;
  text: string;
  amount?: bigint;
  label: string;
}): string | undefined {
  if (s.disabled) return s.disabledReason ?? `${s.label} is not possible now.`;
  if (!s.account) return "Connect a wallet on the right chain first.";
  if (s.text.trim() === "") return `Type an amount of RGL to ${s.label.toLowerCase()}.`;
  if (s.amount === undefined) return `"${s.text.trim()}" is not an amount of RGL (digits, at most 18 decimals).`;
  if (s.amount <= 0n) return "The amount must be above 0.";
  return undefined;
}

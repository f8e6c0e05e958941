import { BaseError, ContractFunctionRevertedError, decodeErrorResult, UserRejectedRequestError, type Hex } from "viem";
import {
  computeTokenAbi,
  jobMarketAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  rewardsDistributorAbi,
} from "../../../sdk/contracts/abis";
import { formatToken } from "./format";

/** Every custom error any Rigel contract can revert with, for decoding reverts that bubble up. */
export const rigelErrorsAbi = [
  ...jobMarketAbi,
  ...operatorStakingAbi,
  ...rewardsDistributorAbi,
  ...oracleCommitteeAbi,
  ...computeTokenAbi,
].filter((item) => item.type === "error");

/** What the page shows for a failed call. */
export interface DecodedError {
  /** `rejected`: the user said no in the wallet; `revert`: a contract refused; `network`: no chain. */
  kind: "rejected" | "revert" | "network" | "other";
  /** The custom error's name, when a contract reverted with one. */
  errorName?: string;
  /** One sentence for the user. */
  message: string;
}

const EXPLAIN: Record<string, (args: readonly unknown[]) => string> = {
  MarketInsufficientStake: ([, free, needed]) =>
    `not enough free stake: ${formatToken(free as bigint)} free, ${formatToken(needed as bigint)} needed`,
  MarketDeadlinePassed: () => "the job's deadline has passed",
  MarketDeadlineNotPassed: () => "the job's deadline has not passed yet",
  MarketBadDeadline: () => "the deadline must be in the future",
  MarketNotDeveloper: () => "only the job's developer can do this",
  MarketTokenNotAllowed: () => "this payment token is not allowlisted",
  MarketBadShardState: ([, shard, state]) => `shard ${shard} is in the wrong state (${String(state)}) for this`,
  MarketVerifyWindowOpen: () => "the committee still has time to settle this shard",
  MarketNothingOwed: () => "the market owes this account nothing in this token (already withdrawn?)",
  MarketZeroAddress: () => "the address to pay must not be the zero address",
  StakingInsufficientFreeStake: ([, free, needed]) =>
    `not enough free stake: ${formatToken(free as bigint)} free, ${formatToken(needed as bigint)} asked`,
  StakingStillThawing: ([thawEnd]) => `still thawing until ${new Date(Number(thawEnd) * 1000).toISOString()}`,
  StakingNothingThawing: () => "nothing is thawing",
  StakingNothingToClaim: () => "nothing to claim yet",
  StakingAlreadyRegistered: () => "this address is already registered as an operator",
  StakingNotRegistered: () => "this address is not a registered operator",
  StakingBelowMinDelegation: ([amount, minimum]) =>
    `${formatToken(amount as bigint)} is below the minimum delegation of ${formatToken(minimum as bigint)}`,
  RewardsNothingToClaim: () => "no rewards to claim yet",
  ERC20InsufficientBalance: ([, balance, needed]) =>
    `insufficient balance: ${formatToken(balance as bigint)} held, ${formatToken(needed as bigint)} needed`,
  ERC20InsufficientAllowance: ([, allowance, needed]) =>
    `allowance too low: ${formatToken(allowance as bigint)} approved, ${formatToken(needed as bigint)} needed`,
  EnforcedPause: () => "the protocol is paused for new entries",
};

function describeArgs(args: readonly unknown[] | undefined): string {
  return (args ?? []).map((a) => (typeof a === "bigint" ? a.toString() : String(a))).join(", ");
}

/** Decodes revert data against every Rigel error; undefined when it matches none. */
export function decodeRevertData(data: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  try {
    const decoded = decodeErrorResult({ abi: rigelErrorsAbi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

function findRevertData(err: unknown): Hex | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 10; depth++) {
    const c = current as { data?: unknown; cause?: unknown };
    if (typeof c.data === "string" && c.data.startsWith("0x") && c.data.length >= 10) return c.data as Hex;
    if (c.data && typeof c.data === "object" && typeof (c.data as { data?: unknown }).data === "string") {
      return (c.data as { data: Hex }).data;
    }
    current = c.cause;
  }
  return undefined;
}

/**
 * Turns any error from a wallet or contract call into a sentence: a rejected signature, a decoded
 * custom error (`MarketInsufficientStake: not enough free stake …`), or an unreachable chain.
 */
export function decodeError(err: unknown): DecodedError {
  if (err instanceof BaseError) {
    if (err.walk((e) => e instanceof UserRejectedRequestError)) {
      return { kind: "rejected", message: "You rejected the request in your wallet." };
    }
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError) as
      ContractFunctionRevertedError | undefined;
    let name = reverted?.data?.errorName;
    let args: readonly unknown[] | undefined = reverted?.data?.args;
    if (!name) {
      const data = reverted?.raw ?? findRevertData(err);
      const decoded = data ? decodeRevertData(data) : undefined;
      name = decoded?.errorName;
      args = decoded?.args;
    }
    if (name) {
      const explain = EXPLAIN[name];
      const detail = explain ? explain(args ?? []) : describeArgs(args);
      return { kind: "revert", errorName: name, message: `${name}: ${detail}` };
    }
    if (reverted?.reason) return { kind: "revert", message: `Reverted: ${reverted.reason}` };
    if (err.walk((e) => (e as { name?: string }).name === "HttpRequestError")) {
      return { kind: "network", message: "The chain is unreachable: check the RPC URL and that the node is up." };
    }
    return { kind: "other", message: err.shortMessage };
  }
  if ((err as { name?: unknown })?.name === "ConnectorNotConnectedError") {
    return { kind: "other", message: "Your wallet is not connected: connect it and try again." };
  }
  const code = (err as { code?: unknown })?.code;
  if (code === 4001) return { kind: "rejected", message: "You rejected the request in your wallet." };
  return { kind: "other", message: err instanceof Error ? err.message : String(err) };
}

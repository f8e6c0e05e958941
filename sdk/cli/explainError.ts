// Any error a CLI command ends in, as one sentence with its cause and a hint: a Rigel contract's
// custom error decoded into words, "this account has no ETH for gas", "no chain answers at URL",
// keystore and usage errors. runCli prints it; the stack only with --verbose.
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  InsufficientFundsError,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import {
  computeTokenAbi,
  jobMarketAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
} from "../contracts/abis";
import { RigelError } from "../errors/RigelError";
import { formatAddress, formatDate, formatDuration, formatRgl } from "./humanFormat";

/** What the caller knows that makes a sentence clearer. */
export interface ExplainContext {
  /** The JSON-RPC URL the command used. */
  rpcUrl?: string;
  /** The account that sent (or would send) the transaction. */
  account?: Address;
  /** The command line's program, for hints ("rigel job submit"). */
  program?: string;
}

/** One sentence for the user, and what to do about it. */
export interface ExplainedError {
  message: string;
  hint?: string;
  /** A stable code: the custom error's name, a RigelError's code, or CLI_* for the cases below. */
  code?: string;
}

/** Every custom error of every Rigel contract (deduplicated by selector by viem's decoder). */
export const rigelErrorsAbi = [
  ...jobMarketAbi,
  ...operatorStakingAbi,
  ...oracleCommitteeAbi,
  ...rewardsDistributorAbi,
  ...computeTokenAbi,
  ...timelockControllerAbi,
].filter((item) => item.type === "error") as Abi;

type Args = readonly unknown[];
type Sentence = (args: Args, ctx: ExplainContext) => { message: string; hint?: string };

const rgl = (v: unknown): string => formatRgl(v as bigint);
const addr = (v: unknown): string => formatAddress(String(v));
const SHARD_STATES = ["Open", "Accepted", "Submitted", "Settled", "Rejected", "Expired", "Cancelled"];

/** Sentences for the custom errors a user meets; others are named with their arguments. */
const SENTENCES: Record<string, Sentence> = {
  ERC20InsufficientBalance: ([sender, balance, needed]) => ({
    message: `not enough RGL: ${addr(sender)} has ${rgl(balance)}, needs ${rgl(needed)}`,
    hint: "get RGL into this account first (on the dev chain the deployer holds the genesis supply)",
  }),
  ERC20InsufficientAllowance: ([spender, allowance, needed]) => ({
    message: `the token allowance of ${addr(spender)} is ${rgl(allowance)}, the call needs ${rgl(needed)}`,
    hint: "approve at least the amount needed, then retry",
  }),
  MarketInsufficientStake: ([operator, free, needed]) => ({
    message: `operator ${addr(operator)} has ${rgl(free)} of free stake, ${rgl(needed)} is needed`,
    hint: "stake more RGL (rigel agent stake --amount N) or take smaller shards",
  }),
  StakingInsufficientFreeStake: ([operator, free, needed]) => ({
    message: `operator ${addr(operator)} has ${rgl(free)} of free stake, ${rgl(needed)} is asked`,
  }),
  MarketDeadlinePassed: ([jobId, deadline]) => ({
    message: `job ${jobId}'s deadline passed at ${formatDate(deadline as bigint)}`,
    hint: "expire its shards to get the escrow back (rigel job expire JOB_ID)",
  }),
  MarketDeadlineNotPassed: ([jobId, deadline]) => ({
    message: `job ${jobId}'s deadline has not passed yet (${formatDate(deadline as bigint)})`,
  }),
  MarketBadDeadline: ([deadline, now]) => ({
    message: `the deadline ${formatDate(deadline as bigint)} is not in the future (chain time ${formatDate(now as bigint)})`,
  }),
  MarketNotDeveloper: ([caller, developer]) => ({
    message: `only the job's developer ${addr(developer)} can do this, not ${addr(caller)}`,
    hint: "use the key (--keystore or --key) that created the job",
  }),
  MarketTokenNotAllowed: ([token]) => ({
    message: `token ${addr(token)} is not allowlisted as a payment token on this market`,
    hint: "pay in RGL (leave out --token) or in an allowlisted token",
  }),
  MarketBadShardState: ([jobId, shard, state]) => ({
    message: `shard ${shard} of job ${jobId} is ${SHARD_STATES[Number(state)] ?? `in state ${state}`}, which does not allow this`,
  }),
  MarketVerifyWindowOpen: ([jobId, shard, closesAt]) => ({
    message: `the committee may still settle shard ${shard} of job ${jobId} until ${formatDate(closesAt as bigint)}`,
    hint: "retry after that time",
  }),
  MarketNothingOwed: ([token, account]) => ({
    message: `the market owes ${addr(account)} nothing in token ${addr(token)}`,
    hint: "already withdrawn? see rigel job status / rigel agent status",
  }),
  MarketUnknownJob: ([jobId]) => ({ message: `there is no job ${jobId} on this market` }),
  MarketUnknownShard: ([jobId, shard]) => ({ message: `job ${jobId} has no shard ${shard}` }),
  MarketBadShardCount: ([shards]) => ({ message: `${shards} shards is not allowed (1 to 64)` }),
  MarketNotRegistered: ([operator]) => ({
    message: `${addr(operator)} is not a registered operator`,
    hint: "register and stake first: rigel agent stake --amount N",
  }),
  MarketJailed: ([operator, until]) => ({
    message: `operator ${addr(operator)} is jailed until ${formatDate(until as bigint)}`,
  }),
  MarketCapacityTooLow: ([operator, ops, vram, validUntil]) => ({
    message: `operator ${addr(operator)}'s attested capacity (${ops} ops/s, ${vram} MiB, valid until ${formatDate(validUntil as bigint)}) does not meet the job's needs`,
  }),
  MarketAttestationExpired: ([expiry]) => ({
    message: `the oracle attestation expired at ${formatDate(expiry as bigint)}`,
    hint: "ask the oracles again",
  }),
  MarketBadUnits: ([units, max]) => ({ message: `${units} units is more than the shard's ${max}` }),
  MarketZeroValue: () => ({ message: "the job's escrow would be zero: price and units must be above zero" }),
  MarketBadParam: ([name, value]) => ({
    message: `parameter ${bytes32Text(name as Hex)} = ${value} is out of range`,
  }),
  StakingStillThawing: ([thawEnd]) => ({
    message: `the stake is still thawing until ${formatDate(thawEnd as bigint)}`,
  }),
  StakingNothingThawing: () => ({ message: "nothing is thawing", hint: "unstake first, then withdraw after the thaw" }),
  StakingNothingToClaim: () => ({ message: "nothing to claim yet" }),
  StakingAlreadyRegistered: ([operator]) => ({ message: `${addr(operator)} is already a registered operator` }),
  StakingNotRegistered: ([operator]) => ({ message: `${addr(operator)} is not a registered operator` }),
  StakingBelowMinDelegation: ([amount, minimum]) => ({
    message: `${rgl(amount)} is below the minimum delegation of ${rgl(minimum)}`,
  }),
  StakingZeroAmount: () => ({ message: "the amount must be above zero" }),
  StakingCapacityExpired: ([validUntil]) => ({
    message: `the capacity attestation expired at ${formatDate(validUntil as bigint)}`,
    hint: "re-attest capacity: rigel agent capacity",
  }),
  RewardsNothingToClaim: () => ({ message: "no rewards to claim yet" }),
  EnforcedPause: () => ({ message: "the protocol is paused for new entries" }),
  AccessControlUnauthorizedAccount: ([account]) => ({
    message: `${addr(account)} does not have the role this call needs`,
  }),
  TimelockInsufficientDelay: ([delay, min]) => ({
    message: `the timelock delay ${formatDuration(delay as bigint)} is below the minimum ${formatDuration(min as bigint)}`,
  }),
};

function bytes32Text(value: Hex): string {
  const text = Buffer.from(value.slice(2), "hex").toString("utf8").replace(/\0+$/, "");
  return /^[\x20-\x7e]+$/.test(text) ? text : value;
}

function argText(v: unknown): string {
  return typeof v === "bigint" ? v.toString() : typeof v === "string" && v.length === 42 ? formatAddress(v) : String(v);
}

/** A custom error's sentence, e.g. ERC20InsufficientBalance → "not enough RGL: … has 0 RGL, needs 100 RGL". */
export function explainCustomError(errorName: string, args: Args, ctx: ExplainContext = {}): ExplainedError {
  const sentence = SENTENCES[errorName];
  if (sentence) return { ...sentence(args, ctx), code: errorName };
  return {
    message: `the contract refused: ${errorName}(${args.map(argText).join(", ")})`,
    hint: "see docs/PROTOCOL.md for what this error means",
    code: errorName,
  };
}

/** Decodes revert data (selector + arguments) against every Rigel contract's errors; undefined when none matches. */
export function decodeRigelRevert(data: Hex): { errorName: string; args: Args } | undefined {
  try {
    const decoded = decodeErrorResult({ abi: rigelErrorsAbi, data });
    return { errorName: decoded.errorName, args: (decoded.args ?? []) as Args };
  } catch {
    return undefined;
  }
}

/** Every error down the cause chain, outermost first. */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && !out.includes(current) && out.length < 20) {
    out.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

function revertDataOf(e: unknown): Hex | undefined {
  const c = e as { data?: unknown; raw?: unknown; signature?: unknown };
  if (typeof c.raw === "string" && /^0x[0-9a-f]{8}/i.test(c.raw)) return c.raw as Hex;
  if (typeof c.data === "string" && /^0x[0-9a-f]{8}/i.test(c.data)) return c.data as Hex;
  if (c.data && typeof c.data === "object" && typeof (c.data as { data?: unknown }).data === "string") {
    const d = (c.data as { data: string }).data;
    if (/^0x[0-9a-f]{8}/i.test(d)) return d as Hex;
  }
  // viem's "Unable to decode signature 0x…" (an error of a contract whose ABI the call did not carry).
  if (typeof c.signature === "string" && /^0x[0-9a-f]{8}$/i.test(c.signature)) return undefined;
  return undefined;
}

function messageOf(e: unknown): string {
  if (e instanceof BaseError) return [e.shortMessage, e.details].filter(Boolean).join(": ");
  return (e as Error)?.message ?? String(e);
}

function urlOf(chain: unknown[], ctx: ExplainContext): string | undefined {
  for (const e of chain) {
    const url = (e as { url?: unknown }).url;
    if (typeof url === "string") return url.replace(/^(\w+:\/\/[^/]+)\/$/, "$1");
  }
  return ctx.rpcUrl;
}

const NO_CHAIN = /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|socket hang up|connect ETIMEDOUT/i;
const NO_GAS =
  /insufficient funds|doesn't have enough funds|exceeds transaction sender account balance|sender doesn't have enough/i;

function accountOf(chain: unknown[], ctx: ExplainContext): string | undefined {
  if (ctx.account) return ctx.account;
  for (const e of chain) {
    const a = (e as { account?: unknown }).account;
    if (typeof a === "string") return a;
    if (a && typeof a === "object" && typeof (a as { address?: unknown }).address === "string")
      return (a as { address: string }).address;
  }
  for (const e of chain) {
    const from = /\bfrom:\s+(0x[0-9a-fA-F]{40})/.exec((e as Error)?.message ?? "");
    if (from) return from[1];
  }
  return undefined;
}

/**
 * One sentence and a hint for any error: a decoded Rigel custom error, a plain `Error(string)`
 * revert, "this account has no ETH for gas", "no chain answers at URL", a keystore or usage error,
 * else the innermost message.
 */
export function explainError(err: unknown, ctx: ExplainContext = {}): ExplainedError {
  const chain = causes(err);

  // A Rigel error wrapping another: keep its words and explain what it wraps.
  const outer = chain[0];
  if (outer instanceof RigelError && !(outer.cause === undefined || outer.cause === null)) {
    const inner = explainError(outer.cause, ctx);
    return { message: `${outer.message}: ${inner.message}`, hint: inner.hint, code: outer.code };
  }

  for (const e of chain) {
    if (e instanceof ContractFunctionRevertedError) {
      if (e.data?.errorName && e.data.errorName !== "Error" && e.data.errorName !== "Panic") {
        return explainCustomError(e.data.errorName, (e.data.args ?? []) as Args, ctx);
      }
      if (e.reason) return { message: `the contract refused: ${e.reason}`, code: "CLI_REVERTED" };
    }
    const data = revertDataOf(e);
    const decoded = data ? decodeRigelRevert(data) : undefined;
    if (decoded) return explainCustomError(decoded.errorName, decoded.args, ctx);
  }

  if (chain.some((e) => e instanceof InsufficientFundsError) || chain.some((e) => NO_GAS.test(messageOf(e)))) {
    const account = accountOf(chain, ctx);
    return {
      message: `this account${account ? ` (${account})` : ""} has no ETH for gas`,
      hint: "send it some ETH on this chain (on the local dev chain, from one of Hardhat's funded accounts)",
      code: "CLI_NO_GAS",
    };
  }

  if (
    chain.some((e) => (e as { name?: string }).name === "HttpRequestError") ||
    chain.some((e) => NO_CHAIN.test(messageOf(e)) || NO_CHAIN.test(String((e as { code?: unknown }).code ?? "")))
  ) {
    const url = urlOf(chain, ctx);
    return {
      message: `no chain answers at ${url ?? "the RPC URL"}`,
      hint: "start one (npm run node, or npm run demo -- --keep) or pass --rpc URL (env RIGEL_RPC_URL)",
      code: "CLI_NO_CHAIN",
    };
  }

  for (const e of chain) {
    if (e instanceof RigelError) {
      if (e.code === "KEYSTORE_BAD_PASSWORD") {
        return {
          message: "wrong password for this keystore",
          hint: "check RIGEL_KEYSTORE_PASSWORD (or the password file) for this keystore",
          code: e.code,
        };
      }
      if (e.code.startsWith("KEYSTORE_")) {
        return {
          message: `the keystore cannot be used: ${e.message}`,
          hint: "create one with rigel agent init",
          code: e.code,
        };
      }
      if (e.name === "UsageError") {
        return {
          message: e.message,
          hint: `run '${ctx.program ?? "rigel"} --help' for the flags`,
          code: e.code,
        };
      }
      return { message: e.message, code: e.code };
    }
  }

  const fs = chain.find((e) => typeof (e as { code?: unknown }).code === "string" && (e as { path?: unknown }).path);
  if (fs) {
    const { code, path } = fs as { code: string; path: string };
    if (code === "ENOENT") return { message: `no file at ${path}`, code: "CLI_NO_FILE" };
    if (code === "EACCES") return { message: `no permission to read ${path}`, code: "CLI_NO_ACCESS" };
  }

  const innermost = chain[chain.length - 1];
  const unknownSig = chain.find((e) => /Unable to decode signature/.test(messageOf(e)));
  if (unknownSig) {
    return {
      message: `the contract refused with an error no Rigel contract defines (${messageOf(unknownSig).split("\n")[0]})`,
      code: "CLI_REVERTED",
    };
  }
  const first = err instanceof BaseError ? messageOf(err) : messageOf(innermost);
  return { message: first.split("\n")[0] };
}

import { contractEnums } from "../contracts/abis";

/**
 * An enum of the contracts as a name → number object, built from the member names that
 * `scripts/gen-abis.js` reads out of the compiler's AST (the ABI itself carries only `uint8`).
 */
export type EnumObject<Names extends readonly string[]> = {
  readonly [
    I in keyof Names as I extends `${number}` ? Names[I] & string : never
  ]: I extends `${infer N extends number}` ? N : never;
};

function enumObject<const Names extends readonly string[]>(names: Names): EnumObject<Names> {
  return Object.freeze(Object.fromEntries(names.map((name, i) => [name, i]))) as EnumObject<Names>;
}

/** `IJobMarket.ShardState` names, in on-chain order (PROTOCOL §9.2). */
export const SHARD_STATE_NAMES = contractEnums.IJobMarket.ShardState;
/** The name of an on-chain shard state. */
export type ShardStateName = (typeof SHARD_STATE_NAMES)[number];
/** `IJobMarket.ShardState` as numbers: `ShardState.Open === 0`, … (PROTOCOL §9.2). */
export const ShardState = enumObject(SHARD_STATE_NAMES);
/** An on-chain shard state number. */
export type ShardStateValue = (typeof ShardState)[ShardStateName];

/** `IJobMarket.JobKind` names, in on-chain order (PROTOCOL §9.1). */
export const JOB_KIND_NAMES = contractEnums.IJobMarket.JobKind;
/**
 * `IJobMarket.JobKind` as numbers: `JobKind.MatmulInt8 === 0`, `JobKind.Container === 1`,
 * `JobKind.LlmInference === 2` (PROTOCOL §19).
 */
export const JobKind = enumObject(JOB_KIND_NAMES);
export type JobKindValue = (typeof JobKind)[(typeof JOB_KIND_NAMES)[number]];

/** `IOracleCommittee.Verdict` names (PROTOCOL §7): None is never signed. */
export const VERDICT_NAMES = contractEnums.IOracleCommittee.Verdict;
/**
 * `IOracleCommittee.Verdict` as numbers: `Verdict.Valid === 1`, `Verdict.Invalid === 2`,
 * `Verdict.DeveloperFault === 3` (PROTOCOL §9.3, §18).
 */
export const Verdict = enumObject(VERDICT_NAMES);
export type VerdictValue = (typeof Verdict)[(typeof VERDICT_NAMES)[number]];

/** `IBondedOracleCommittee.SignerStatus` as numbers. */
export const SignerStatus = enumObject(contractEnums.IBondedOracleCommittee.SignerStatus);

/**
 * `JobParams.verificationMode` (a `uint8` on chain, informational for the oracle; PROTOCOL §9.1):
 * Sampled = the committee checks a sample of the work; Receipt = it checks the receipt only
 * (container jobs that are attested, not verified); Activations = sampled items re-computed in one
 * prefill and compared with the operator's activation fingerprints (llm-inference, PROTOCOL §19).
 */
export const VerificationMode = { Sampled: 0, Receipt: 1, Activations: 2 } as const;
export type VerificationModeValue = (typeof VerificationMode)[keyof typeof VerificationMode];

/** The spec's kind name (`sdk/spec`) for an on-chain job kind. */
export function jobKindName(kind: number): "matmul-int8" | "container" | "llm-inference" {
  if (kind === JobKind.MatmulInt8) return "matmul-int8";
  if (kind === JobKind.Container) return "container";
  if (kind === JobKind.LlmInference) return "llm-inference";
  throw new RangeError(`unknown job kind ${kind}`);
}

/** The name of an on-chain shard state number; throws on a number the contract never returns. */
export function shardStateName(state: number): ShardStateName {
  const name = SHARD_STATE_NAMES[state];
  if (name === undefined) throw new RangeError(`unknown shard state ${state}`);
  return name;
}

/**
 * Whether a shard state is final: Settled, Failed, Cancelled, Expired or DeveloperFault; no call
 * moves a shard out of them (PROTOCOL §9.2).
 */
export function isFinalShardState(state: number): boolean {
  return (
    state === ShardState.Settled ||
    state === ShardState.Failed ||
    state === ShardState.Cancelled ||
    state === ShardState.Expired ||
    state === ShardState.DeveloperFault
  );
}

import type { Address, ContractFunctionArgs } from "viem";
import type { jobMarketAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";
import { specWithPlan } from "../planner/plannerJobForSpec";
import type { Plan } from "../planner/types";
import { hashJobSpec } from "../spec/hashJobSpec";
import { jobSpecDataUri } from "../spec/jobSpecDataUri";
import type { JobSpec } from "../spec/jobSpecTypes";
import { parseJobSpec } from "../spec/parseJobSpec";
import { llmRangeMaxUnits, matmulUnits, shardWorkRange } from "../spec/shardWork";
import { JobKind, VerificationMode, type JobKindValue, type VerificationModeValue } from "./enums";

/** `IJobMarket.JobParams`, as `createJob`, `createJobWithPermit` and `createGangJob` take it (typed from the ABI). */
export type JobParams = ContractFunctionArgs<typeof jobMarketAbi, "nonpayable", "createJob">[0];

/** Parameters of {@link jobParamsForSpec}. */
export interface JobParamsForSpecParameters {
  spec: JobSpec;
  /**
   * The planner's plan (sdk/planner, docs/PROTOCOL.md §15): its `split` goes into the spec (a new
   * spec hash), one shard per planned shard, each assigned to its operator, and `maxUnitsPerShard` =
   * the largest planned shard's units. With a plan, `shards`, `maxUnitsPerShard` and
   * `shardOperators` must be left out.
   */
  plan?: Pick<Plan, "split" | "shards" | "maxUnitsPerShard">;
  /** Shards of an even split (without a plan); default 1. */
  shards?: number;
  /**
   * Default: the largest shard's units for a matmul job (§3.13) or an llm-inference job (tokens: Σ of
   * prompt UTF-8 bytes + maxNewTokens over the shard's items, §19.1); a container job must give it (GPU-seconds).
   */
  maxUnitsPerShard?: bigint;
  /** The operator of shard i (one per shard), or empty: any eligible operator. */
  shardOperators?: readonly Address[];
  paymentToken: Address;
  /** Payment-token base units per unit. */
  maxPricePerUnit: bigint;
  /** Unix time (chain time): the last moment to accept or submit. */
  deadline: bigint;
  minVramMiB?: number;
  minOpsPerSec?: bigint;
  /** Where the spec lives; default its `data:` URI (`jobSpecDataUri`), written after the plan's split. */
  specURI?: string;
}

export interface JobParamsForSpecReturnType {
  /** What the market is sent. */
  params: JobParams;
  /** The spec the params hash: with the plan's split when there is a plan. */
  spec: JobSpec;
  /** `shards × maxUnitsPerShard × maxPricePerUnit`: what `createJob` pulls (§9.1). */
  escrow: bigint;
}

/** The inputs do not make a job (a container job without units, operators that do not match the shards...). */
export class JobParamsError extends RigelError {
  override readonly name = "JobParamsError";
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("MARKET_JOB_PARAMS_INVALID", message, { details });
  }
}

function largestShardUnits(spec: JobSpec, shards: number): bigint {
  if (spec.kind === "container") {
    throw new JobParamsError("a container job is metered in GPU-seconds: maxUnitsPerShard is required", {
      kind: spec.kind,
    });
  }
  let max = 0n;
  for (let i = 0; i < shards; i++) {
    const r = shardWorkRange(spec, shards, i)!;
    const u = spec.kind === "matmul-int8" ? matmulUnits(r.end - r.start, spec.n, spec.k) : llmRangeMaxUnits(spec, r);
    if (u > max) max = u;
  }
  return max;
}

/** The on-chain `JobKind` of a spec. */
export function jobKindOf(spec: JobSpec): JobKindValue {
  if (spec.kind === "matmul-int8") return JobKind.MatmulInt8;
  if (spec.kind === "llm-inference") return JobKind.LlmInference;
  return JobKind.Container;
}

/** The on-chain `verificationMode` of a spec: Receipt, Activations (llm-inference) or Sampled. */
export function verificationModeOf(spec: JobSpec): VerificationModeValue {
  if (spec.kind === "llm-inference") return VerificationMode.Activations;
  if (spec.kind === "container" && spec.verification === "receipt") return VerificationMode.Receipt;
  return VerificationMode.Sampled;
}

/**
 * A job spec (and optionally the planner's plan) as `IJobMarket.JobParams` (docs/PROTOCOL.md §9.1,
 * §17): kind and verification mode from the spec (`JobKind`, `VerificationMode`), the spec hash of
 * its canonical form (§12.2), its data: URI unless another is given, the shards, their operators
 * and units. Browser-safe. Throws {@link JobParamsError} when the inputs do not make a job, and the
 * spec's own validation error for a plan's split that does not fit the spec.
 */
export function jobParamsForSpec(parameters: JobParamsForSpecParameters): JobParamsForSpecReturnType {
  const { plan } = parameters;
  let spec = parameters.spec;
  let shards: number;
  let maxUnitsPerShard: bigint;
  let shardOperators: readonly Address[];
  if (plan) {
    if (
      parameters.shards !== undefined ||
      parameters.maxUnitsPerShard !== undefined ||
      parameters.shardOperators !== undefined
    ) {
      throw new JobParamsError("a plan sets the shards, their operators and units: give the plan or them, not both");
    }
    spec = parseJobSpec(specWithPlan(spec, plan));
    shards = plan.shards.length;
    maxUnitsPerShard = plan.maxUnitsPerShard;
    shardOperators = plan.shards.map((s) => s.operator as Address);
  } else {
    shards = parameters.shards ?? 1;
    if (!Number.isSafeInteger(shards) || shards < 1) throw new JobParamsError(`shards must be ≥ 1`, { shards });
    maxUnitsPerShard = parameters.maxUnitsPerShard ?? largestShardUnits(spec, shards);
    shardOperators = parameters.shardOperators ?? [];
  }
  if (shardOperators.length !== 0 && shardOperators.length !== shards) {
    throw new JobParamsError(`${shardOperators.length} operator(s) for ${shards} shard(s)`, {
      operators: shardOperators.length,
      shards,
    });
  }
  const params: JobParams = {
    paymentToken: parameters.paymentToken,
    kind: jobKindOf(spec),
    verificationMode: verificationModeOf(spec),
    shards,
    maxUnitsPerShard,
    maxPricePerUnit: parameters.maxPricePerUnit,
    minVramMiB: parameters.minVramMiB ?? 0,
    minOpsPerSec: parameters.minOpsPerSec ?? 0n,
    deadline: parameters.deadline,
    specHash: hashJobSpec(spec).hash,
    specURI: parameters.specURI ?? jobSpecDataUri(spec),
    shardOperators: [...shardOperators],
  };
  return { params, spec, escrow: BigInt(shards) * maxUnitsPerShard * parameters.maxPricePerUnit };
}

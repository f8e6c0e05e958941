import { getAddress, zeroAddress, type Address, type Hex } from "viem";
import { containerCpus } from "../../sdk/executor/containerCpuset";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { SAMPLE_SIZE } from "../../sdk/pow/sample";
import {
  llmItemMaxUnits,
  llmRangeMaxUnits,
  matmulUnits,
  shardWorkRange,
  type WorkRange,
} from "../../sdk/spec/shardWork";
import { utf8Length } from "../../sdk/spec/validateJobSpec";
import { gpuModelMismatch, gpuModelName } from "../../sdk/spec/gpuModels";
import { sandboxDecline, type SandboxCeilings } from "./sandboxCeilings";

/** What the operator configured: which shards are worth taking. */
export interface ShardPolicy {
  /** Job kinds taken (`matmul-int8`, `container`, `llm-inference`). */
  kinds: readonly JobSpec["kind"][];
  /** Smallest `maxPricePerUnit` taken, in the payment token's base units. */
  minPricePerUnit: bigint;
  /** Accepted payment tokens; empty: any allowlisted token. */
  paymentTokens: readonly Address[];
  /** Concurrent shards in total (GPUs × maxShardsPerGpu, or cpuSlots without a GPU). */
  maxConcurrentShards: number;
  /**
   * The largest proof body the committee accepts (the oracles' `bodyLimit`; default
   * {@link DEFAULT_MAX_PROOF_BYTES}): an llm-inference shard whose worst-case proof exceeds it is declined.
   */
  maxProofBytes?: number;
  /**
   * The operator's ceilings over container specs (`sandbox*` config, PROTOCOL §12.5); absent: none
   * but the host's. A container spec above one is declined, with a `SANDBOX_*` code.
   */
  sandbox?: SandboxCeilings;
}

/** The oracles' default `bodyLimit` (1 MiB), the default of {@link ShardPolicy.maxProofBytes}. */
export const DEFAULT_MAX_PROOF_BYTES = 1024 * 1024;

/**
 * Worst-case bytes one revealed llm-inference item adds to a proof, per token of its bound (prompt
 * bytes + maxNewTokens): its output.json holds ≈ 31 bytes per generated token (16 of fingerprint,
 * base64 in JSON, the token id, the text) and ≈ 6 per prompt token, and the proof base64-encodes it
 * again (× 4/3): 64 leaves room. Plus {@link LLM_PROOF_ITEM_OVERHEAD} for the leaf, its Merkle proof
 * and the JSON around it.
 */
export const LLM_PROOF_BYTES_PER_TOKEN = 64;
export const LLM_PROOF_ITEM_OVERHEAD = 4096;

/** What this host has (PROTOCOL §18.6): read once at start, free disk again at every pass. */
export interface HostFacts {
  /** CPUs the agent may use (`os.availableParallelism()`). */
  cpus: number;
  /** GPUs detected (nvidia-smi). */
  gpus: number;
  /** Physical memory, bytes (`os.totalmem()`). */
  memoryBytes: number;
  /** Free space of the data directory's file system, bytes (`fs.statfs`: blocks available × block size). */
  freeDiskBytes: number;
  /**
   * Whether the llm-inference runtime runs here (`pythonPath` imports numpy and sdk/python/infer.py
   * exists), probed at start; absent: not probed, so llm-inference shards are declined.
   */
  llmRuntime?: { runnable: true } | { runnable: false; reason: string };
}

/** The facts a decision reads: the job on-chain and its spec, the shard's assignment, this host and the operator's stake. */
export interface ShardOffer {
  operator: Address;
  /** The job's spec (fetched and hash-checked) and the shard offered: the work the host must run. */
  spec: JobSpec;
  shard: number;
  job: {
    paymentToken: Address;
    maxPricePerUnit: bigint;
    maxUnitsPerShard: bigint;
    minVramMiB: number;
    minOpsPerSec: bigint;
    deadline: bigint;
    shards: number;
  };
  /** The shard's assigned operator (zero: anyone). */
  assigned: Address;
  /**
   * When the job's assigned shards still Open open to any eligible operator (the market's
   * `assignmentsReopenAt`, PROTOCOL §20.9); absent or 0: never (a market without the rule).
   */
  reopensAt?: bigint;
  /**
   * llm-inference: the model's context length (`n_positions` of its config.json, fetched and
   * hash-checked by the daemon); absent: not read, the shard is declined.
   */
  llmModel?: { nPositions: number };
  /**
   * The operator's attested capacity on-chain; `gpuModel` the attested bytes32 model (absent: none),
   * matched against the spec's `requirements.gpuModels`.
   */
  capacity: { opsPerSec: bigint; vramMiB: number; validUntil: bigint; gpuModel?: Hex };
  /** The largest VRAM of one local GPU (MiB); 0 without a GPU. */
  localVramMiB: number;
  /** Free self-stake and the collateral this shard would lock. */
  freeStake: bigint;
  collateral: bigint;
  jailedUntil: bigint;
  /** Shards in flight now. */
  running: number;
  host: HostFacts;
  /** GPUs held by this agent's shards in flight (accepted, not yet submitted: the journal). */
  gpusInUse: number;
  now: bigint;
  /** Seconds of work the agent needs before the deadline, at least. */
  submitMarginSec: bigint;
  /**
   * A gang job's accept deadline (§9.7; absent or 0 for a plain job). The gang may start as late as
   * just before it, and the shard's work only starts then, so the margin is counted from it.
   */
  gangAcceptDeadline?: bigint;
}

/**
 * Take it, or why not. `passing`: the reason goes away by itself (a slot or a GPU frees up), so the
 * offer is asked again later rather than declined for good.
 */
export type ShardDecision =
  | { take: true }
  | {
      take: false;
      reason: string;
      passing?: true;
      /** A stable code for metrics: the sandbox's (`SANDBOX_CPUS`, `SANDBOX_NETWORK`, …) or `GPU_MODEL`. */
      code?: string;
    };

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/**
 * Whether this host can run the shard at all (PROTOCOL §18.6); the reason when it cannot. Container:
 * `⌈milliCpus / 1000⌉` ≤ the host's CPUs, `gpus` ≤ its GPUs, `memoryMiB` ≤ its memory, and every
 * item's `timeoutSec` (one run for a single-run job) plus the submit margin before the deadline,
 * counted from the latest start. Matmul: C of the shard (`m' × n × 4` bytes) within memory and free
 * disk, and its work `matmulUnits(m', n, k)` ≤ `maxUnitsPerShard` (else it is paid for less than it
 * computes). llm-inference: {@link llmCannotRun}.
 */
function hostCannotRun(offer: ShardOffer, start: bigint, maxProofBytes: number): string | undefined {
  const { spec, host, job } = offer;
  let range: WorkRange | undefined;
  try {
    range = shardWorkRange(spec, job.shards, offer.shard);
  } catch (err) {
    return `the spec's work does not make shard ${offer.shard} of ${job.shards}: ${(err as Error).message}`;
  }
  if (spec.kind === "matmul-int8") {
    const rows = range!.end - range!.start;
    const cBytes = rows * spec.n * 4;
    if (cBytes > host.memoryBytes)
      return `C of the shard is ${gib(cBytes)}, this host has ${gib(host.memoryBytes)} of memory`;
    if (cBytes > host.freeDiskBytes) {
      return `C of the shard is ${gib(cBytes)}, the data directory has ${gib(host.freeDiskBytes)} free`;
    }
    const units = matmulUnits(rows, spec.n, spec.k);
    if (units > job.maxUnitsPerShard) {
      return `the shard's work is ${units} units, the job pays at most ${job.maxUnitsPerShard} per shard`;
    }
    return undefined;
  }
  if (spec.kind === "llm-inference") return llmCannotRun(offer, range!, maxProofBytes);
  const cpus = containerCpus(spec);
  if (cpus > host.cpus) return `needs ${cpus} CPUs, this host has ${host.cpus}`;
  if (spec.gpus > host.gpus) return `needs ${spec.gpus} GPUs, this host has ${host.gpus}`;
  if (spec.memoryMiB * MIB > host.memoryBytes) {
    return `needs ${spec.memoryMiB} MiB of memory, this host has ${Math.floor(host.memoryBytes / MIB)}`;
  }
  const runs = range ? range.end - range.start : 1;
  const worst = BigInt(runs) * BigInt(spec.timeoutSec);
  if (start + worst + offer.submitMarginSec >= job.deadline) {
    return `${runs} run(s) of up to ${spec.timeoutSec} s and the submit margin do not fit before the deadline`;
  }
  return undefined;
}

/**
 * llm-inference (PROTOCOL §19.7): the runtime runs here; the model's context is known; every prompt
 * of the shard fits the context for sure: its UTF-8 bytes (an upper bound of its tokens) ≤
 * `n_positions`. A longer prompt may or may not tokenize to more than the context: the agent cannot
 * prove it to be the developer's fault, so it declines (nobody is slashed; the shard stays Open and
 * its escrow returns to the developer). Prompt + `maxNewTokens` over the context is no failure: the
 * runtime stops generating at the context (`finishReason: "length"`, §19.2) and the oracle checks
 * the same cut. The shard's token bound Σ(prompt bytes + maxNewTokens) ≤ `maxUnitsPerShard`, else it
 * may be paid for less than it generates. The worst-case proof (its SAMPLE_SIZE heaviest items, each
 * `64 × (bytes + maxNewTokens) + 4096` bytes) fits `maxProofBytes`, else an oracle could refuse the
 * proof for its size and the shard would go unproven.
 */
function llmCannotRun(offer: ShardOffer, range: WorkRange, maxProofBytes: number): string | undefined {
  const { spec, host, job } = offer;
  if (spec.kind !== "llm-inference") return undefined;
  if (host.llmRuntime === undefined) return "the inference runtime was not probed on this host";
  if (!host.llmRuntime.runnable) return `the inference runtime does not run here: ${host.llmRuntime.reason}`;
  if (offer.llmModel === undefined) return "the model's config.json was not read";
  const context = offer.llmModel.nPositions;
  for (let i = range.start; i < range.end; i++) {
    const bytes = utf8Length(spec.items[i]);
    if (bytes > context) {
      return `item ${i}'s prompt is ${bytes} bytes, more than the model's context of ${context} tokens may hold`;
    }
  }
  const bound = llmRangeMaxUnits(spec, range);
  if (bound > job.maxUnitsPerShard) {
    return `the shard's items may take ${bound} tokens, the job pays at most ${job.maxUnitsPerShard} per shard`;
  }
  // The proof reveals up to SAMPLE_SIZE items: the heaviest ones bound it.
  const heaviest = [];
  for (let i = range.start; i < range.end; i++)
    heaviest.push(Number(llmItemMaxUnits(spec.items[i], spec.maxNewTokens)));
  heaviest.sort((a, b) => b - a);
  const proofBytes = heaviest
    .slice(0, SAMPLE_SIZE)
    .reduce((sum, tokens) => sum + tokens * LLM_PROOF_BYTES_PER_TOKEN + LLM_PROOF_ITEM_OVERHEAD, 0);
  if (proofBytes > maxProofBytes) {
    return `the shard's proof may take ${proofBytes} bytes, the committee accepts ${maxProofBytes}`;
  }
  return undefined;
}

/**
 * Whether to accept a shard. Pure: every fact comes in `offer`, so the daemon, tests and
 * `rigel agent status` explain a decision the same way. Checks, in order: assignment (an assigned
 * shard is only ever for its operator), kind, payment token, price, time left (for a gang, counted
 * from its accept deadline, the latest possible start), what the host can run (§18.6: CPUs, GPUs,
 * memory, disk, time, matmul work), the operator's sandbox ceilings for containers (§12.5),
 * concurrency and free GPUs (passing reasons), jail, attested
 * capacity (the market's own check), the attested GPU model against the spec's `requirements.gpuModels`
 * (code `GPU_MODEL`), local VRAM fit, stake for the collateral.
 */
export function decideShard(policy: ShardPolicy, offer: ShardOffer): ShardDecision {
  const { job } = offer;
  const kind = offer.spec.kind;
  if (offer.assigned !== zeroAddress && getAddress(offer.assigned) !== getAddress(offer.operator)) {
    // Reserved for its operator until the grace ends; then any eligible operator may take it (§20.9).
    const reopensAt = offer.reopensAt ?? 0n;
    if (reopensAt === 0n) return { take: false, reason: `assigned to ${offer.assigned}` };
    if (offer.now < reopensAt) return { take: false, reason: `assigned to ${offer.assigned} until ${reopensAt}` };
  }
  if (!policy.kinds.includes(kind)) return { take: false, reason: `kind ${kind} is not taken` };
  if (
    policy.paymentTokens.length > 0 &&
    !policy.paymentTokens.some((t) => getAddress(t) === getAddress(job.paymentToken))
  ) {
    return { take: false, reason: `payment token ${job.paymentToken} is not accepted` };
  }
  if (job.maxPricePerUnit < policy.minPricePerUnit) {
    return { take: false, reason: `price ${job.maxPricePerUnit} below the minimum ${policy.minPricePerUnit}` };
  }
  if (offer.now + offer.submitMarginSec >= job.deadline) return { take: false, reason: "too close to the deadline" };
  const gangDeadline = offer.gangAcceptDeadline ?? 0n;
  if (gangDeadline > 0n) {
    if (offer.now >= gangDeadline) return { take: false, reason: "the gang's accept deadline has passed" };
    if (gangDeadline + offer.submitMarginSec >= job.deadline) {
      return { take: false, reason: "a gang starting at its accept deadline would leave too little time" };
    }
  }
  const cannot = hostCannotRun(
    offer,
    gangDeadline > offer.now ? gangDeadline : offer.now,
    policy.maxProofBytes ?? DEFAULT_MAX_PROOF_BYTES,
  );
  if (cannot) return { take: false, reason: cannot };
  if (offer.spec.kind === "container" && policy.sandbox !== undefined) {
    const above = sandboxDecline(offer.spec, policy.sandbox);
    if (above) return { take: false, reason: above.reason, code: above.code };
  }
  if (offer.running >= policy.maxConcurrentShards) {
    return {
      take: false,
      reason: `already running ${offer.running} of ${policy.maxConcurrentShards} shards`,
      passing: true,
    };
  }
  const gpus = kind === "container" ? offer.spec.gpus : 0;
  if (gpus > offer.host.gpus - offer.gpusInUse) {
    return {
      take: false,
      reason: `needs ${gpus} GPUs, ${offer.host.gpus - offer.gpusInUse} of ${offer.host.gpus} are free`,
      passing: true,
    };
  }
  if (offer.jailedUntil > offer.now) return { take: false, reason: `jailed until ${offer.jailedUntil}` };
  if (offer.capacity.validUntil < offer.now) return { take: false, reason: "no valid capacity attestation" };
  if (offer.capacity.vramMiB < job.minVramMiB || offer.capacity.opsPerSec < job.minOpsPerSec) {
    return { take: false, reason: "attested capacity below the job's minimum" };
  }
  const wrongModel = gpuModelMismatch(
    offer.spec.requirements?.gpuModels,
    offer.capacity.gpuModel === undefined ? "" : gpuModelName(offer.capacity.gpuModel),
  );
  if (wrongModel !== undefined) return { take: false, reason: `GPU model: ${wrongModel}`, code: "GPU_MODEL" };
  if (kind === "container" && job.minVramMiB > 0 && offer.localVramMiB < job.minVramMiB) {
    return { take: false, reason: `needs ${job.minVramMiB} MiB of VRAM, this host has ${offer.localVramMiB}` };
  }
  if (offer.freeStake < offer.collateral) {
    return { take: false, reason: `free stake ${offer.freeStake} below the collateral ${offer.collateral}` };
  }
  return { take: true };
}

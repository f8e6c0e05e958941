import type { Hex } from "viem";
import type { ShardAttestation } from "../../sdk/eip712/types";
import type { ShardStateName } from "../../sdk/market/enums";
import type { FailedRunJson } from "../../sdk/oracleApi/types";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";

/*
 * What the journal knows about a shard, by journal state (docs/PROTOCOL.md §14.2). Each step merges
 * its facts into what earlier steps wrote, so a state's data is the facts of every state before it
 * plus its own. The keys are the ones journals on disk already hold (no migration): a journal
 * written before these types reads back unchanged.
 */

/** `accepting`: written by the daemon when it takes the shard, before the accept is sent. */
export interface TakenFacts {
  specURI: string;
  specHash: Hex;
  /** The spec's kind (checked against the job's on-chain kind before taking the shard). */
  kind: JobSpec["kind"];
  /** A gang job's accept deadline (docs/PROTOCOL.md §9.7). */
  gangAcceptDeadline?: bigint;
  /** GPUs the spec asks for (container jobs; absent in older journals: none counted). Admission sums them (§18.6). */
  gpus?: number;
  /**
   * Assigned to this operator and run before it is accepted: accepted and submitted in one
   * `acceptAndSubmit` once the result is ready (§20.7). Absent: accepted first.
   */
  computeFirst?: boolean;
}

/** `accepted`: the accept transaction this agent sent, or the collateral read back after a restart. */
export interface AcceptedFacts {
  acceptTx?: Hex;
  collateral?: bigint;
  /** A gang shard waiting for every shard of its gang to be accepted (§14.8). */
  gangWaiting?: boolean;
}

/** `running`: when the run started, a gang's shared start, and the container items finished so far. */
export interface RunningFacts {
  /** Unix milliseconds (the agent's clock: for progress, never for the protocol). */
  runStartedAt: number;
  gangStartedAt?: bigint;
  /** Container items done: global item index (decimal) → item output hash (§12.4). */
  itemHashes?: Record<string, Hex>;
}

/** `ran`, matmul: the committed window of C (kept as `c.bin` in the shard's workspace). */
export interface MatmulRanFacts {
  kind: "matmul-int8";
  root: Hex;
  units: bigint;
  /** Absolute rows `[rowStart, rowEnd)` of C the shard computed (§3.13). */
  rowStart: number;
  rowEnd: number;
  seconds: { generate: number; compute: number; commit: number };
}

/** One container run as the receipt keeps it (times as Docker reports them, RFC 3339). */
export interface ContainerRunFacts {
  item: number | null;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** The container execution receipt, also kept as `receipt.json` in the shard's workspace. */
export interface ContainerReceipt {
  imageId?: string;
  imageRepoDigest?: string | null;
  runs: ContainerRunFacts[];
  root: Hex;
}

/** `ran`, container: the outputs root and, for an itemised job, the shard's items and their hashes. */
export interface ContainerRanFacts {
  kind: "container";
  root: Hex;
  units: bigint;
  /** The shard's global item range `[itemStart, itemEnd)`; null for a single-run job. */
  itemStart: number | null;
  itemEnd: number | null;
  /** Item output hashes by LOCAL index: the leaves of the submitted root (§12.4, §14.4). */
  itemHashList: Hex[];
  receipt: ContainerReceipt;
  failure?: undefined;
}

/**
 * `ran`, container, a failed run (docs/PROTOCOL.md §18.2): an item (or the single run) exited
 * non-zero, was killed for memory or timed out. The shard is submitted anyway, with `root =
 * failedRunRoot(failure)` and the units its runs used, and proved with `failure`. `itemHashList` holds
 * the items that succeeded before it (LOCAL order, not committed); the receipt's last run is the failed one.
 */
export interface ContainerFailedRunFacts extends Omit<ContainerRanFacts, "failure"> {
  /** The failed item's LOCAL index (null for a single-run job), how it ended, its exit code. */
  failure: FailedRunJson;
}

/**
 * `ran`, llm-inference (docs/PROTOCOL.md §19.7): the items' outputs root; each item's `output.json`
 * is kept in its item output folder of the workspace (global index), served and revealed from there.
 */
export interface LlmRanFacts {
  kind: "llm-inference";
  root: Hex;
  /** Σ(promptTokens + generatedTokens) of the shard's items. */
  units: bigint;
  /** The shard's global item range `[itemStart, itemEnd)`. */
  itemStart: number;
  itemEnd: number;
  /** Item output hashes by LOCAL index: the leaves of the submitted root. */
  itemHashList: Hex[];
  failure?: undefined;
}

/** What a shard that ran has: one of the kinds' facts (a container run may have failed). */
export type RanFacts = MatmulRanFacts | ContainerRanFacts | ContainerFailedRunFacts | LlmRanFacts;

/**
 * `claiming` (PROTOCOL §20.10): an assigned shard claimed at every oracle instead of submitted
 * on-chain. `claimAbandoned` (written when the claim path gives way) sends `submitting` to the
 * on-chain path (`acceptAndSubmit`, the same root and units); `claimed` marks a quorum gathered
 * by a claim (the shard is still Open on-chain until settled).
 */
export interface ClaimFacts {
  /** Unix ms the claim path began (the agent's clock): `claimTimeoutSec` counts from it. */
  claimStartedAt?: number;
  /** Why the claim path was left for the on-chain one. */
  claimAbandoned?: string;
  /** The attestation was gathered by a claim: no submission, the shard settles from Open. */
  claimed?: boolean;
}

/** `submitted`: the block that recorded the submission (its hash feeds the beacon, §3.4). */
export interface SubmittedFacts {
  submittedBlock: bigint;
  submitTx?: Hex;
  resultURI?: string;
}

/** `attested`: the quorum's attestation and its signatures, sorted by signer. */
export interface AttestedFacts {
  attestation: ShardAttestation;
  signatures: Hex[];
  /** Unix ms the quorum was journaled (the agent's clock): the settle delay of §20.7 counts from it. */
  attestedAt?: number;
}

/** A final state: why it ended (any earlier facts may be there too). */
export interface EndedFacts {
  /** The on-chain state that ended the shard, when the chain did. */
  endedOnChain?: ShardStateName;
  reason?: string;
  /**
   * A container shard that did not succeed, in journals written before failed runs were submitted
   * (§18.2): how it ended (failed, timedOut, oomKilled). Now the run's `failure` holds it.
   */
  status?: string;
  settleTx?: Hex;
}

/**
 * Every fact a shard's data may hold, each optional: what a state does not guarantee may still be
 * there (a `failed` shard that ran keeps its root), and nothing else is ever written.
 */
export type ShardFacts = Partial<
  TakenFacts &
    AcceptedFacts &
    RunningFacts &
    Omit<MatmulRanFacts, "kind"> &
    Omit<ContainerRanFacts, "kind" | "failure"> &
    Pick<ContainerFailedRunFacts, "failure"> &
    ClaimFacts &
    SubmittedFacts &
    AttestedFacts &
    EndedFacts
>;

type Taken = ShardFacts & TakenFacts;
type Accepted = Taken & AcceptedFacts;
type Running = Accepted & RunningFacts;
/** The data of a shard that ran: the kind in `TakenFacts` and the one in the ran facts agree. */
export type RanData = Running & RanFacts;
type Submitted = RanData & SubmittedFacts;
/** A claimed shard (§20.10) is attested with no submission: `submittedBlock` only on the on-chain path. */
type Attested = RanData & Partial<SubmittedFacts> & AttestedFacts;

/** The journal's data of a shard in each state: the facts that state guarantees, and any others known. */
export interface ShardDataByState {
  accepting: Taken;
  accepted: Accepted;
  running: Running;
  ran: RanData;
  submitting: RanData;
  /** Claimed at the oracles (§20.10): the run's facts and when the claim began. */
  claiming: RanData;
  submitted: Submitted;
  proving: Submitted;
  attested: Attested;
  settling: Attested;
  /** A shard may end from any state: only what it gathered before, and why it ended. */
  settled: ShardFacts;
  failed: ShardFacts;
  /** Settled on a DeveloperFault verdict (§18.2): paid for the units used, collateral back. */
  developerFault: ShardFacts;
  expired: ShardFacts;
  abandoned: ShardFacts;
}

/** The facts a step adds (merged into what the journal holds): only known facts, with their types. */
export type ShardDataPatch = ShardFacts;

/**
 * The data of a shard that has results to serve (a `ran` state or later, or `failed` after it ran),
 * or undefined when it has none: the root and its kind's facts are all there.
 */
export function ranData(data: ShardFacts): RanData | undefined {
  if (typeof data.root !== "string" || typeof data.units !== "bigint") return undefined;
  if (data.kind === "matmul-int8") {
    return typeof data.rowStart === "number" && typeof data.rowEnd === "number" ? (data as RanData) : undefined;
  }
  if (data.kind === "container" || data.kind === "llm-inference") {
    return Array.isArray(data.itemHashList) ? (data as RanData) : undefined;
  }
  return undefined;
}

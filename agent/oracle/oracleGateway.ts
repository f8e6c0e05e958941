import type { Address, Hex } from "viem";
import type { SignerSignature } from "../../sdk/eip712/sortSignatures";
import type { ShardAttestation } from "../../sdk/eip712/types";
import type {
  ExecutionReceiptJson,
  FailedRunJson,
  ProofKind,
  RevealedLlmItemJson,
  SampledItemJson,
} from "../../sdk/oracleApi/types";
import type { RevealedRowJson } from "../../sdk/pow/revealedRowWire";

/** A shard's proof as the agent hands it to the committee (one round trip, PROTOCOL §14.6). */
export interface ShardProof {
  jobId: bigint;
  shard: number;
  operator: Address;
  root: Hex;
  units: bigint;
  /** The public beacon the sample was drawn from (the oracle derives it again). */
  beacon: Hex;
  kind: ProofKind;
  /** matmul-int8: the sampled rows with their proofs, local indices, in the order drawn. */
  rows?: RevealedRowJson[];
  /**
   * container, sampled mode: the sampled items (local indices) with their leaf proofs, in the order
   * drawn; llm-inference: the same, each with its `output.json` (PROTOCOL §19.5).
   */
  items?: SampledItemJson[] | RevealedLlmItemJson[];
  /** container: the execution receipt (receipt mode; also sent in sampled mode). */
  receipt?: ExecutionReceiptJson;
  /** container: the run failed on an item (PROTOCOL §18.2); the root is `failedRunRoot(failure)`, no items. */
  failure?: FailedRunJson;
}

/** A quorum: one attestation every signer signed identically, and their signatures. */
export interface ShardQuorum {
  attestation: ShardAttestation;
  signatures: SignerSignature[];
}

/**
 * How the agent reaches the oracle committee. The production implementation wraps the oracle's
 * typed client (sdk/oracleApi); unit tests pass a double. Calls are idempotent: a proof re-sent after
 * a restart gets the same attestation back (the oracle never signs two verdicts for one shard).
 */
export interface OracleGateway {
  /** Sends the proof to the oracles and resolves with at least `threshold` signatures over one attestation. */
  attestShard(proof: ShardProof): Promise<ShardQuorum>;
}

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
  /**
   * A proof of a claimed shard (PROTOCOL §20.10), still Open on-chain: its sample is drawn from the
   * beacon of the oracle it goes to (`claimBeacon`), and it carries no receipt and no failure.
   */
  claim?: boolean;
}

/** What the agent claims at each oracle (PROTOCOL §20.10, `POST /v1/claims`). */
export interface ShardClaim {
  jobId: bigint;
  shard: number;
  operator: Address;
  root: Hex;
  units: bigint;
  kind: ProofKind;
}

/** One oracle's answer to a claim: its nonce and the beacon the proof to it is drawn from. */
export interface ClaimTicket {
  nonce: Hex;
  beacon: Hex;
}

/**
 * How a claim ended at the committee: a quorum of identical Valid attestations, or a refusal that
 * leaves no quorum possible (the on-chain path is then taken, PROTOCOL §20.10).
 */
export type ClaimOutcome = { quorum: ShardQuorum } | { refused: string; answers: string[] };

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
  /**
   * Claims an assigned, still Open shard at every oracle (PROTOCOL §20.10) and proves it to each with
   * the proof `prove` builds from that oracle's beacon. Resolves with a quorum of identical Valid
   * attestations, or `refused` when the oracles' refusals (404, 422) leave no quorum possible; throws
   * when no quorum came yet but one still may (asked again on a later pass: the oracle answers the
   * same claim with the same nonce). Absent: this gateway does not claim (on-chain path only).
   */
  claimShard?(claim: ShardClaim, prove: (ticket: ClaimTicket) => Promise<ShardProof>): Promise<ClaimOutcome>;
}

import { getAddress, type Address, type Hex } from "viem";
import { Verdict, type CapacityAttestation, type ShardAttestation, type ShardVerdict } from "../eip712/types";
import { RigelError } from "../errors/RigelError";
import type { RevealedRowJson } from "../pow/revealedRowWire";

/**
 * The JSON wire shapes of the oracle's HTTP API (docs/PROTOCOL.md, "Oracle HTTP API"). Bigints travel
 * as decimal strings, addresses and hashes as 0x-hex. Every `parse…` function takes untrusted JSON
 * and returns a checked value or throws {@link OracleApiFieldError} naming the first bad field.
 */

/** A request or response field that is missing or malformed. HTTP 400 when a server raises it. */
export class OracleApiFieldError extends RigelError {
  override readonly name = "OracleApiFieldError";
  readonly status = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("ORACLE_BAD_FIELD", `${field}: ${message}`, { details: { field } });
  }
}

/** Decimal string of an unsigned integer (bigint on the wire). */
export type DecimalString = string;

/** Proof kinds: which verifier a proof is for. */
export const PROOF_KINDS = ["matmul-int8", "container", "llm-inference"] as const;
/** How a failed container run ended (sdk/executor's statuses other than "succeeded"). */
export const FAILED_RUN_STATUSES = ["failed", "oomKilled", "timedOut"] as const;
export type FailedRunStatus = (typeof FAILED_RUN_STATUSES)[number];
export type ProofKind = (typeof PROOF_KINDS)[number];

/** One re-runnable item of a container shard in `sampled` mode, with its leaf proof. */
export interface SampledItemJson {
  /** The item's index inside the shard (the leaf index of the shard's outputs tree). */
  index: number;
  /** `itemHash_i` (PROTOCOL §12.4). */
  outputHash: Hex;
  /** OpenZeppelin StandardMerkleTree proof of the leaf `[index, outputHash]`. */
  proof: Hex[];
}

/**
 * One sampled item of an llm-inference shard in `activations` mode (PROTOCOL §19.4): the leaf and its
 * proof as for containers, and the item's `output.json` bytes (base64), which hash to `outputHash`
 * through the one-file manifest of §12.4.
 */
export interface RevealedLlmItemJson extends SampledItemJson {
  /** base64 of the item's `output.json`, at most {@link MAX_LLM_OUTPUT_BYTES} bytes once decoded. */
  output: string;
}

/** The largest `output.json` an activations proof may reveal per item, in bytes (decoded). */
export const MAX_LLM_OUTPUT_BYTES = 512 * 1024;

/** The operator's execution receipt of a container shard (receipt mode; optional otherwise). */
export interface ExecutionReceiptJson {
  /** The image digest actually run (`sha256:` + 64 hex). */
  imageDigest: string;
  exitCode: number;
  /** Unix seconds. */
  startedAt: number;
  finishedAt: number;
  /** GPU utilisation samples, 0..100, at most 4096. */
  gpuSamples: number[];
  /** The outputs root: must equal the submitted result root. */
  outputsRoot: Hex;
}

/** `POST /v1/proofs` body (signed by the shard's operator, PROTOCOL §4.2). */
export interface ProofRequest {
  jobId: DecimalString;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  /** The units the operator submitted on-chain. */
  units: DecimalString;
  kind: ProofKind;
  /** matmul-int8: the sampled rows with LOCAL indices (PROTOCOL §3.13), in the order drawn. */
  rows?: RevealedRowJson[];
  /**
   * container, sampled mode: the sampled items, in the order drawn. llm-inference (activations
   * mode): the same, each with its `output` ({@link RevealedLlmItemJson}).
   */
  items?: SampledItemJson[] | RevealedLlmItemJson[];
  /** container, receipt mode. */
  receipt?: ExecutionReceiptJson;
  /**
   * container: the shard's run failed on an item (the developer's code, PROTOCOL §18.2); the
   * submitted root is `failedRunRoot(failure)` (sdk/failedRun). No `items` with it.
   */
  failure?: FailedRunJson;
  /**
   * True: a proof of a claimed shard (PROTOCOL §20.10), Open on-chain; its sample is drawn from this
   * oracle's claim beacon, not from the submission block.
   */
  claim?: boolean;
}

/**
 * `POST /v1/claims` body (signed by the shard's assigned operator, PROTOCOL §20.10): the result of
 * an assigned, still Open shard, claimed off-chain before it is proved to this oracle.
 */
export interface ClaimRequest {
  jobId: DecimalString;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  /** The units the operator would have submitted on-chain. */
  units: DecimalString;
  kind: ProofKind;
}

/** `POST /v1/claims` answered 200: this oracle's nonce and the beacon the proof to it is drawn from. */
export interface ClaimResponse {
  status: "claimed";
  /** 32 random bytes drawn by this oracle on the shard's first claim. */
  nonce: Hex;
  /** `shardBeacon` with `nonce` in place of the block hash (sdk/pow/beacon `claimBeacon`). */
  beacon: Hex;
  /** The job's deadline: the attestation's expiry if the claim is found Valid (unix seconds). */
  expiry: DecimalString;
}

/** A container run that failed (PROTOCOL §18.2): the item, how it ended, its exit code. */
export interface FailedRunJson {
  /** LOCAL item index within the shard's item range; null for a single-run job. */
  item: number | null;
  status: FailedRunStatus;
  /** The container's exit code (0 for a timeout or an OOM kill that reported none). */
  exitCode: number;
}

/** A ShardAttestation on the wire. */
export interface ShardAttestationJson {
  market: Address;
  jobId: DecimalString;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  /** `Verdict.Valid` (1), `Verdict.Invalid` (2) or `Verdict.DeveloperFault` (3). */
  verdict: Verdict;
  units: DecimalString;
  expiry: DecimalString;
}

/** A ShardVerdict (one leaf of a verdict batch, PROTOCOL §20.6) on the wire. */
export interface ShardVerdictJson {
  jobId: DecimalString;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  /** `Verdict.Valid` (1), `Verdict.Invalid` (2) or `Verdict.DeveloperFault` (3). */
  verdict: Verdict;
  units: DecimalString;
}

/** A shard named in an answer: `{ jobId, shard }`. */
export interface ShardRefJson {
  jobId: DecimalString;
  shard: number;
}

/**
 * `POST /v1/verdict-batches` body (*peer*-signed, PROTOCOL §13, §20.6): co-sign the `VerdictBatch`
 * over these leaves, in this order, with this expiry.
 */
export interface VerdictBatchRequest {
  market: Address;
  expiry: DecimalString;
  verdicts: ShardVerdictJson[];
}

/** `POST /v1/verdict-batches` answered 200: the peer's signature over the batch and the root it computed. */
export interface VerdictBatchSignature {
  signer: Address;
  signature: Hex;
  root: Hex;
}

/** Most leaves one verdict batch request may carry. */
export const MAX_BATCH_VERDICTS = 1024;

/** A CapacityAttestation on the wire. */
export interface CapacityAttestationJson {
  operator: Address;
  challengeId: Hex;
  opsPerSec: DecimalString;
  vramMiB: number;
  gpuModel: Hex;
  validUntil: DecimalString;
}

/** One oracle's signed shard verdict: `POST /v1/proofs` (status "signed") and `GET /v1/attestations/…`. */
export interface SignedShardAttestation {
  status: "signed";
  attestation: ShardAttestationJson;
  signer: Address;
  signature: Hex;
  /** True when the oracle recomputed the work; false in receipt mode (attested, not verified). */
  verified: boolean;
  /** Why: "verified", "receipt-consistent", or the fault that made it Invalid. */
  reason: string;
}

/** `POST /v1/proofs` answered 202: the oracle has not yet seen the submission on-chain; retry. */
export interface PendingProof {
  status: "pending";
  reason: string;
}

export type ProofResponse = SignedShardAttestation | PendingProof;

/** `POST /v1/capacity/challenges` body (operator-signed): what the operator claims. */
export interface ChallengeRequest {
  operator: Address;
  /** Claimed throughput (int8 multiply-adds ×2 per second, decimal). Sizes the challenge. */
  claimedOpsPerSec: DecimalString;
  vramMiB: number;
  /** bytes32 GPU model name (e.g. viem `stringToHex("RTX 4090", { size: 32 })`). */
  gpuModel: Hex;
}

/** A capacity challenge as issued (the nonce itself stays secret until the root arrives). */
export interface CapacityChallengeJson {
  challengeId: Hex;
  operator: Address;
  /** The oracle that issued it and measures the time (the round's coordinator). */
  coordinator: Address;
  /** The round it belongs to (decimal); requested challenges form a round of their own. */
  round: DecimalString;
  seed: Hex;
  m: number;
  n: number;
  k: number;
  /** Sample size of the reveal. */
  s: number;
  /** Unix ms at issue and the last moment for the root. */
  issuedAtMs: number;
  deadlineMs: number;
  nonceCommitment: Hex;
  vramMiB: number;
  gpuModel: Hex;
  /** "issued" → "committed" (root in, nonce out) → "attested" | "failed". */
  state: "issued" | "committed" | "attested" | "failed";
}

/** `GET /v1/capacity/challenges?operator=0x…`. */
export interface ChallengeListResponse {
  challenges: CapacityChallengeJson[];
}

/** `POST /v1/capacity/challenges/:id/root` body (operator-signed). */
export interface CommitRootRequest {
  root: Hex;
}

/** The nonce, once the root is in: from the commit call and `GET /v1/capacity/challenges/:id/nonce`. */
export interface NonceResponse {
  challengeId: Hex;
  root: Hex;
  nonce: Hex;
  /** Unix ms at which the coordinator received the root (the end of the timed interval). */
  rootAtMs: number;
}

/** `POST /v1/capacity/challenges/:id/reveal` body (operator-signed): the sampled rows of C. */
export interface RevealRequest {
  rows: RevealedRowJson[];
}

/** The capacity attestation with every committee signature the coordinator gathered. */
export interface SignedCapacityAttestation {
  status: "signed";
  attestation: CapacityAttestationJson;
  signatures: { signer: Address; signature: Hex }[];
}

/** `GET /healthz`. */
export interface HealthResponse {
  ok: boolean;
  signer?: Address;
  chainId?: number;
  lastBlock?: DecimalString | null;
  [key: string]: unknown;
}

/** Every error response: `{ error: { code, message, details } }`. */
export interface ErrorResponse {
  error: { code: string; message: string; details: Record<string, unknown> };
}

// ---- field parsers ----------------------------------------------------------------------------

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new OracleApiFieldError(field, "must be an object");
  return value as Record<string, unknown>;
}

function hex32(value: unknown, field: string): Hex {
  if (typeof value !== "string" || !HEX32.test(value))
    throw new OracleApiFieldError(field, "must be 32 bytes of 0x-hex");
  return value.toLowerCase() as Hex;
}

function address(value: unknown, field: string): Address {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value))
    throw new OracleApiFieldError(field, "must be a 20-byte 0x-hex address");
  return getAddress(value);
}

function decimal(value: unknown, field: string, max: bigint = (1n << 256n) - 1n): DecimalString {
  if (typeof value !== "string" || !DECIMAL.test(value) || BigInt(value) > max)
    throw new OracleApiFieldError(field, `must be a decimal string of an integer in [0, ${max}]`);
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    throw new OracleApiFieldError(field, `must be an integer in [${min}, ${max}]`);
  return value;
}

function list<T>(value: unknown, field: string, max: number, item: (v: unknown, f: string) => T): T[] {
  if (!Array.isArray(value)) throw new OracleApiFieldError(field, "must be an array");
  if (value.length > max) throw new OracleApiFieldError(field, `must have at most ${max} entries`);
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

function onlyKeys(obj: Record<string, unknown>, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(obj))
    if (!keys.includes(key)) throw new OracleApiFieldError(field ? `${field}.${key}` : key, "is not a known field");
}

/** Most revealed rows or items a proof may carry (the sample size is at most this). */
export const MAX_SAMPLE = 256;
/** Most Merkle proof nodes per row or item (trees of up to 2^64 leaves). */
const MAX_PROOF_NODES = 64;

function proofNodes(value: unknown, field: string): Hex[] {
  return list(value, field, MAX_PROOF_NODES, hex32);
}

function revealedRowJson(value: unknown, field: string): RevealedRowJson {
  const obj = asObject(value, field);
  onlyKeys(obj, field, ["index", "row", "proof"]);
  const index = integer(obj.index, `${field}.index`, 0, 2 ** 32);
  if (typeof obj.row !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(obj.row))
    throw new OracleApiFieldError(`${field}.row`, "must be base64");
  return { index, row: obj.row, proof: proofNodes(obj.proof, `${field}.proof`) };
}

function sampledItemJson(value: unknown, field: string): SampledItemJson {
  const obj = asObject(value, field);
  onlyKeys(obj, field, ["index", "outputHash", "proof"]);
  return {
    index: integer(obj.index, `${field}.index`, 0, 1_000_000),
    outputHash: hex32(obj.outputHash, `${field}.outputHash`),
    proof: proofNodes(obj.proof, `${field}.proof`),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function revealedLlmItemJson(value: unknown, field: string): RevealedLlmItemJson {
  const obj = asObject(value, field);
  onlyKeys(obj, field, ["index", "outputHash", "proof", "output"]);
  const { output, ...leaf } = obj;
  const item = sampledItemJson(leaf, field);
  if (typeof output !== "string" || !BASE64.test(output))
    throw new OracleApiFieldError(`${field}.output`, "must be base64 (padded)");
  if ((output.length / 4) * 3 - (output.match(/=*$/)?.[0].length ?? 0) > MAX_LLM_OUTPUT_BYTES)
    throw new OracleApiFieldError(`${field}.output`, `must decode to at most ${MAX_LLM_OUTPUT_BYTES} bytes`);
  return { ...item, output };
}

function receiptJson(value: unknown, field: string): ExecutionReceiptJson {
  const obj = asObject(value, field);
  onlyKeys(obj, field, ["imageDigest", "exitCode", "startedAt", "finishedAt", "gpuSamples", "outputsRoot"]);
  if (typeof obj.imageDigest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(obj.imageDigest))
    throw new OracleApiFieldError(`${field}.imageDigest`, "must be sha256:<64 hex>");
  return {
    imageDigest: obj.imageDigest,
    exitCode: integer(obj.exitCode, `${field}.exitCode`, -(2 ** 31), 2 ** 31 - 1),
    startedAt: integer(obj.startedAt, `${field}.startedAt`, 0, 2 ** 40),
    finishedAt: integer(obj.finishedAt, `${field}.finishedAt`, 0, 2 ** 40),
    gpuSamples: list(obj.gpuSamples, `${field}.gpuSamples`, 4096, (v, f) => integer(v, f, 0, 100)),
    outputsRoot: hex32(obj.outputsRoot, `${field}.outputsRoot`),
  };
}

/** Parses a `POST /v1/proofs` body. */
export function parseProofRequest(json: unknown): ProofRequest {
  const obj = asObject(json, "body");
  onlyKeys(obj, "", [
    "jobId",
    "shard",
    "operator",
    "resultRoot",
    "units",
    "kind",
    "rows",
    "items",
    "receipt",
    "failure",
    "claim",
  ]);
  if (typeof obj.kind !== "string" || !(PROOF_KINDS as readonly string[]).includes(obj.kind))
    throw new OracleApiFieldError("kind", `must be one of ${PROOF_KINDS.join(", ")}`);
  const request: ProofRequest = {
    jobId: decimal(obj.jobId, "jobId"),
    shard: integer(obj.shard, "shard", 0, 2 ** 32 - 1),
    operator: address(obj.operator, "operator"),
    resultRoot: hex32(obj.resultRoot, "resultRoot"),
    units: decimal(obj.units, "units", (1n << 64n) - 1n),
    kind: obj.kind as ProofKind,
  };
  if (obj.rows !== undefined) request.rows = list(obj.rows, "rows", MAX_SAMPLE, revealedRowJson);
  if (obj.items !== undefined)
    request.items =
      request.kind === "llm-inference"
        ? list(obj.items, "items", MAX_SAMPLE, revealedLlmItemJson)
        : list(obj.items, "items", MAX_SAMPLE, sampledItemJson);
  if (obj.receipt !== undefined) request.receipt = receiptJson(obj.receipt, "receipt");
  if (obj.failure !== undefined) {
    if (request.kind !== "container")
      throw new OracleApiFieldError("failure", "only container proofs report a failed run");
    if (request.items !== undefined) throw new OracleApiFieldError("failure", "a failed run has no sampled items");
    request.failure = failedRunJson(obj.failure, "failure");
  }
  if (obj.claim !== undefined) {
    if (typeof obj.claim !== "boolean") throw new OracleApiFieldError("claim", "must be a boolean");
    if (obj.claim) {
      if (request.failure !== undefined || request.receipt !== undefined)
        throw new OracleApiFieldError("claim", "a claim proves a sample: no failure and no receipt");
      request.claim = true;
    }
  }
  if (request.kind === "matmul-int8" && request.rows === undefined)
    throw new OracleApiFieldError("rows", "is required for matmul-int8 proofs");
  if (request.kind === "llm-inference") {
    if (request.items === undefined) throw new OracleApiFieldError("items", "is required for llm-inference proofs");
    if (request.rows !== undefined || request.receipt !== undefined)
      throw new OracleApiFieldError(request.rows ? "rows" : "receipt", "is not part of an llm-inference proof");
  }
  return request;
}

function failedRunJson(value: unknown, field: string): FailedRunJson {
  const obj = asObject(value, field);
  onlyKeys(obj, field, ["item", "status", "exitCode"]);
  if (typeof obj.status !== "string" || !(FAILED_RUN_STATUSES as readonly string[]).includes(obj.status))
    throw new OracleApiFieldError(`${field}.status`, `must be one of ${FAILED_RUN_STATUSES.join(", ")}`);
  return {
    item: obj.item === null ? null : integer(obj.item, `${field}.item`, 0, 2 ** 32 - 1),
    status: obj.status as FailedRunStatus,
    exitCode: integer(obj.exitCode, `${field}.exitCode`, -(2 ** 31), 2 ** 31 - 1),
  };
}

/** Parses a `POST /v1/claims` body. */
export function parseClaimRequest(json: unknown): ClaimRequest {
  const obj = asObject(json, "body");
  onlyKeys(obj, "", ["jobId", "shard", "operator", "resultRoot", "units", "kind"]);
  if (typeof obj.kind !== "string" || !(PROOF_KINDS as readonly string[]).includes(obj.kind))
    throw new OracleApiFieldError("kind", `must be one of ${PROOF_KINDS.join(", ")}`);
  const units = decimal(obj.units, "units", (1n << 64n) - 1n);
  if (BigInt(units) === 0n) throw new OracleApiFieldError("units", "must be at least 1");
  const resultRoot = hex32(obj.resultRoot, "resultRoot");
  if (BigInt(resultRoot) === 0n) throw new OracleApiFieldError("resultRoot", "must not be zero");
  return {
    jobId: decimal(obj.jobId, "jobId"),
    shard: integer(obj.shard, "shard", 0, 2 ** 32 - 1),
    operator: address(obj.operator, "operator"),
    resultRoot,
    units,
    kind: obj.kind as ProofKind,
  };
}

/** Parses a `POST /v1/claims` answer. */
export function parseClaimResponse(json: unknown): ClaimResponse {
  const obj = asObject(json, "body");
  if (obj.status !== "claimed") throw new OracleApiFieldError("status", 'must be "claimed"');
  return {
    status: "claimed",
    nonce: hex32(obj.nonce, "nonce"),
    beacon: hex32(obj.beacon, "beacon"),
    expiry: decimal(obj.expiry, "expiry"),
  };
}

/** Parses a ShardAttestation in JSON. */
export function parseShardAttestationJson(json: unknown, field = "attestation"): ShardAttestationJson {
  const obj = asObject(json, field);
  const verdict = integer(obj.verdict, `${field}.verdict`, Verdict.Valid, Verdict.DeveloperFault) as Verdict;
  return {
    market: address(obj.market, `${field}.market`),
    jobId: decimal(obj.jobId, `${field}.jobId`),
    shard: integer(obj.shard, `${field}.shard`, 0, 2 ** 32 - 1),
    operator: address(obj.operator, `${field}.operator`),
    resultRoot: hex32(obj.resultRoot, `${field}.resultRoot`),
    verdict,
    units: decimal(obj.units, `${field}.units`, (1n << 64n) - 1n),
    expiry: decimal(obj.expiry, `${field}.expiry`, (1n << 64n) - 1n),
  };
}

function signatureHex(value: unknown, field: string): Hex {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(value))
    throw new OracleApiFieldError(field, "must be a 65-byte 0x-hex signature");
  return value as Hex;
}

/** Parses a signed shard attestation (the body of `GET /v1/attestations/…` or a signed proof answer). */
export function parseSignedShardAttestation(json: unknown): SignedShardAttestation {
  const obj = asObject(json, "body");
  if (obj.status !== "signed") throw new OracleApiFieldError("status", 'must be "signed"');
  if (typeof obj.verified !== "boolean") throw new OracleApiFieldError("verified", "must be a boolean");
  if (typeof obj.reason !== "string") throw new OracleApiFieldError("reason", "must be a string");
  return {
    status: "signed",
    attestation: parseShardAttestationJson(obj.attestation),
    signer: address(obj.signer, "signer"),
    signature: signatureHex(obj.signature, "signature"),
    verified: obj.verified,
    reason: obj.reason,
  };
}

/** Parses a ShardVerdict in JSON (only its six fields). */
export function parseShardVerdictJson(json: unknown, field = "verdict"): ShardVerdictJson {
  const obj = asObject(json, field);
  onlyKeys(obj, field, ["jobId", "shard", "operator", "resultRoot", "verdict", "units"]);
  return {
    jobId: decimal(obj.jobId, `${field}.jobId`),
    shard: integer(obj.shard, `${field}.shard`, 0, 2 ** 32 - 1),
    operator: address(obj.operator, `${field}.operator`),
    resultRoot: hex32(obj.resultRoot, `${field}.resultRoot`),
    verdict: integer(obj.verdict, `${field}.verdict`, Verdict.Valid, Verdict.DeveloperFault) as Verdict,
    units: decimal(obj.units, `${field}.units`, (1n << 64n) - 1n),
  };
}

/**
 * Parses a `POST /v1/verdict-batches` body: 1 to {@link MAX_BATCH_VERDICTS} leaves, no shard twice
 * (a batch settles a shard once; the contract would skip the second).
 */
export function parseVerdictBatchRequest(json: unknown): VerdictBatchRequest {
  const obj = asObject(json, "body");
  onlyKeys(obj, "", ["market", "expiry", "verdicts"]);
  const verdicts = list(obj.verdicts, "verdicts", MAX_BATCH_VERDICTS, parseShardVerdictJson);
  if (verdicts.length === 0) throw new OracleApiFieldError("verdicts", "must hold at least one verdict");
  const seen = new Set<string>();
  verdicts.forEach((v, i) => {
    const key = `${v.jobId}:${v.shard}`;
    if (seen.has(key)) throw new OracleApiFieldError(`verdicts[${i}]`, "names a shard already in the batch");
    seen.add(key);
  });
  return {
    market: address(obj.market, "market"),
    expiry: decimal(obj.expiry, "expiry", (1n << 64n) - 1n),
    verdicts,
  };
}

/** Parses a `POST /v1/verdict-batches` 200 answer. */
export function parseVerdictBatchSignature(json: unknown): VerdictBatchSignature {
  const obj = asObject(json, "body");
  return {
    signer: address(obj.signer, "signer"),
    signature: signatureHex(obj.signature, "signature"),
    root: hex32(obj.root, "root"),
  };
}

/** The `details.missing` list of a 409 `ORACLE_BATCH_UNKNOWN_VERDICTS` (empty when absent or malformed). */
export function parseMissingVerdicts(details: Record<string, unknown>): ShardRefJson[] {
  try {
    return list(details.missing, "missing", MAX_BATCH_VERDICTS, (v, f) => {
      const o = asObject(v, f);
      return { jobId: decimal(o.jobId, `${f}.jobId`), shard: integer(o.shard, `${f}.shard`, 0, 2 ** 32 - 1) };
    });
  } catch {
    return [];
  }
}

/** Parses a `POST /v1/proofs` answer: signed, or pending. */
export function parseProofResponse(json: unknown): ProofResponse {
  const obj = asObject(json, "body");
  if (obj.status === "pending") {
    if (typeof obj.reason !== "string") throw new OracleApiFieldError("reason", "must be a string");
    return { status: "pending", reason: obj.reason };
  }
  return parseSignedShardAttestation(obj);
}

/** Parses a `POST /v1/capacity/challenges` body. */
export function parseChallengeRequest(json: unknown): ChallengeRequest {
  const obj = asObject(json, "body");
  onlyKeys(obj, "", ["operator", "claimedOpsPerSec", "vramMiB", "gpuModel"]);
  return {
    operator: address(obj.operator, "operator"),
    claimedOpsPerSec: decimal(obj.claimedOpsPerSec, "claimedOpsPerSec", (1n << 64n) - 1n),
    vramMiB: integer(obj.vramMiB, "vramMiB", 0, 2 ** 32 - 1),
    gpuModel: hex32(obj.gpuModel, "gpuModel"),
  };
}

const CHALLENGE_STATES = ["issued", "committed", "attested", "failed"] as const;

/** Parses a capacity challenge in JSON. */
export function parseCapacityChallengeJson(json: unknown, field = "challenge"): CapacityChallengeJson {
  const obj = asObject(json, field);
  if (typeof obj.state !== "string" || !(CHALLENGE_STATES as readonly string[]).includes(obj.state))
    throw new OracleApiFieldError(`${field}.state`, `must be one of ${CHALLENGE_STATES.join(", ")}`);
  return {
    challengeId: hex32(obj.challengeId, `${field}.challengeId`),
    operator: address(obj.operator, `${field}.operator`),
    coordinator: address(obj.coordinator, `${field}.coordinator`),
    round: decimal(obj.round, `${field}.round`),
    seed: hex32(obj.seed, `${field}.seed`),
    m: integer(obj.m, `${field}.m`, 1, 2 ** 31),
    n: integer(obj.n, `${field}.n`, 1, 2 ** 31),
    k: integer(obj.k, `${field}.k`, 1, 131072),
    s: integer(obj.s, `${field}.s`, 1, MAX_SAMPLE),
    issuedAtMs: integer(obj.issuedAtMs, `${field}.issuedAtMs`, 0, Number.MAX_SAFE_INTEGER),
    deadlineMs: integer(obj.deadlineMs, `${field}.deadlineMs`, 0, Number.MAX_SAFE_INTEGER),
    nonceCommitment: hex32(obj.nonceCommitment, `${field}.nonceCommitment`),
    vramMiB: integer(obj.vramMiB, `${field}.vramMiB`, 0, 2 ** 32 - 1),
    gpuModel: hex32(obj.gpuModel, `${field}.gpuModel`),
    state: obj.state as CapacityChallengeJson["state"],
  };
}

/** Parses `GET /v1/capacity/challenges?operator=…`. */
export function parseChallengeListResponse(json: unknown): ChallengeListResponse {
  const obj = asObject(json, "body");
  return { challenges: list(obj.challenges, "challenges", 10_000, parseCapacityChallengeJson) };
}

/** Parses a `POST /v1/capacity/challenges/:id/root` body. */
export function parseCommitRootRequest(json: unknown): CommitRootRequest {
  const obj = asObject(json, "body");
  onlyKeys(obj, "", ["root"]);
  return { root: hex32(obj.root, "root") };
}

/** Parses the nonce answer. */
export function parseNonceResponse(json: unknown): NonceResponse {
  const obj = asObject(json, "body");
  return {
    challengeId: hex32(obj.challengeId, "challengeId"),
    root: hex32(obj.root, "root"),
    nonce: hex32(obj.nonce, "nonce"),
    rootAtMs: integer(obj.rootAtMs, "rootAtMs", 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Parses a `POST /v1/capacity/challenges/:id/reveal` body. */
export function parseRevealRequest(json: unknown): RevealRequest {
  const obj = asObject(json, "body");
  onlyKeys(obj, "", ["rows"]);
  return { rows: list(obj.rows, "rows", MAX_SAMPLE, revealedRowJson) };
}

/** Parses a CapacityAttestation in JSON. */
export function parseCapacityAttestationJson(json: unknown, field = "attestation"): CapacityAttestationJson {
  const obj = asObject(json, field);
  return {
    operator: address(obj.operator, `${field}.operator`),
    challengeId: hex32(obj.challengeId, `${field}.challengeId`),
    opsPerSec: decimal(obj.opsPerSec, `${field}.opsPerSec`, (1n << 64n) - 1n),
    vramMiB: integer(obj.vramMiB, `${field}.vramMiB`, 0, 2 ** 32 - 1),
    gpuModel: hex32(obj.gpuModel, `${field}.gpuModel`),
    validUntil: decimal(obj.validUntil, `${field}.validUntil`, (1n << 64n) - 1n),
  };
}

/** Parses the reveal answer: the attestation and the quorum of signatures gathered. */
export function parseSignedCapacityAttestation(json: unknown): SignedCapacityAttestation {
  const obj = asObject(json, "body");
  if (obj.status !== "signed") throw new OracleApiFieldError("status", 'must be "signed"');
  return {
    status: "signed",
    attestation: parseCapacityAttestationJson(obj.attestation),
    signatures: list(obj.signatures, "signatures", 32, (v, f) => {
      const s = asObject(v, f);
      return { signer: address(s.signer, `${f}.signer`), signature: signatureHex(s.signature, `${f}.signature`) };
    }),
  };
}

/** Parses `GET /healthz`. */
export function parseHealthResponse(json: unknown): HealthResponse {
  const obj = asObject(json, "body");
  if (typeof obj.ok !== "boolean") throw new OracleApiFieldError("ok", "must be a boolean");
  return obj as HealthResponse;
}

/** Parses an error body; anything else becomes a generic error shape. */
export function parseErrorResponse(json: unknown): ErrorResponse["error"] | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const error = (json as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== "string" || typeof e.message !== "string") return undefined;
  const details = typeof e.details === "object" && e.details !== null ? (e.details as Record<string, unknown>) : {};
  return { code: e.code, message: e.message, details };
}

// ---- conversions between wire and sdk/eip712 values --------------------------------------------

/** The wire form of a ShardAttestation. */
export function shardAttestationToJson(a: ShardAttestation): ShardAttestationJson {
  return {
    market: a.market,
    jobId: a.jobId.toString(),
    shard: a.shard,
    operator: a.operator,
    resultRoot: a.resultRoot,
    verdict: a.verdict,
    units: a.units.toString(),
    expiry: a.expiry.toString(),
  };
}

/** The sdk/eip712 form of a wire ShardAttestation (for signing, verifying or `settle`). */
export function shardAttestationFromJson(a: ShardAttestationJson): ShardAttestation {
  return {
    market: a.market,
    jobId: BigInt(a.jobId),
    shard: a.shard,
    operator: a.operator,
    resultRoot: a.resultRoot,
    verdict: a.verdict,
    units: BigInt(a.units),
    expiry: BigInt(a.expiry),
  };
}

/** The wire form of a ShardVerdict. */
export function shardVerdictToJson(v: ShardVerdict): ShardVerdictJson {
  return {
    jobId: v.jobId.toString(),
    shard: v.shard,
    operator: v.operator,
    resultRoot: v.resultRoot,
    verdict: v.verdict,
    units: v.units.toString(),
  };
}

/** The sdk/eip712 form of a wire ShardVerdict (for the tree and `settleVerdicts`). */
export function shardVerdictFromJson(v: ShardVerdictJson): ShardVerdict {
  return {
    jobId: BigInt(v.jobId),
    shard: v.shard,
    operator: v.operator,
    resultRoot: v.resultRoot,
    verdict: v.verdict,
    units: BigInt(v.units),
  };
}

/** The leaf of a shard attestation: its fields without the market and the expiry. */
export function shardVerdictOfAttestation(a: ShardAttestation): ShardVerdict {
  return {
    jobId: a.jobId,
    shard: a.shard,
    operator: a.operator,
    resultRoot: a.resultRoot,
    verdict: a.verdict,
    units: a.units,
  };
}

/** The wire form of a CapacityAttestation. */
export function capacityAttestationToJson(a: CapacityAttestation): CapacityAttestationJson {
  return {
    operator: a.operator,
    challengeId: a.challengeId,
    opsPerSec: a.opsPerSec.toString(),
    vramMiB: a.vramMiB,
    gpuModel: a.gpuModel,
    validUntil: a.validUntil.toString(),
  };
}

/** The sdk/eip712 form of a wire CapacityAttestation. */
export function capacityAttestationFromJson(a: CapacityAttestationJson): CapacityAttestation {
  return {
    operator: a.operator,
    challengeId: a.challengeId,
    opsPerSec: BigInt(a.opsPerSec),
    vramMiB: a.vramMiB,
    gpuModel: a.gpuModel,
    validUntil: BigInt(a.validUntil),
  };
}

import { getAddress, type Address, type Hex } from "viem";
import { Verdict, type ShardAttestation } from "../sdk/eip712/types";
import { HttpError } from "../sdk/errors/HttpError";
import type { Logger } from "../sdk/log/createLogger";
import type { ProofRequest, ProofResponse, SignedShardAttestation } from "../sdk/oracleApi/types";
import { failedRunRoot } from "../sdk/failedRun/failedRunRoot";
import { claimBeacon, shardBeacon } from "../sdk/pow/beacon";
import { decodeRevealedRow } from "../sdk/pow/revealedRowWire";
import { fetchJobSpec, type FetchJobSpecOptions } from "../sdk/spec/fetchJobSpec";
import type { JobSpec } from "../sdk/spec/jobSpecTypes";
import { jobKindName, ShardState, VerificationMode } from "../sdk/market/enums";
import type { ChainJob, ChainShard, MarketReader } from "./chain/marketReader";
import type { ClaimRecord, ClaimStore } from "./store/claimStore";
import type { OracleMetrics } from "./metrics";
import type { ShardSigner } from "./attest/shardSigner";
import { EquivocationRefusedError } from "./store/decisionStore";
import type { ProofArrival, ProofArrivalStore } from "./store/proofArrivalStore";
import type { SubmissionStore } from "./store/submissionStore";
import { checkReceipt } from "./verify/checkReceipt";
import type { VerifierFinding } from "./verify/verdict";
import { verifyMatmulShard } from "./verify/verifyMatmulShard";

/**
 * Re-runs container items (sdk/executor): a sampled proof's items, or the item of a failed-run claim
 * (`request.failure`, PROTOCOL §18.2); absent on nodes without Docker.
 */
export interface ContainerItemVerifier {
  verify(p: {
    jobId: bigint;
    shard: number;
    spec: JobSpec;
    shards: number;
    root: Hex;
    beacon: Hex;
    request: ProofRequest;
    /** The shard's reveal deadline (chain time): the re-run queue's order, earliest first. */
    revealBy: bigint;
  }): Promise<VerifierFinding>;
}

export interface ProofServiceParameters {
  reader: MarketReader;
  signer: ShardSigner;
  chainId: number;
  logger: Logger;
  metrics: OracleMetrics;
  /** Seconds after submission by which a valid proof must arrive; 0: half the verify window. */
  revealWindowSec: number;
  containerVerifier?: ContainerItemVerifier;
  /** Verifies llm-inference proofs (activations mode, PROTOCOL §19.6) with the inference runtime. */
  llmVerifier?: ContainerItemVerifier;
  /** The watcher's submissions: a shard's operator, root and units without RPC. */
  submissions: Pick<SubmissionStore, "get">;
  /** Durable arrival records (PROTOCOL §18.3), written before any proof is queued or verified. */
  arrivals: ProofArrivalStore;
  /**
   * The chain time since which this node has read the chain without a break (OracleNode's
   * `availableSince`); undefined: not now. MISSING_REVEAL and LATE_REVEAL only for shards submitted
   * at or after it.
   */
  availableSince: () => bigint | undefined;
  /** The per-signer rate limit, taken once the signer is known to be the shard's operator (429). */
  rateLimit?: (signer: Address) => void;
  /** Where specs may be read from besides `data:` URIs (sdk/spec fetchJobSpec; default loopback http only). */
  specSources?: FetchJobSpecOptions;
  /** The node's claims (PROTOCOL §20.10); absent: a proof with `claim: true` is 409 (no claim). */
  claims?: ClaimStore;
}

/** A job as read once: no operands are kept (the matmul verifier streams B's rows, PROTOCOL §13.4). */
interface JobContext {
  job: ChainJob;
  spec: JobSpec;
}

/** Shard operators read from the chain and cached (a shard's operator never changes once Accepted). */
const OPERATOR_CACHE = 4096;
const REVEAL_CACHE = 16384;

/**
 * Turns a proof request into a signed verdict (PROTOCOL §18.3): the signer must be the shard's
 * operator (from the watcher's submissions, else one cached chain read) before anything is joined
 * or started; one verification per shard and operator at a time; the first well-formed proof whose
 * root and units match the submission is recorded durably before it is verified; then it is checked
 * against the shard on-chain, verified with the verifier of the job's kind and mode, and the
 * deterministic attestation of §13.1 is signed. A shard already decided gets the stored answer again.
 */
export class ProofService {
  private readonly jobs = new Map<string, Promise<JobContext>>();
  private readonly inFlight = new Map<string, Promise<ProofResponse>>();
  private readonly operators = new Map<string, Address>();
  /** Reveal deadlines (`revealBy`) of Submitted shards already read: the sweep skips them, no RPC, until then. */
  private readonly revealDeadlines = new Map<string, bigint>();

  constructor(private readonly p: ProofServiceParameters) {}

  private get market(): Address {
    return this.p.reader.market;
  }

  async handle(request: ProofRequest, signer: Address): Promise<ProofResponse> {
    if (getAddress(request.operator) !== signer) {
      throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the request is not signed by the operator it names", {
        details: { operator: request.operator, signer },
      });
    }
    const jobId = BigInt(request.jobId);
    if (request.claim) return this.handleClaimed(request, jobId, signer);
    const owner = await this.shardOperator(jobId, request.shard);
    if (owner !== undefined && owner !== signer) {
      throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the shard belongs to another operator", {
        details: { shardOperator: owner, operator: request.operator },
      });
    }
    this.p.rateLimit?.(signer);
    if (owner === undefined) return pending();
    const key = `${jobId}:${request.shard}:${signer}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.decide(request, jobId).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** The shard's operator: the watcher's record, else a chain read cached once Accepted; undefined while Open. */
  private async shardOperator(jobId: bigint, shard: number): Promise<Address | undefined> {
    const watched = this.p.submissions.get(jobId, shard);
    if (watched) return getAddress(watched.operator);
    const key = `${jobId}:${shard}`;
    const cached = this.operators.get(key);
    if (cached) return cached;
    const onChain = await this.p.reader.getShard(jobId, shard);
    if (onChain.state === ShardState.Open) return undefined;
    // Accepted or later (Cancelled from Open too: the zero address, which signs nothing).
    const operator = getAddress(onChain.operator);
    this.operators.set(key, operator);
    if (this.operators.size > OPERATOR_CACHE) this.operators.delete(this.operators.keys().next().value as string);
    return operator;
  }

  private async decide(request: ProofRequest, jobId: bigint): Promise<ProofResponse> {
    const stored = await this.p.signer.decided(this.market, jobId, request.shard);
    if (stored) return stored;
    // The submission to match: the watcher's (no RPC), else the chain's.
    let submission: { root: Hex; units: bigint } | undefined;
    let onChain: ChainShard | undefined;
    const watched = this.p.submissions.get(jobId, request.shard);
    if (watched?.units !== undefined && watched.units !== null)
      submission = { root: watched.root, units: watched.units };
    else {
      onChain = await this.p.reader.getShard(jobId, request.shard);
      if (onChain.state === ShardState.Open || onChain.state === ShardState.Accepted) return pending();
      submission = { root: onChain.resultRoot, units: onChain.units };
    }
    checkSubmission(request, submission.root, submission.units);
    if (request.failure && failedRunRoot(request.failure) !== submission.root.toLowerCase()) {
      throw new HttpError(400, "ORACLE_BAD_FIELD", "failure: its failedRunRoot is not the submitted root", {
        details: { field: "failure" },
      });
    }
    const arrival = await this.recordArrival(jobId, request.shard, submission.root);
    try {
      return await this.verifyAndSign(request, jobId, arrival.arrival, onChain);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : (err as { status?: unknown }).status;
      if (status === 400 || status === 409) {
        // Refused for its own content (or not the shard on-chain): not a proof; the deadline still applies.
        if (arrival.created) this.p.arrivals.forget(arrival.arrival);
      } else {
        this.p.arrivals.defer(jobId, request.shard, (err as Error).message);
        this.p.logger.warn(
          { err, jobId: jobId.toString(), shard: request.shard },
          "proof arrived and was recorded, but this node could not finish verifying it (not the operator's fault)",
        );
      }
      throw err;
    }
  }

  /** The arrival record (PROTOCOL §18.3), committed before anything is queued or verified. */
  private async recordArrival(jobId: bigint, shard: number, root: Hex) {
    const existing = this.p.arrivals.get(jobId, shard);
    if (existing) return { arrival: existing, created: false };
    let chainTime: bigint | null = null;
    try {
      chainTime = await this.p.reader.chainTime();
    } catch (err) {
      this.p.logger.warn({ err, jobId: jobId.toString(), shard }, "arrival recorded without chain time (RPC failed)");
    }
    return this.p.arrivals.record({ jobId, shard, root, chainTime });
  }

  /** `read`: the shard as `decide` already read it from the chain, if it did (no second RPC). */
  private async verifyAndSign(
    request: ProofRequest,
    jobId: bigint,
    arrival: ProofArrival,
    read?: ChainShard,
  ): Promise<ProofResponse> {
    const shard = read ?? (await this.p.reader.getShard(jobId, request.shard));
    if (shard.state === ShardState.Open || shard.state === ShardState.Accepted) return pending();
    if (shard.state !== ShardState.Submitted) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "the shard is final on-chain", {
        details: { state: shard.state },
      });
    }
    checkSubmission(request, shard.resultRoot, shard.units);
    const context = await this.jobContext(jobId);
    const kind = jobKindName(context.job.kind);
    if (kind !== request.kind) {
      throw new HttpError(400, "ORACLE_BAD_FIELD", `kind: this job is ${kind}`, {
        details: { field: "kind" },
      });
    }
    const window = this.window(shard);
    const revealBy = this.revealBy(shard, window);
    let finding: VerifierFinding;
    if (this.late(arrival, shard, revealBy)) {
      finding = { verdict: "invalid", reason: "LATE_REVEAL", verified: true };
    } else {
      const started = process.hrtime.bigint();
      finding = await this.verify(request, jobId, shard, context, revealBy);
      this.p.metrics.verifySeconds.observe({ kind: request.kind }, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return this.signFinding(jobId, request.shard, shard, context.job.maxUnitsPerShard, window, finding);
  }

  /**
   * Signs Invalid for a shard whose proof never came (MISSING_REVEAL) or came late (LATE_REVEAL);
   * called by the main loop's sweep. Never for a shard with an in-time (or untimed) arrival record,
   * and only for shards submitted while this node was available (PROTOCOL §18.3).
   */
  async signMissingReveal(
    jobId: bigint,
    shardIndex: number,
    chainNow?: bigint,
  ): Promise<SignedShardAttestation | undefined> {
    if (await this.p.signer.decided(this.market, jobId, shardIndex)) return undefined;
    const known = this.p.arrivals.get(jobId, shardIndex);
    if (known && known.chainTime === null) return undefined;
    // A shard read before whose reveal deadline has not passed by the sweep's chain time (read once a
    // pass, never ahead of the chain): nothing to read again. Under load this spares two RPCs per open
    // shard per pass.
    const key = `${jobId}:${shardIndex}`;
    const deadline = this.revealDeadlines.get(key);
    if (deadline !== undefined && chainNow !== undefined && chainNow <= deadline) return undefined;
    const shard = await this.p.reader.getShard(jobId, shardIndex);
    if (shard.state !== ShardState.Submitted) {
      this.revealDeadlines.delete(key);
      return undefined;
    }
    const window = this.window(shard);
    const revealBy = this.revealBy(shard, window);
    this.revealDeadlines.delete(key);
    this.revealDeadlines.set(key, revealBy);
    if (this.revealDeadlines.size > REVEAL_CACHE)
      this.revealDeadlines.delete(this.revealDeadlines.keys().next().value as string);
    if (chainNow !== undefined && chainNow <= revealBy) return undefined;
    if ((await this.p.reader.chainTime()) <= revealBy) return undefined;
    if (!this.wasAvailable(shard)) return undefined;
    // No await from here to the decision: an arrival recorded meanwhile is seen.
    const arrival = this.p.arrivals.get(jobId, shardIndex);
    let reason = "MISSING_REVEAL";
    if (arrival && (arrival.root === null || arrival.root === shard.resultRoot.toLowerCase())) {
      if (!this.late(arrival, shard, revealBy)) return undefined;
      reason = "LATE_REVEAL";
    }
    return this.signFinding(jobId, shardIndex, shard, 0n, window, { verdict: "invalid", reason, verified: true });
  }

  /**
   * A proof of a claimed shard (PROTOCOL §20.10): the claim must be stored and name this root and
   * units (409 ORACLE_SHARD_MISMATCH); a shard already decided gets that decision, a refused claim
   * the same refusal (422 ORACLE_CLAIM_REFUSED); the shard must still be Open and assigned to the
   * signer on-chain. The sample is drawn from the claim's beacon; a Valid finding is signed with the
   * job's deadline as expiry, anything else is refused and nothing is signed.
   */
  private async handleClaimed(request: ProofRequest, jobId: bigint, signer: Address): Promise<ProofResponse> {
    const claim = this.p.claims?.get(this.market, jobId, request.shard);
    if (!claim || getAddress(claim.operator) !== signer) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "this oracle holds no claim of the shard by this operator");
    }
    this.p.rateLimit?.(signer);
    if (claim.resultRoot.toLowerCase() !== request.resultRoot.toLowerCase() || claim.units !== BigInt(request.units)) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "root or units differ from the claim", {
        details: { root: claim.resultRoot, units: claim.units.toString() },
      });
    }
    const key = `${jobId}:${request.shard}:${signer}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.decideClaimed(request, jobId, claim).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async decideClaimed(request: ProofRequest, jobId: bigint, claim: ClaimRecord): Promise<ProofResponse> {
    const stored = await this.p.signer.decided(this.market, jobId, request.shard);
    if (stored) return stored;
    if (claim.refusal !== null) throw claimRefused(claim.refusal);
    const assigned = await this.p.reader.assignedOperator(jobId, request.shard);
    if (getAddress(assigned) !== getAddress(claim.operator)) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "the shard is no longer Open and assigned to the claimant");
    }
    const context = await this.jobContext(jobId);
    const kind = jobKindName(context.job.kind);
    if (kind !== request.kind) {
      throw new HttpError(400, "ORACLE_BAD_FIELD", `kind: this job is ${kind}`, { details: { field: "kind" } });
    }
    if (context.job.verificationMode === VerificationMode.Receipt) {
      throw new HttpError(422, "ORACLE_CLAIM_UNSUPPORTED", "receipt mode takes the on-chain path");
    }
    // The claim as the verifiers see a shard: its root and units, no submission block.
    const asShard: ChainShard = {
      state: ShardState.Open,
      operator: getAddress(claim.operator),
      submittedAt: 0n,
      submittedBlock: 0n,
      units: claim.units,
      resultRoot: claim.resultRoot,
      verifyWindow: 0n,
    };
    const beacon = claimBeacon({
      chainId: this.p.chainId,
      jobMarket: this.market,
      jobId,
      shard: request.shard,
      root: claim.resultRoot,
      nonce: claim.nonce,
    });
    const started = process.hrtime.bigint();
    const finding = await this.verify(request, jobId, asShard, context, claim.deadline, beacon);
    this.p.metrics.verifySeconds.observe({ kind: request.kind }, Number(process.hrtime.bigint() - started) / 1e9);
    if (finding.verdict !== "valid") {
      // Not signed: only a Valid verdict touches an Open shard (no collateral to slash, PROTOCOL §20.10);
      // Invalid, or DeveloperFault (a container item not reproducible), is refused and the refusal kept.
      const reason = this.p.claims!.refuse(this.market, jobId, request.shard, finding.reason) ?? finding.reason;
      this.p.logger.info({ jobId: jobId.toString(), shard: request.shard, reason }, "claim refused");
      throw claimRefused(reason);
    }
    return this.signFinding(jobId, request.shard, asShard, context.job.maxUnitsPerShard, 0n, finding, claim.deadline);
  }

  private revealBy(shard: ChainShard, window: bigint): bigint {
    return shard.submittedAt + (this.p.revealWindowSec > 0 ? BigInt(this.p.revealWindowSec) : window / 2n);
  }

  /** This node read the chain without a break since before the shard was submitted. */
  private wasAvailable(shard: ChainShard): boolean {
    const since = this.p.availableSince();
    return since !== undefined && shard.submittedAt >= since;
  }

  /** The recorded arrival is known to be past the deadline, and the node was up to receive it in time. */
  private late(arrival: ProofArrival, shard: ChainShard, revealBy: bigint): boolean {
    return arrival.chainTime !== null && arrival.chainTime > revealBy && this.wasAvailable(shard);
  }

  /**
   * The deterministic attestation of PROTOCOL §13.1 for a finding, decided and signed. Nothing is
   * awaited before the decision is written, so a caller's synchronous checks just before still hold.
   */
  private async signFinding(
    jobId: bigint,
    shardIndex: number,
    shard: ChainShard,
    maxUnitsPerShard: bigint,
    window: bigint,
    finding: VerifierFinding,
    /** A claim's expiry: the job's deadline (PROTOCOL §20.10); default `submittedAt + window`. */
    expiry?: bigint,
  ): Promise<SignedShardAttestation> {
    let units = 0n;
    let verdict: Verdict = Verdict.Invalid;
    if (finding.verdict !== "invalid") {
      // Every oracle signs the same units: min(submitted, maxUnitsPerShard[, the matmul work]).
      units = shard.units < maxUnitsPerShard ? shard.units : maxUnitsPerShard;
      verdict = finding.verdict === "valid" ? Verdict.Valid : Verdict.DeveloperFault;
      if (finding.verdict === "valid" && finding.workUnits !== undefined && finding.workUnits < units)
        units = finding.workUnits;
    }
    const attestation: ShardAttestation = {
      market: this.market,
      jobId,
      shard: shardIndex,
      operator: shard.operator,
      resultRoot: shard.resultRoot,
      verdict,
      units,
      expiry: expiry ?? shard.submittedAt + window,
    };
    let answer: SignedShardAttestation;
    try {
      answer = await this.p.signer.sign(attestation, finding.verified, finding.reason);
    } catch (err) {
      // Decided differently meanwhile (a concurrent request or the missing-reveal sweep): that decision stands.
      const standing =
        err instanceof EquivocationRefusedError
          ? await this.p.signer.decided(this.market, jobId, shardIndex)
          : undefined;
      if (!standing) throw err;
      return standing;
    }
    this.p.metrics.verdicts.inc({ verdict: VERDICT_LABELS[answer.attestation.verdict] });
    this.p.logger.info(
      { jobId: jobId.toString(), shard: shardIndex, verdict: answer.attestation.verdict, reason: answer.reason },
      "shard decided",
    );
    return answer;
  }

  private async verify(
    request: ProofRequest,
    jobId: bigint,
    shard: ChainShard,
    context: JobContext,
    revealBy: bigint,
    /** The beacon to draw the sample from; default the submission block's (a claim's is its own, §20.10). */
    claimed?: Hex,
  ): Promise<VerifierFinding> {
    const { spec, job } = context;
    if (job.verificationMode === VerificationMode.Receipt && !request.failure) {
      if (!request.receipt)
        throw new HttpError(400, "ORACLE_BAD_FIELD", "receipt: required in receipt mode", {
          details: { field: "receipt" },
        });
      return checkReceipt(request.receipt, shard.resultRoot, shard.submittedAt);
    }
    const beacon =
      claimed ??
      shardBeacon({
        chainId: this.p.chainId,
        jobMarket: this.market,
        jobId,
        shard: request.shard,
        root: shard.resultRoot,
        blockHash: await this.p.reader.blockHash(shard.submittedBlock),
      });
    if (spec.kind === "matmul-int8") {
      const rows = (request.rows ?? []).map((row, i) => {
        try {
          return decodeRevealedRow(row);
        } catch (err) {
          throw new HttpError(400, "ORACLE_BAD_FIELD", `rows[${i}]: ${(err as Error).message}`, {
            details: { field: `rows[${i}]` },
            cause: err,
          });
        }
      });
      return await verifyMatmulShard({
        spec,
        shards: job.shards,
        shard: request.shard,
        root: shard.resultRoot,
        beacon,
        rows,
      });
    }
    if (spec.kind === "llm-inference") {
      if (!this.p.llmVerifier) {
        throw new HttpError(422, "ORACLE_UNSUPPORTED", "this node does not verify llm-inference proofs");
      }
      return this.p.llmVerifier.verify({
        jobId,
        shard: request.shard,
        spec,
        shards: job.shards,
        root: shard.resultRoot,
        beacon,
        request,
        revealBy,
      });
    }
    if (!this.p.containerVerifier) {
      throw new HttpError(
        422,
        "ORACLE_UNSUPPORTED",
        "this node does not re-run container items (containerExecutor off)",
      );
    }
    return this.p.containerVerifier.verify({
      jobId,
      shard: request.shard,
      spec,
      shards: job.shards,
      root: shard.resultRoot,
      beacon,
      request,
      revealBy,
    });
  }

  /**
   * The shard's verify window: the one snapshotted when it was accepted (PROTOCOL §13.1, §20.2), not
   * the market's current parameter, so every oracle signs the same expiry whatever governance did since.
   */
  private window(shard: ChainShard): bigint {
    return shard.verifyWindow;
  }

  private jobContext(jobId: bigint): Promise<JobContext> {
    const key = jobId.toString();
    let context = this.jobs.get(key);
    if (!context) {
      context = this.loadJob(jobId);
      this.jobs.set(key, context);
      context.catch(() => this.jobs.delete(key));
      // Bounded cache: the oldest job goes first.
      if (this.jobs.size > 1024) this.jobs.delete(this.jobs.keys().next().value as string);
    }
    return context;
  }

  private async loadJob(jobId: bigint): Promise<JobContext> {
    const job = await this.p.reader.getJob(jobId);
    const ref = await this.p.reader.specOf(jobId);
    if (ref === undefined) throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "no JobCreated log for the job");
    try {
      return { job, spec: (await fetchJobSpec(ref.specURI, ref.specHash, this.p.specSources)).spec };
    } catch (err) {
      throw new HttpError(422, "ORACLE_SPEC_UNREADABLE", "the job's spec cannot be read or does not match its hash", {
        cause: err,
      });
    }
  }
}

const VERDICT_LABELS: Record<Verdict, string> = {
  [Verdict.Valid]: "valid",
  [Verdict.Invalid]: "invalid",
  [Verdict.DeveloperFault]: "developer_fault",
};

const pending = (): ProofResponse => ({
  status: "pending",
  reason: "the shard is not submitted on-chain yet (as this node reads it)",
});

const claimRefused = (reason: string) =>
  new HttpError(422, "ORACLE_CLAIM_REFUSED", `the claim's proof was not found valid: ${reason}`, {
    details: { reason },
  });

/** The request names the submission's root and units, else 409 ORACLE_SHARD_MISMATCH. */
function checkSubmission(request: ProofRequest, root: Hex, units: bigint): void {
  if (root.toLowerCase() !== request.resultRoot.toLowerCase() || units !== BigInt(request.units)) {
    throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "root or units differ from the submission on-chain", {
      details: { root, units: units.toString() },
    });
  }
}

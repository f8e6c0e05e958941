import { getAddress, type Address, type Hex } from "viem";
import { Verdict, type ShardAttestation } from "../sdk/eip712/types";
import { HttpError } from "../sdk/errors/HttpError";
import type { Logger } from "../sdk/log/createLogger";
import type { ProofRequest, ProofResponse, SignedShardAttestation } from "../sdk/oracleApi/types";
import { shardBeacon } from "../sdk/pow/beacon";
import { generatedOperands, type MatmulOperands } from "../sdk/pow/operands";
import { decodeRevealedRow } from "../sdk/pow/revealedRowWire";
import { fetchJobSpec } from "../sdk/spec/fetchJobSpec";
import type { JobSpec } from "../sdk/spec/jobSpecTypes";
import { jobKindName, ShardState, VerificationMode } from "../sdk/market/enums";
import type { ChainJob, ChainShard, MarketReader } from "./chain/marketReader";
import type { OracleMetrics } from "./metrics";
import type { ShardSigner } from "./attest/shardSigner";
import { EquivocationRefusedError } from "./store/decisionStore";
import { checkReceipt } from "./verify/checkReceipt";
import { ExecutorUnavailableError } from "./verify/executorUnavailableError";
import type { VerifierFinding } from "./verify/verdict";
import { verifyMatmulShard } from "./verify/verifyMatmulShard";

/** Re-runs sampled container items (sdk/executor); absent on nodes without Docker. */
export interface ContainerItemVerifier {
  verify(p: {
    jobId: bigint;
    shard: number;
    spec: JobSpec;
    shards: number;
    root: Hex;
    beacon: Hex;
    request: ProofRequest;
  }): Promise<VerifierFinding>;
}

/** Shards whose in-time proof could not be re-run here (oracle/store/deferredProofStore.ts). */
export interface ProofDeferrals {
  defer(jobId: bigint, shard: number, reason: string, receivedAt: bigint): void;
  has(jobId: bigint, shard: number): boolean;
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
  /**
   * Remembers proofs that arrived in time but hit an ExecutorUnavailableError: such a shard is never
   * signed LATE_REVEAL or MISSING_REVEAL by this node. Absent: nothing is remembered.
   */
  deferrals?: ProofDeferrals;
}

interface JobContext {
  job: ChainJob;
  spec: JobSpec;
  operands?: MatmulOperands;
}

/**
 * Turns a proof request into a signed verdict: checks it against the shard on-chain (Submitted,
 * this operator, this root and units), verifies it with the verifier of the job's kind and mode,
 * and signs the deterministic attestation of PROTOCOL §13.1. One verification per shard at a time;
 * a shard already decided gets the stored answer again.
 */
export class ProofService {
  private readonly jobs = new Map<string, Promise<JobContext>>();
  private readonly inFlight = new Map<string, Promise<ProofResponse>>();
  private verifyWindow: bigint | undefined;

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
    const key = `${request.jobId}:${request.shard}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.decide(request).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async decide(request: ProofRequest): Promise<ProofResponse> {
    const jobId = BigInt(request.jobId);
    const stored = await this.p.signer.decided(this.market, jobId, request.shard);
    // A decided shard is answered from the store (no chain read), to its own operator only.
    if (stored && getAddress(stored.attestation.operator) === request.operator) return stored;
    const shard = await this.p.reader.getShard(jobId, request.shard);
    if (shard.state === ShardState.Open || shard.state === ShardState.Accepted) {
      return { status: "pending", reason: "the shard is not submitted on-chain yet (as this node reads it)" };
    }
    if (shard.operator !== request.operator) {
      throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the shard belongs to another operator", {
        details: { shardOperator: shard.operator, operator: request.operator },
      });
    }
    if (stored) return stored;
    if (shard.state !== ShardState.Submitted) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "the shard is final on-chain", {
        details: { state: shard.state },
      });
    }
    if (shard.resultRoot.toLowerCase() !== request.resultRoot || shard.units !== BigInt(request.units)) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "root or units differ from the submission on-chain", {
        details: { root: shard.resultRoot, units: shard.units.toString() },
      });
    }
    const context = await this.jobContext(jobId);
    const kind = jobKindName(context.job.kind);
    if (kind !== request.kind) {
      throw new HttpError(400, "ORACLE_BAD_FIELD", `kind: this job is ${kind}`, {
        details: { field: "kind" },
      });
    }
    const window = await this.window();
    const revealBy = shard.submittedAt + (this.p.revealWindowSec > 0 ? BigInt(this.p.revealWindowSec) : window / 2n);
    let finding: VerifierFinding;
    const now = await this.p.reader.chainTime();
    // A proof deferred for this node's own executor trouble arrived in time: it is never late.
    if (now > revealBy && !this.p.deferrals?.has(jobId, request.shard)) {
      finding = { valid: false, reason: "LATE_REVEAL", verified: true };
    } else {
      const started = process.hrtime.bigint();
      try {
        finding = await this.verify(request, jobId, shard, context);
      } catch (err) {
        if (err instanceof ExecutorUnavailableError) {
          this.p.deferrals?.defer(jobId, request.shard, err.message, now);
          this.p.logger.warn(
            { err, jobId: jobId.toString(), shard: request.shard },
            "proof deferred: this node's executor could not re-run the sample (not the operator's fault)",
          );
        }
        throw err;
      }
      this.p.metrics.verifySeconds.observe({ kind: request.kind }, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return this.signFinding(jobId, request.shard, shard, context.job, finding);
  }

  /** Signs Invalid for a shard whose proof never came (or came late); called by the main loop. */
  async signMissingReveal(jobId: bigint, shardIndex: number): Promise<SignedShardAttestation | undefined> {
    if (await this.p.signer.decided(this.market, jobId, shardIndex)) return undefined;
    if (this.p.deferrals?.has(jobId, shardIndex)) return undefined;
    const shard = await this.p.reader.getShard(jobId, shardIndex);
    if (shard.state !== ShardState.Submitted) return undefined;
    const window = await this.window();
    const revealBy = shard.submittedAt + (this.p.revealWindowSec > 0 ? BigInt(this.p.revealWindowSec) : window / 2n);
    if ((await this.p.reader.chainTime()) <= revealBy) return undefined;
    const job = await this.p.reader.getJob(jobId);
    return this.signFinding(jobId, shardIndex, shard, job, { valid: false, reason: "MISSING_REVEAL", verified: true });
  }

  private async signFinding(
    jobId: bigint,
    shardIndex: number,
    shard: ChainShard,
    job: ChainJob,
    finding: VerifierFinding,
  ): Promise<SignedShardAttestation> {
    const window = await this.window();
    let units = 0n;
    if (finding.valid) {
      units = shard.units < job.maxUnitsPerShard ? shard.units : job.maxUnitsPerShard;
      if (finding.workUnits !== undefined && finding.workUnits < units) units = finding.workUnits;
    }
    const attestation: ShardAttestation = {
      market: this.market,
      jobId,
      shard: shardIndex,
      operator: shard.operator,
      resultRoot: shard.resultRoot,
      verdict: finding.valid ? Verdict.Valid : Verdict.Invalid,
      units,
      expiry: shard.submittedAt + window,
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
    this.p.metrics.verdicts.inc({ verdict: answer.attestation.verdict === Verdict.Valid ? "valid" : "invalid" });
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
  ): Promise<VerifierFinding> {
    const { spec, job } = context;
    if (job.verificationMode === VerificationMode.Receipt) {
      if (!request.receipt)
        throw new HttpError(400, "ORACLE_BAD_FIELD", "receipt: required in receipt mode", {
          details: { field: "receipt" },
        });
      return checkReceipt(request.receipt, shard.resultRoot, shard.submittedAt);
    }
    const beacon = shardBeacon({
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
      context.operands ??= generatedOperands({ seed: spec.seed, m: spec.m, n: spec.n, k: spec.k });
      return verifyMatmulShard({
        spec,
        shards: job.shards,
        shard: request.shard,
        root: shard.resultRoot,
        beacon,
        rows,
        operands: context.operands,
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
    });
  }

  private async window(): Promise<bigint> {
    this.verifyWindow ??= await this.p.reader.verifyWindow();
    return this.verifyWindow;
  }

  private jobContext(jobId: bigint): Promise<JobContext> {
    const key = jobId.toString();
    let context = this.jobs.get(key);
    if (!context) {
      context = this.loadJob(jobId);
      this.jobs.set(key, context);
      context.catch(() => this.jobs.delete(key));
      // Bounded cache: the oldest job goes first.
      if (this.jobs.size > 64) this.jobs.delete(this.jobs.keys().next().value as string);
    }
    return context;
  }

  private async loadJob(jobId: bigint): Promise<JobContext> {
    const job = await this.p.reader.getJob(jobId);
    const uri = await this.p.reader.specUri(jobId);
    if (uri === undefined) throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "no JobCreated log for the job");
    try {
      return { job, spec: (await fetchJobSpec(uri, job.specHash)).spec };
    } catch (err) {
      throw new HttpError(422, "ORACLE_SPEC_UNREADABLE", "the job's spec cannot be read or does not match its hash", {
        cause: err,
      });
    }
  }
}

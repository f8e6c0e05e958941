import { randomBytes } from "node:crypto";
import { getAddress, toHex, zeroAddress, type Address, type Hex } from "viem";
import { HttpError } from "../../sdk/errors/HttpError";
import type { Logger } from "../../sdk/log/createLogger";
import { jobKindName, VerificationMode } from "../../sdk/market/enums";
import { MarketUnknownJobError } from "../../sdk/market/readJob";
import type { ClaimRequest, ClaimResponse } from "../../sdk/oracleApi/types";
import { claimBeacon } from "../../sdk/pow/beacon";
import type { ClaimTerms, MarketReader, OperatorEligibility } from "../chain/marketReader";
import type { ClaimRecord, ClaimStore } from "../store/claimStore";

/** Default seconds a claim must leave before the job's deadline (config `claimMarginSec`). */
export const DEFAULT_CLAIM_MARGIN_SEC = 60;

export interface ClaimServiceParameters {
  reader: Pick<MarketReader, "market" | "claimTerms" | "eligibilityOf" | "chainTime">;
  claims: ClaimStore;
  chainId: number;
  /** A claim is refused (422 ORACLE_CLAIM_LATE) unless the deadline is more than this many seconds away. */
  claimMarginSec: number;
  logger: Logger;
  /** The per-signer rate limit, taken once the signer is known to be the shard's assigned operator (429). */
  rateLimit?: (signer: Address) => void;
  /** The nonce source (default 32 bytes of `crypto.randomBytes`); tests fix it. */
  drawNonce?: () => Hex;
}

/**
 * `POST /v1/claims` (PROTOCOL §20.10): an assigned shard's operator claims its result off-chain. The
 * claim is checked against the chain (the shard Open and assigned to the signer, not a gang, a
 * claimable mode and kind, the deadline far enough, the operator eligible as `accept` would require),
 * stored durably with a fresh nonce before it is answered, and answered with that nonce and the
 * claim beacon the proof to this oracle is drawn from. The same claim again gets the same answer;
 * another root or units for a claimed shard is 409 ORACLE_CLAIM_CONFLICT.
 */
export class ClaimService {
  private readonly market: Address;

  constructor(private readonly p: ClaimServiceParameters) {
    this.market = getAddress(p.reader.market);
  }

  async handle(request: ClaimRequest, signer: Address): Promise<ClaimResponse> {
    if (getAddress(request.operator) !== signer) {
      throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the request is not signed by the operator it names", {
        details: { operator: request.operator, signer },
      });
    }
    const jobId = BigInt(request.jobId);
    const known = this.p.claims.get(this.market, jobId, request.shard);
    if (known && getAddress(known.operator) === signer) {
      // Stored only after the signer was checked as the assigned operator: no chain read needed.
      this.p.rateLimit?.(signer);
      return this.answer(known, request);
    }
    const terms = await this.terms(jobId, request.shard);
    if (terms.assignedOperator === zeroAddress) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "the shard is not Open and assigned on-chain", {
        details: { reason: "not-open-or-not-assigned" },
      });
    }
    if (terms.assignedOperator !== signer) {
      throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the shard is assigned to another operator", {
        details: { assignedOperator: terms.assignedOperator, operator: request.operator },
      });
    }
    this.p.rateLimit?.(signer);
    if (terms.gang) {
      throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "a gang job's shard cannot be claimed", {
        details: { reason: "gang" },
      });
    }
    if (terms.verificationMode === VerificationMode.Receipt) {
      throw new HttpError(422, "ORACLE_CLAIM_UNSUPPORTED", "receipt mode takes the on-chain path", {
        details: { reason: "receipt-mode" },
      });
    }
    const kind = jobKindName(terms.kind);
    if (kind !== request.kind) {
      throw new HttpError(400, "ORACLE_BAD_FIELD", `kind: this job is ${kind}`, { details: { field: "kind" } });
    }
    const now = await this.p.reader.chainTime();
    if (terms.deadline <= now + BigInt(this.p.claimMarginSec)) {
      throw new HttpError(422, "ORACLE_CLAIM_LATE", "the job's deadline is too close for a claim", {
        details: { deadline: terms.deadline.toString(), chainTime: now.toString(), marginSec: this.p.claimMarginSec },
      });
    }
    const refusal = ineligibility(await this.p.reader.eligibilityOf(signer), terms, now);
    if (refusal) {
      throw new HttpError(422, "ORACLE_NOT_ELIGIBLE", `the operator could not accept the shard: ${refusal}`, {
        details: { reason: refusal },
      });
    }
    const { record, created } = this.p.claims.claim({
      market: this.market,
      jobId,
      shard: request.shard,
      operator: signer,
      resultRoot: request.resultRoot,
      units: BigInt(request.units),
      nonce: this.p.drawNonce?.() ?? toHex(randomBytes(32)),
      deadline: terms.deadline,
    });
    if (created) {
      this.p.logger.info(
        { jobId: jobId.toString(), shard: request.shard, operator: signer, units: request.units },
        "shard claimed",
      );
    }
    return this.answer(record, request);
  }

  /** The answer for a stored claim, or 409 ORACLE_CLAIM_CONFLICT when the request claims another result. */
  private answer(record: ClaimRecord, request: ClaimRequest): ClaimResponse {
    if (
      record.resultRoot.toLowerCase() !== request.resultRoot.toLowerCase() ||
      record.units !== BigInt(request.units)
    ) {
      throw new HttpError(409, "ORACLE_CLAIM_CONFLICT", "the shard is already claimed with another root or units", {
        details: { resultRoot: record.resultRoot, units: record.units.toString() },
      });
    }
    return {
      status: "claimed",
      nonce: record.nonce,
      beacon: claimBeacon({
        chainId: this.p.chainId,
        jobMarket: this.market,
        jobId: record.jobId,
        shard: record.shard,
        root: record.resultRoot,
        nonce: record.nonce,
      }),
      expiry: record.deadline.toString(),
    };
  }

  private async terms(jobId: bigint, shard: number): Promise<ClaimTerms> {
    try {
      return await this.p.reader.claimTerms(jobId, shard);
    } catch (err) {
      if (err instanceof MarketUnknownJobError) {
        throw new HttpError(409, "ORACLE_SHARD_MISMATCH", "no such job on-chain", {
          details: { reason: "unknown-job" },
          cause: err,
        });
      }
      throw err;
    }
  }
}

/**
 * Why `accept` would refuse the operator for the job now (JobMarket `_checkEligible`), or undefined
 * when it would not: the claim path pays no one the accept path would refuse (PROTOCOL §20.10).
 */
export function ineligibility(
  e: OperatorEligibility,
  job: Pick<ClaimTerms, "minVramMiB" | "minOpsPerSec" | "collateral">,
  now: bigint,
): string | undefined {
  if (!e.registered) return "not-registered";
  if (e.jailedUntil > now) return "jailed";
  if (e.capacityValidUntil < now) return "capacity-expired";
  if (e.vramMiB < job.minVramMiB || e.opsPerSec < job.minOpsPerSec) return "capacity-too-low";
  if (e.freeStake < job.collateral) return "insufficient-free-stake";
  return undefined;
}

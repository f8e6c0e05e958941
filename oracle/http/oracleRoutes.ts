import type { Express, NextFunction, Request, Response } from "express";
import { getAddress, type Address } from "viem";
import type { ReplayGuard } from "../../sdk/auth/replayGuard";
import { verifyRequest } from "../../sdk/auth/verifyRequest";
import { HttpError } from "../../sdk/errors/HttpError";
import { parseClaimRequest, parseProofRequest } from "../../sdk/oracleApi/types";
import type { ClaimService } from "../claims/claimService";
import type { RawBodyRequest } from "../../sdk/service/startHttpService";
import type { OracleMetrics } from "../metrics";
import type { ProofService } from "../proofService";
import type { ShardSigner } from "../attest/shardSigner";
import type { RateLimiter } from "./rateLimiter";
import type { CapacityService } from "../capacity/capacityService";
import { mountCapacityRoutes } from "../capacity/capacityRoutes";
import { toOracleHttpError } from "./toOracleHttpError";
import type { VerdictBatchCosigner } from "../relay/verdictBatchCosigner";

export interface OracleRoutesParameters {
  proofs: ProofService;
  signer: ShardSigner;
  market: Address;
  replayGuard: ReplayGuard;
  rateLimiter: RateLimiter;
  metrics: OracleMetrics;
  capacity?: CapacityService;
  /** Claims of assigned shards (PROTOCOL §20.10); absent: the route answers 404. */
  claims?: ClaimService;
  /** The peer side of batched settlement (PROTOCOL §20.6); absent: the route answers 404. */
  batches?: VerdictBatchCosigner;
}

/** The signer of an operator-signed request (PROTOCOL §4.2), rate-limited per signer. */
export type Authenticate = (req: Request) => Promise<Address>;

/** Wraps an async handler: every failure becomes a JSON error with the right status. */
export function handler(metrics: OracleMetrics, fn: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (err) {
      const httpError = toOracleHttpError(err);
      if (httpError.status < 500) metrics.refused.inc({ code: httpError.code });
      next(httpError);
    }
  };
}

const DECIMAL = /^(0|[1-9][0-9]{0,76})$/;

/** Mounts the oracle's API (PROTOCOL §13) on the service's express app. */
export function mountOracleRoutes(app: Express, p: OracleRoutesParameters): void {
  const signerOf = (req: Request) =>
    verifyRequest({
      method: req.method,
      path: req.originalUrl,
      body: (req as RawBodyRequest).rawBody ?? "",
      headers: req.headers,
      replayGuard: p.replayGuard,
    });
  const authenticate: Authenticate = async (req) => {
    const signer = await signerOf(req);
    p.rateLimiter.take(signer);
    return signer;
  };

  app.post(
    "/v1/proofs",
    handler(p.metrics, async (req, res) => {
      // The rate limit is the proof service's, once the signer is known to be the shard's operator
      // (PROTOCOL §18.3): throw-away keys must not reach anything shared.
      const signer = await signerOf(req);
      const proof = parseProofRequest(req.body);
      const answer = await p.proofs.handle(proof, signer);
      res.status(answer.status === "pending" ? 202 : 200).json(answer);
    }),
  );

  const claims = p.claims;
  if (claims) {
    app.post(
      "/v1/claims",
      handler(p.metrics, async (req, res) => {
        // Signed like proofs; the per-signer limit is taken once the signer is the assigned operator.
        const signer = await signerOf(req);
        res.json(await claims.handle(parseClaimRequest(req.body), signer));
      }),
    );
  }

  app.get(
    "/v1/attestations/:jobId/:shard",
    handler(p.metrics, async (req, res) => {
      const { jobId, shard } = req.params as { jobId: string; shard: string };
      if (!DECIMAL.test(jobId))
        throw new HttpError(400, "ORACLE_BAD_FIELD", "jobId: must be decimal", { details: { field: "jobId" } });
      if (!/^\d{1,10}$/.test(shard) || Number(shard) >= 2 ** 32)
        throw new HttpError(400, "ORACLE_BAD_FIELD", "shard: must be a uint32", { details: { field: "shard" } });
      const stored = await p.signer.decided(getAddress(p.market), BigInt(jobId), Number(shard));
      if (!stored) throw new HttpError(404, "ORACLE_NO_ATTESTATION", "this oracle has not decided the shard");
      res.json(stored);
    }),
  );

  const batches = p.batches;
  if (batches) {
    app.post(
      "/v1/verdict-batches",
      handler(p.metrics, async (req, res) => {
        res.json(await batches.cosign(req.body, await authenticate(req)));
      }),
    );
  }

  if (p.capacity) mountCapacityRoutes(app, { capacity: p.capacity, authenticate, metrics: p.metrics });
}

import type { Express, NextFunction, Request, Response } from "express";
import { getAddress, isAddress, type Address } from "viem";
import type { ReplayGuard } from "../../sdk/auth/replayGuard";
import { verifyRequest } from "../../sdk/auth/verifyRequest";
import { HttpError } from "../../sdk/errors/HttpError";
import { MAX_HEARTBEAT_BYTES, MAX_HEARTBEAT_SKEW_SEC, type HeartbeatsResponse } from "../../sdk/liveness/heartbeat";
import { validateHeartbeat } from "../../sdk/liveness/validateHeartbeat";
import type { RawBodyRequest } from "../../sdk/service/startHttpService";
import type { OracleMetrics } from "../metrics";
import type { HeartbeatStore } from "../store/heartbeatStore";
import { handler } from "./oracleRoutes";
import type { RateLimiter } from "./rateLimiter";

/** Input of {@link mountHeartbeatRoutes}. */
export interface HeartbeatRoutesParameters {
  store: HeartbeatStore;
  replayGuard: ReplayGuard;
  /** Per signer, heartbeats only (default in the node: 12 a minute, so a 15 s agent has room for retries). */
  rateLimiter: RateLimiter;
  /** Whether an address is a registered operator (OperatorStaking `operatorInfo(a).registered`). */
  isRegisteredOperator: (address: Address) => Promise<boolean>;
  metrics: OracleMetrics;
  /** Unix seconds now (tests). */
  now?: () => number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The heartbeat route's own body cap: a declared length past it is refused before any byte is read. */
export function mountHeartbeatBodyCap(app: Express, onRefused?: (code: string) => void): void {
  app.use("/v1/heartbeats", (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers["content-length"]);
    if (req.method !== "POST" || !Number.isFinite(declared) || declared <= MAX_HEARTBEAT_BYTES) return next();
    res.set("connection", "close");
    onRefused?.("BODY_TOO_LARGE");
    next(tooLarge());
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, "BODY_TOO_LARGE", "a heartbeat is larger than this oracle accepts", {
    details: { maxBodyBytes: MAX_HEARTBEAT_BYTES },
  });
}

/** Sets the CORS headers of the open, read-only heartbeat routes. */
function openCors(res: Response): void {
  res.set("access-control-allow-origin", "*");
  res.set("access-control-allow-methods", "GET, OPTIONS");
  res.set("access-control-max-age", "600");
}

/** The metric label of a refused heartbeat. */
function resultOf(err: unknown): string {
  const status = (err as { status?: number }).status;
  const code = (err as { code?: string }).code ?? "";
  if (status === 413) return "too_large";
  if (status === 429) return "rate_limited";
  if (code === "ORACLE_NOT_AN_OPERATOR") return "unregistered";
  if (code === "HEARTBEAT_CLOCK_SKEW") return "clock_skew";
  if (code === "AUTH_REQUEST_REFUSED") return "bad_signature";
  if (status !== undefined && status < 500) return "invalid";
  return "error";
}

/**
 * `POST /v1/heartbeats` (signed by a registered operator, PROTOCOL §12.6), `GET /v1/heartbeats` and
 * `GET /v1/heartbeats/:operator` (open, CORS `*`, no auth). Order of checks on a POST: the body cap,
 * the signature (the signer must be registered before its request is remembered), the per-signer
 * rate limit, the body's shape, `operator` = signer, `sentAt` within ±{@link MAX_HEARTBEAT_SKEW_SEC} s.
 */
export function mountHeartbeatRoutes(app: Express, p: HeartbeatRoutesParameters): void {
  const now = p.now ?? nowSeconds;
  const count = (result: string) => p.metrics.heartbeats.inc({ result });

  app.post(
    "/v1/heartbeats",
    handler(p.metrics, async (req, res) => {
      try {
        const raw = (req as RawBodyRequest).rawBody;
        if (raw && raw.length > MAX_HEARTBEAT_BYTES) throw tooLarge();
        const signer = await verifyRequest({
          method: req.method,
          path: req.originalUrl,
          body: raw ?? "",
          headers: req.headers,
          replayGuard: p.replayGuard,
          beforeClaim: async (address) => {
            if (!(await p.isRegisteredOperator(address)))
              throw new HttpError(403, "ORACLE_NOT_AN_OPERATOR", "the signer is not a registered operator", {
                details: { signer: address },
              });
          },
        });
        p.rateLimiter.take(signer);
        const heartbeat = validateHeartbeat(req.body);
        if (heartbeat.operator !== signer)
          throw new HttpError(403, "ORACLE_WRONG_OPERATOR", "the heartbeat is not signed by the operator it names");
        const at = now();
        if (Math.abs(heartbeat.sentAt - at) > MAX_HEARTBEAT_SKEW_SEC)
          throw new HttpError(400, "HEARTBEAT_CLOCK_SKEW", "sentAt is too far from the oracle's clock", {
            details: { sentAt: heartbeat.sentAt, now: at, maxSkewSec: MAX_HEARTBEAT_SKEW_SEC },
          });
        p.store.put(heartbeat, at);
        count("accepted");
        res.status(204).end();
      } catch (err) {
        count(resultOf(err));
        throw err;
      }
    }),
  );

  app.options(["/v1/heartbeats", "/v1/heartbeats/:operator"], (_req, res) => {
    openCors(res);
    res.status(204).end();
  });

  app.get(
    "/v1/heartbeats",
    handler(p.metrics, async (_req, res) => {
      openCors(res);
      const body: HeartbeatsResponse = { now: now(), operators: {} };
      for (const heartbeat of p.store.all()) body.operators[heartbeat.operator] = heartbeat;
      res.json(body);
    }),
  );

  app.get(
    "/v1/heartbeats/:operator",
    handler(p.metrics, async (req, res) => {
      openCors(res);
      const { operator } = req.params as { operator: string };
      if (!isAddress(operator, { strict: false }))
        throw new HttpError(400, "ORACLE_BAD_FIELD", "operator: must be an address", {
          details: { field: "operator" },
        });
      const heartbeat = p.store.get(getAddress(operator));
      if (!heartbeat) throw new HttpError(404, "ORACLE_NO_HEARTBEAT", "this oracle has never heard from the operator");
      res.json({ now: now(), heartbeat });
    }),
  );
}

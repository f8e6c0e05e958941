import type { Express, NextFunction, Request, Response } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import { isAddress } from "viem";
import { DEFAULT_MAX_AGE_SECONDS, RIGEL_AUTH_HEADERS } from "../../sdk/auth/headers";
import { RequestAuthError } from "../../sdk/auth/verifyRequest";
import { HttpError } from "../../sdk/errors/HttpError";

/** Input of {@link mountRequestGuards}. */
export interface RequestGuardsParameters {
  /** Requests a minute from one client address (IPv6: per /56), every route. */
  perAddressPerMinute: number;
  /** Signed requests a minute that succeed under one claimed key (`x-rigel-address`). */
  perKeyPerMinute: number;
  /** A request's body must have arrived whole within this many ms of its headers, else the socket is closed. */
  bodyTimeoutMs: number;
  /** The body limit in bytes: a declared content-length above it is refused (413) before the body. */
  maxBodyBytes: number;
  /** Seconds a signed request's timestamp may be off (default the protocol's 60). */
  maxAgeSeconds?: number;
  /** Unix seconds now (tests). */
  now?: () => number;
  /** Called with the code of every request refused here (for the refusal counter). */
  onRefused?: (code: string) => void;
}

/** Bytes of a size like "1mb", "256kb" or "1048576" (body-parser's units: powers of 1024). */
export function byteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) throw new RangeError(`not a byte size: ${text}`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? "b").toLowerCase() as "b"];
  return Math.floor(Number(match[1]) * unit);
}

/** Methods whose requests carry a body and must be signed (PROTOCOL §4.2). */
const SIGNED_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The cheap half of request authentication (PROTOCOL §4.2), before any body byte is read: the three
 * headers are present and well-formed and the timestamp is within the window. The signature over
 * the body (hashing it, recovering the signer) is the routes' `verifyRequest`, after the body.
 * @throws RequestAuthError `missing-header`, `bad-header`, `stale`, `future`.
 */
export function precheckAuthHeaders(
  headers: Request["headers"],
  now: number,
  maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS,
): void {
  for (const name of [RIGEL_AUTH_HEADERS.address, RIGEL_AUTH_HEADERS.timestamp, RIGEL_AUTH_HEADERS.signature]) {
    const value = single(headers[name]);
    if (value === undefined || value === "")
      throw new RequestAuthError("missing-header", `missing header ${name}`, { header: name });
  }
  if (!isAddress(single(headers[RIGEL_AUTH_HEADERS.address])!))
    throw new RequestAuthError("bad-header", "malformed address header");
  const timestampText = single(headers[RIGEL_AUTH_HEADERS.timestamp])!;
  if (!/^\d{1,15}$/.test(timestampText)) throw new RequestAuthError("bad-header", "malformed timestamp header");
  if (!/^0x[0-9a-fA-F]{130}$/.test(single(headers[RIGEL_AUTH_HEADERS.signature])!))
    throw new RequestAuthError("bad-header", "malformed signature header");
  const timestamp = Number(timestampText);
  if (now - timestamp > maxAgeSeconds) throw new RequestAuthError("stale", "request is stale", { timestamp, now });
  if (timestamp - now > maxAgeSeconds)
    throw new RequestAuthError("future", "request is from the future", { timestamp, now });
}

/**
 * Everything the oracle checks before it reads a body (PROTOCOL §13, "Order of checks"): a rate
 * limit per client address (express-rate-limit, every route), then for signed methods the auth
 * headers' shape and freshness, then a rate limit per claimed key counting only requests that end
 * well (a forged header cannot spend another key's budget), then a deadline for the body. The
 * JSON parser (with the body limit: 413 before a byte past it is buffered) comes after these; the
 * signature check and the limit per confirmed signer come in the routes.
 */
export function mountRequestGuards(app: Express, p: RequestGuardsParameters): void {
  const refuse = (next: NextFunction, error: HttpError) => {
    p.onRefused?.(error.code);
    next(error);
  };
  const limited = (what: string) => (req: Request, _res: Response, next: NextFunction) => {
    const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
    const retryAfterMs = info?.resetTime ? Math.max(0, info.resetTime.getTime() - Date.now()) : 60_000;
    refuse(
      next,
      new HttpError(429, "ORACLE_RATE_LIMITED", `too many requests from this ${what}`, { details: { retryAfterMs } }),
    );
  };
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: p.perAddressPerMinute,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? "unknown", 56),
      validate: { xForwardedForHeader: false, forwardedHeader: false },
      // Health checks are cheap and must answer during a flood.
      skip: (req) => req.method === "GET" && req.path === "/healthz",
      handler: limited("client address"),
    }),
  );
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (!SIGNED_METHODS.has(req.method)) return next();
    try {
      precheckAuthHeaders(req.headers, p.now?.() ?? Math.floor(Date.now() / 1000), p.maxAgeSeconds);
      next();
    } catch (err) {
      const e = err as RequestAuthError;
      refuse(next, new HttpError(401, e.code, e.message, { details: e.details, cause: err }));
    }
  });
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: p.perKeyPerMinute,
      standardHeaders: false,
      legacyHeaders: false,
      skipFailedRequests: true,
      skip: (req) => !SIGNED_METHODS.has(req.method),
      keyGenerator: (req) => `key:${String(single(req.headers[RIGEL_AUTH_HEADERS.address])).toLowerCase()}`,
      handler: limited("key"),
      validate: { keyGeneratorIpFallback: false },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!SIGNED_METHODS.has(req.method)) return next();
    // A declared size past the limit: refused now and the connection closed (the JSON parser would
    // read the whole body off the socket before answering).
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > p.maxBodyBytes) {
      res.set("connection", "close");
      return refuse(
        next,
        new HttpError(413, "BODY_TOO_LARGE", "the request body is larger than this service accepts", {
          details: { maxBodyBytes: p.maxBodyBytes },
        }),
      );
    }
    // A body that trickles in holds a socket and a parser: it gets `bodyTimeoutMs`, then the socket goes.
    const timer = setTimeout(() => {
      p.onRefused?.("ORACLE_BODY_TIMEOUT");
      req.socket.destroy();
    }, p.bodyTimeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once("end", clear);
    req.once("close", clear);
    res.once("finish", clear);
    next();
  });
}

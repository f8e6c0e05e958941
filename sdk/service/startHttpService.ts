import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { HttpError } from "../errors/HttpError";
import type { Logger } from "../log/createLogger";

export interface StartHttpServiceParameters {
  /** The service name, used as the metrics prefix (`rigel_<name>_`). */
  name: string;
  host?: string;
  port: number;
  logger: Logger;
  /** Largest accepted JSON body (default "256kb"). Larger bodies get a 413 JSON error. */
  bodyLimit?: string;
  /** Reports readiness for `/healthz`; a thrown error or `ok: false` answers 503. */
  health: () => Promise<{ ok: boolean; [key: string]: unknown }> | { ok: boolean; [key: string]: unknown };
  /** Adds the service's own routes. */
  routes: (app: Express, registry: Registry) => void;
  /**
   * Middleware that must run before any body is read (rate limits, header checks, body deadlines):
   * mounted after the request metrics and before the JSON parser.
   */
  beforeBody?: (app: Express, registry: Registry) => void;
  /**
   * Who may read `/metrics` on this port: everyone ("public", the default), nobody ("off"), or
   * requests with `Authorization: Bearer <bearerToken>` (else 401 `METRICS_UNAUTHORIZED`). The
   * services' config key is `metricsToken` (empty: off).
   */
  metrics?: "public" | "off" | { bearerToken: string };
  /** A registry to reuse (default: a new one with Node's default metrics). */
  registry?: Registry;
}

/** A request whose JSON body's exact bytes were kept (`undefined` when it had no JSON body). */
export type RawBodyRequest = Request & { rawBody?: Buffer };

export interface HttpService {
  url: string;
  port: number;
  app: Express;
  registry: Registry;
  server: Server;
  close(): Promise<void>;
}

/**
 * The HTTP face every Rigel daemon shares: JSON bodies with a size limit, `/healthz`, `/metrics`
 * (prom-client), request counting and latency, and one error handler that turns every failure into a
 * JSON error (`HttpError` keeps its status; malformed JSON is a 400; anything else a 500 that is logged).
 */
export async function startHttpService(params: StartHttpServiceParameters): Promise<HttpService> {
  const { name, host = "127.0.0.1", port, logger } = params;
  const registry = params.registry ?? new Registry();
  if (!params.registry) collectDefaultMetrics({ register: registry, prefix: `rigel_${name}_` });
  const requests = new Counter({
    name: `rigel_${name}_http_requests_total`,
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: `rigel_${name}_http_request_seconds`,
    help: "HTTP request latency",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });

  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    const end = latency.startTimer();
    res.on("finish", () => {
      const route = (req.route?.path as string | undefined) ?? "unmatched";
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  });
  params.beforeBody?.(app, registry);
  app.use(
    express.json({
      limit: params.bodyLimit ?? "256kb",
      // The exact bytes, for handlers that check a signature over the body (sdk/auth).
      verify: (req, _res, buf) => {
        (req as RawBodyRequest).rawBody = buf;
      },
    }),
  );

  app.get("/healthz", async (_req, res, next) => {
    try {
      const report = await params.health();
      res.status(report.ok ? 200 : 503).json(report);
    } catch (err) {
      // The cause is logged, never sent: internal error text stays on the host.
      logger.warn({ err }, "health check failed");
      next(new HttpError(503, "UNHEALTHY", "the service is not healthy"));
    }
  });
  const metricsAccess = params.metrics ?? "public";
  if (metricsAccess !== "off") {
    app.get("/metrics", async (req, res, next) => {
      if (typeof metricsAccess === "object" && !bearerMatches(req.headers.authorization, metricsAccess.bearerToken))
        return next(new HttpError(401, "METRICS_UNAUTHORIZED", "metrics need the bearer token"));
      res.type(registry.contentType).send(await registry.metrics());
    });
  }

  params.routes(app, registry);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, "NOT_FOUND", `no route for ${req.method} ${req.path}`));
  });
  // Express recognises an error handler by its four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const httpError = toHttpError(err);
    if (httpError.status >= 500) logger.error({ err, path: req.path }, "request failed");
    else logger.debug({ code: httpError.code, path: req.path }, "request refused");
    if (!res.headersSent) res.status(httpError.status).json(httpError.body());
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once("error", reject);
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host}:${bound}`;
  logger.info({ url }, "http service listening");
  return {
    url,
    port: bound,
    app,
    registry,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Constant-time comparison of an `Authorization: Bearer` header with the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Body-parser's errors, with fixed messages (never the parser's text, which quotes the input). */
const BODY_ERRORS: Record<string, { code: string; message: string }> = {
  "entity.too.large": { code: "BODY_TOO_LARGE", message: "the request body is larger than this service accepts" },
  "entity.parse.failed": { code: "MALFORMED_JSON", message: "the request body is not valid JSON" },
};

/**
 * Map any thrown value to an HttpError: body-parser's errors keep their 4xx status with a fixed
 * message; anything else is a 500 `INTERNAL` whose text is logged, never sent.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const known = e.type === undefined ? undefined : BODY_ERRORS[e.type];
    return new HttpError(status, known?.code ?? "BAD_REQUEST", known?.message ?? "bad request", { cause: err });
  }
  return new HttpError(500, "INTERNAL", "internal error", { cause: err });
}

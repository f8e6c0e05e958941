import path from "node:path";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import { Gauge } from "prom-client";
import { openDatabase } from "../sdk/db/openDatabase";
import { REPLAY_GUARD_MIGRATIONS, SqliteReplayGuard } from "../sdk/auth/sqliteReplayGuard";
import { HttpError } from "../sdk/errors/HttpError";
import type { Logger } from "../sdk/log/createLogger";
import type { Daemon } from "../sdk/service/runDaemon";
import { startHttpService, type HttpService } from "../sdk/service/startHttpService";
import { BlobStore } from "./blobStore";
import type { StoreChain } from "./storeChain";
import { StoreIndex } from "./storeIndex";
import { STORE_PREFIX, storeRoutes, type StoreLimits } from "./storeRoutes";

export interface ResultsStoreParameters {
  host: string;
  port: number;
  dataDir: string;
  chain: StoreChain;
  limits: StoreLimits;
  pendingTtlSec: number;
  ratePerAddressPerMinute: number;
  /** Bearer token for /metrics; absent: /metrics is off. */
  metricsToken?: string;
  logger: Logger;
  now?: () => number;
}

/**
 * The results store (PROTOCOL §18.8): an HTTP service that keeps shards' result files after
 * settlement, pushed by operators' agents through a spec's `uploadUrl` and served to each job's
 * developer, so results outlive the operator's machine. A daemon: `init` opens the index and
 * listens, each `tick` drops announced uploads whose files never all came, `shutdown` closes.
 */
export class ResultsStore implements Daemon {
  private http?: HttpService;
  private index?: StoreIndex;
  private blobs?: BlobStore;
  private replayDb?: ReturnType<typeof openDatabase>;

  constructor(private readonly p: ResultsStoreParameters) {}

  /** `http://host:port`, once started. */
  get url(): string {
    if (!this.http) throw new Error("the results store is not started");
    return this.http.url;
  }

  /** What a spec names as its `uploadUrl` to use this store. */
  get uploadUrl(): string {
    return `${this.url}${STORE_PREFIX}`;
  }

  async init(): Promise<void> {
    const { p } = this;
    this.index = new StoreIndex(path.join(p.dataDir, "index.db"));
    this.blobs = new BlobStore(p.dataDir);
    this.replayDb = openDatabase({ file: path.join(p.dataDir, "replay.db"), migrations: REPLAY_GUARD_MIGRATIONS });
    const index = this.index;
    this.http = await startHttpService({
      name: "store",
      host: p.host,
      port: p.port,
      logger: p.logger,
      // A manifest of 10,000 files is about 1.5 MB of JSON.
      bodyLimit: "4mb",
      metrics: p.metricsToken ? { bearerToken: p.metricsToken } : "off",
      health: () => ({ ok: true, ...index.counts() }),
      beforeBody: (app) => {
        app.use(
          rateLimit({
            windowMs: 60_000,
            limit: p.ratePerAddressPerMinute,
            standardHeaders: "draft-8",
            legacyHeaders: false,
            keyGenerator: (req) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? "unknown", 56),
            validate: { xForwardedForHeader: false, forwardedHeader: false },
            skip: (req) => req.method === "GET" && req.path === "/healthz",
            handler: (_req, _res, next) =>
              next(new HttpError(429, "STORE_RATE_LIMITED", "too many requests from this address")),
          }),
        );
      },
      routes: (app, registry) => {
        new Gauge({
          name: "rigel_store_shards",
          help: "shards held, by state",
          labelNames: ["state"],
          registers: [registry],
          collect() {
            const c = index.counts();
            this.set({ state: "stored" }, c.complete);
            this.set({ state: "pending" }, c.pending);
          },
        });
        storeRoutes({
          index,
          blobs: this.blobs!,
          chain: p.chain,
          replayGuard: new SqliteReplayGuard(this.replayDb!),
          limits: p.limits,
          logger: p.logger,
          now: p.now,
        })(app, registry);
      },
    });
  }

  async tick(): Promise<void> {
    const now = this.p.now?.() ?? Math.floor(Date.now() / 1000);
    for (const { jobId, shard } of this.index!.expired(now - this.p.pendingTtlSec)) {
      await this.blobs!.remove(this.index!.drop(jobId, shard));
      this.p.logger.warn({ jobId, shard }, "announced upload dropped: its files did not all arrive");
    }
  }

  async shutdown(): Promise<void> {
    await this.http?.close();
    this.index?.close();
    this.replayDb?.close();
  }
}

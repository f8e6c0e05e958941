import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Express, Request, Response } from "express";
import { Counter, type Registry } from "prom-client";
import { getAddress, type Address, type Hex } from "viem";
import {
  assertWellFormedManifest,
  committedPath,
  resultsRoot,
  ResultsDownloadError,
  safeRelative,
} from "../sdk/agentApi/results";
import type { ResultsManifest } from "../sdk/agentApi/resultsManifest";
import { containerResultsRoot, rootFromHashesOnly } from "../sdk/agentApi/resultsRoot";
import { RIGEL_AUTH_HEADERS } from "../sdk/auth/headers";
import type { ReplayGuard } from "../sdk/auth/replayGuard";
import { ReplayMemoryFullError } from "../sdk/auth/sqliteReplayGuard";
import { RequestAuthError, verifyRequest } from "../sdk/auth/verifyRequest";
import { HttpError } from "../sdk/errors/HttpError";
import { ShardState, shardStateName } from "../sdk/market/enums";
import type { Logger } from "../sdk/log/createLogger";
import type { BlobStore } from "./blobStore";
import type { StoreChain } from "./storeChain";
import type { StoreIndex } from "./storeIndex";

/** The URL prefix of every store route: a spec's `uploadUrl` is `<store>/v1/store` (PROTOCOL §18.8). */
export const STORE_PREFIX = "/v1/store";

/** Limits of one shard's upload. */
export interface StoreLimits {
  maxFileBytes: number;
  maxShardBytes: number;
  maxShardFiles: number;
  maxStoreBytes: number;
}

export interface StoreRoutesContext {
  index: StoreIndex;
  blobs: BlobStore;
  chain: StoreChain;
  replayGuard: ReplayGuard;
  limits: StoreLimits;
  logger: Logger;
  /** Unix seconds now (tests). */
  now?: () => number;
}

/** A shard's results are released once it is Settled or DeveloperFault on-chain (PROTOCOL §18.7). */
const RELEASED = new Set<number>([ShardState.Settled, ShardState.DeveloperFault]);

function shardOf(req: Request): { jobId: string; shard: number } {
  const jobId = String(req.params.jobId);
  const shard = String(req.params.shard);
  if (!/^\d{1,30}$/.test(jobId) || !/^\d{1,3}$/.test(shard)) {
    throw new HttpError(400, "STORE_BAD_SHARD", "malformed job id or shard");
  }
  return { jobId: BigInt(jobId).toString(), shard: Number(shard) };
}

/** Runs verifyRequest (PROTOCOL §4.2, version 2 required) and maps its refusals to HTTP answers. */
async function verified(
  req: Request,
  body: Uint8Array | string,
  replayGuard: ReplayGuard,
  beforeClaim: (signer: Address) => Promise<void>,
): Promise<Address> {
  try {
    return await verifyRequest({
      method: req.method,
      path: req.originalUrl,
      body,
      headers: req.headers,
      replayGuard,
      requireNonce: true,
      beforeClaim,
    });
  } catch (err) {
    if (err instanceof RequestAuthError) throw new HttpError(401, err.code, err.message, { details: err.details });
    if (err instanceof ReplayMemoryFullError) {
      throw new HttpError(503, "STORE_BUSY", "too many recent requests: try again in a minute");
    }
    throw err;
  }
}

function cors(res: Response): void {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Allow-Methods", "GET");
  res.setHeader("Access-Control-Allow-Headers", Object.values(RIGEL_AUTH_HEADERS).join(", "));
  res.setHeader("Access-Control-Expose-Headers", "x-rigel-sha256, x-rigel-source");
  res.setHeader("Access-Control-Max-Age", "600");
  res.setHeader("x-rigel-source", "store");
}

/**
 * The results store's routes (PROTOCOL §18.8), under `/v1/store/job-<id>/shard-<n>/`:
 * - `PUT …/manifest.json`: the results manifest, signed (§4.2 v2) by the shard's operator on-chain,
 *   for a shard Settled or DeveloperFault, whose root is the on-chain `resultRoot` and (container
 *   results) whose files' hashes recompute it; announces the files.
 * - `PUT …/<path>`: one announced file, accepted only with the size and sha256 the signed manifest
 *   gave it (content-addressed: nobody can store other bytes under an announced path). When the last
 *   file arrives (and, for matmul rows, c.bin's bytes recompute the root) the shard is stored.
 * - `GET …` and `GET …/manifest.json`: a stored shard's manifest, to anyone.
 * - `GET …/file?path=P`: a stored file, to the job's developer on a signed request (§4.2 v2, each
 *   request answered once), as the agent's results endpoint does (§14.3).
 */
export function storeRoutes(ctx: StoreRoutesContext) {
  const now = ctx.now ?? (() => Math.floor(Date.now() / 1000));
  const shardBase = `${STORE_PREFIX}/job-:jobId/shard-:shard`;

  /** Marks what arrived; when nothing is missing, checks c.bin for matmul rows and stores the shard. */
  const settleUpload = async (jobId: string, shard: number): Promise<string[]> => {
    const missing = ctx.index.markReceived(jobId, shard, (h) => ctx.blobs.has(h));
    if (missing.length > 0) return missing;
    const upload = ctx.index.get(jobId, shard)!;
    if (upload.complete) return [];
    if (!rootFromHashesOnly(upload.manifest)) {
      const cBin = upload.manifest.files.find((f) => f.path === "c.bin");
      let root: Hex | undefined;
      try {
        root =
          cBin && (await resultsRoot(upload.manifest, [], await fs.promises.readFile(ctx.blobs.pathOf(cBin.sha256))));
      } catch (err) {
        if (!(err instanceof ResultsDownloadError)) throw err;
      }
      if (root?.toLowerCase() !== upload.root.toLowerCase()) {
        await ctx.blobs.remove(ctx.index.drop(jobId, shard));
        throw new HttpError(422, "STORE_ROOT_MISMATCH", "c.bin does not recompute the committed root", {
          details: { committed: upload.root, computed: root ?? null },
        });
      }
    }
    ctx.index.complete(jobId, shard, now());
    ctx.logger.info({ jobId, shard, bytes: upload.bytes }, "shard results stored");
    return [];
  };

  const storedUpload = (jobId: string, shard: number) => {
    const upload = ctx.index.get(jobId, shard);
    if (!upload?.complete) {
      throw new HttpError(404, "STORE_NO_RESULTS", `the store holds no results for shard ${jobId}/${shard}`);
    }
    return upload;
  };

  return (app: Express, registry: Registry) => {
    const uploads = new Counter({
      name: "rigel_store_uploads_total",
      help: "shard uploads by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    });
    const served = new Counter({
      name: "rigel_store_served_bytes_total",
      help: "bytes of result files served to developers",
      registers: [registry],
    });

    app.use(STORE_PREFIX, (req, res, next) => {
      if (req.method !== "GET" && req.method !== "OPTIONS") return next();
      cors(res);
      if (req.method === "OPTIONS") {
        res.status(204).end();
        return;
      }
      next();
    });

    app.put(`${shardBase}/manifest.json`, async (req: Request & { rawBody?: Buffer }, res) => {
      const { jobId, shard } = shardOf(req);
      let onChain: { operator: Address; state: number; resultRoot: Hex } | undefined;
      const signer = await verified(req, req.rawBody ?? "", ctx.replayGuard, async (who) => {
        onChain = await ctx.chain.shard(BigInt(jobId), shard);
        if (getAddress(onChain.operator) !== getAddress(who)) {
          throw new HttpError(403, "STORE_NOT_OPERATOR", "only the shard's operator may upload its results", {
            details: { signer: who, operator: onChain.operator },
          });
        }
        if (!RELEASED.has(onChain.state)) {
          throw new HttpError(409, "STORE_NOT_RELEASED", "the shard is not Settled or DeveloperFault on-chain", {
            details: { state: shardStateName(onChain.state) },
          });
        }
      });
      const manifest: unknown = req.body;
      try {
        assertWellFormedManifest(manifest);
      } catch (err) {
        if (err instanceof ResultsDownloadError) throw new HttpError(400, "STORE_BAD_MANIFEST", err.message);
        throw err;
      }
      const m: ResultsManifest = manifest;
      if (String(m.jobId) !== jobId || m.shard !== shard) {
        throw new HttpError(400, "STORE_BAD_MANIFEST", "the manifest is for another shard than its URL");
      }
      const stray = m.files.find((f) => !committedPath(m, f.path));
      if (stray) {
        throw new HttpError(422, "STORE_UNCOMMITTED_PATH", "the manifest names a file the root does not commit to", {
          details: { path: stray.path },
        });
      }
      const bytes = m.files.reduce((sum, f) => sum + f.size, 0);
      const { maxFileBytes, maxShardBytes, maxShardFiles, maxStoreBytes } = ctx.limits;
      if (m.files.length > maxShardFiles || bytes > maxShardBytes || m.files.some((f) => f.size > maxFileBytes)) {
        uploads.inc({ outcome: "too_large" });
        throw new HttpError(413, "STORE_TOO_LARGE", "the shard's results are over this store's limits", {
          details: { files: m.files.length, bytes, maxShardFiles, maxShardBytes, maxFileBytes },
        });
      }
      if (m.root.toLowerCase() !== onChain!.resultRoot.toLowerCase()) {
        uploads.inc({ outcome: "root_mismatch" });
        throw new HttpError(422, "STORE_ROOT_MISMATCH", "the manifest's root is not the shard's committed root", {
          details: { committed: onChain!.resultRoot, manifest: m.root },
        });
      }
      if (rootFromHashesOnly(m)) {
        const computed = await containerResultsRoot(m, m.files);
        if (computed.toLowerCase() !== m.root.toLowerCase()) {
          uploads.inc({ outcome: "root_mismatch" });
          throw new HttpError(422, "STORE_ROOT_MISMATCH", "the files' hashes do not recompute the committed root", {
            details: { committed: m.root, computed },
          });
        }
      }
      const existing = ctx.index.get(jobId, shard);
      if (existing?.complete) {
        res.status(200).json({ state: "stored", missing: [] });
        return;
      }
      if (ctx.index.totalBytes() - (existing?.bytes ?? 0) + bytes > maxStoreBytes) {
        uploads.inc({ outcome: "full" });
        throw new HttpError(507, "STORE_FULL", "the store is full");
      }
      const clean: ResultsManifest = {
        ...m,
        jobId,
        files: m.files.map((f) => ({ ...f, sha256: f.sha256.toLowerCase() as Hex })),
      };
      ctx.index.announce({ jobId, shard, operator: signer, root: m.root, manifest: clean, bytes, announcedAt: now() });
      const missing = await settleUpload(jobId, shard);
      uploads.inc({ outcome: missing.length === 0 ? "stored" : "announced" });
      res.status(201).json({ state: missing.length === 0 ? "stored" : "waiting", missing });
    });

    app.put(`${shardBase}/*path`, async (req, res) => {
      const { jobId, shard } = shardOf(req);
      const segments = req.params.path as unknown as string[];
      let rel: string;
      try {
        rel = safeRelative(segments.join("/"));
      } catch {
        throw new HttpError(400, "STORE_BAD_PATH", "unsafe file path");
      }
      const entry = ctx.index.file(jobId, shard, rel);
      if (!entry) {
        throw new HttpError(409, "STORE_NOT_ANNOUNCED", "no signed manifest names this file: PUT manifest.json first", {
          details: { path: rel },
        });
      }
      const declared = req.headers["x-rigel-sha256"];
      if (typeof declared === "string" && declared.toLowerCase() !== entry.sha256) {
        throw new HttpError(422, "STORE_FILE_MISMATCH", "x-rigel-sha256 is not the manifest's sha256 of this file");
      }
      if (Number(req.headers["content-length"] ?? 0) > entry.size) {
        throw new HttpError(413, "STORE_FILE_TOO_LARGE", "the file is longer than its manifest entry");
      }
      if (entry.received || ctx.blobs.has(entry.sha256)) req.resume();
      else await ctx.blobs.put(req, entry.sha256, entry.size);
      const missing = await settleUpload(jobId, shard);
      res.status(201).json({ state: missing.length === 0 ? "stored" : "waiting", missing: missing.length });
    });

    const manifest = (req: Request, res: Response) => {
      const { jobId, shard } = shardOf(req);
      res.json(storedUpload(jobId, shard).manifest);
    };
    app.get(shardBase, manifest);
    app.get(`${shardBase}/manifest.json`, manifest);

    app.get(`${shardBase}/file`, async (req, res) => {
      const { jobId, shard } = shardOf(req);
      let upload: ReturnType<typeof storedUpload> | undefined;
      await verified(req, "", ctx.replayGuard, async (signer) => {
        upload = storedUpload(jobId, shard);
        const developer = await ctx.chain.developer(BigInt(jobId));
        if (getAddress(developer) !== getAddress(signer)) {
          throw new HttpError(403, "STORE_NOT_DEVELOPER", "only the job's developer may read its result files", {
            details: { signer },
          });
        }
      });
      const wanted = String(req.query.path ?? "");
      const entry = upload!.manifest.files.find((f) => f.path === wanted);
      if (!entry) throw new HttpError(404, "STORE_NO_FILE", "no such result file");
      const handle = await fs.promises.open(
        ctx.blobs.pathOf(entry.sha256),
        fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW,
      );
      try {
        res.status(200);
        res.setHeader("Content-Type", "application/octet-stream");
        res.setHeader("Content-Length", String(entry.size));
        res.setHeader("x-rigel-sha256", entry.sha256);
        served.inc(entry.size);
        await pipeline(handle.createReadStream({ autoClose: false }), res).catch(() => {
          // The client went away mid-file.
        });
      } finally {
        await handle.close();
      }
    });
  };
}

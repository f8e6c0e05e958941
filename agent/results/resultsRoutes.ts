import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Express, Request } from "express";
import { getAddress } from "viem";
import type { ResultFile, ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import { RIGEL_AUTH_HEADERS } from "../../sdk/auth/headers";
import type { ReplayGuard } from "../../sdk/auth/replayGuard";
import { RequestAuthError, verifyRequest } from "../../sdk/auth/verifyRequest";
import { HttpError } from "../../sdk/errors/HttpError";
import type { AgentChain } from "../chain/agentChain";
import type { Journal, ShardState as JournalState } from "../journal/journal";
import { ranData, type RanData } from "../journal/shardData";
import { shardWorkspace } from "../shard/shardWorkspace";
import { assertResultsReleased, ResultsNotReleasedError } from "./assertResultsReleased";

/**
 * What the results routes read: the journal (which shards have results), the chain (who the
 * developer is, and whether the shard is settled: `getShard` is sdk/market `readShard`).
 */
export interface ResultsRoutesContext {
  journal: Journal;
  chain: Pick<AgentChain, "getJob" | "getShard">;
  dataDir: string;
  replayGuard: ReplayGuard;
}

const SERVED_STATES = new Set<JournalState>([
  "ran",
  "submitting",
  "submitted",
  "proving",
  "attested",
  "settling",
  "settled",
  "developerFault",
  "failed",
]);

function listFiles(dir: string, prefix: string): { rel: string; abs: string }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { rel: string; abs: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(abs, `${rel}/`));
    else if (entry.isFile()) out.push({ rel, abs });
  }
  return out;
}

function fileEntry(rel: string, abs: string): ResultFile {
  const bytes = fs.readFileSync(abs);
  return { path: rel, sha256: `0x${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length };
}

/** The files a shard serves, by manifest path → absolute path, and how they commit (PROTOCOL §14.3). */
export function shardResultFiles(
  dataDir: string,
  jobId: bigint,
  shard: number,
  data: RanData,
): { manifest: Omit<ResultsManifest, "files">; files: Map<string, string> } {
  const workspace = shardWorkspace(dataDir, jobId, shard);
  const files = new Map<string, string>();
  const base = { jobId: jobId.toString(), shard, root: data.root };
  if (data.kind === "matmul-int8") {
    files.set("c.bin", workspace.cBin);
    const result = JSON.parse(fs.readFileSync(workspace.resultJson, "utf8")) as { n: number };
    return {
      manifest: { ...base, commitment: "matmul-rows", rowStart: data.rowStart, rowEnd: data.rowEnd, n: result.n },
      files,
    };
  }
  if (data.itemStart === null || data.itemEnd === null) {
    for (const f of listFiles(workspace.outputDir, "output/")) files.set(f.rel, f.abs);
    return { manifest: { ...base, commitment: "container-files" }, files };
  }
  const start = data.itemStart;
  const end = data.itemEnd;
  for (let item = start; item < end; item++) {
    for (const f of listFiles(workspace.itemOutputDir(item), `items/${item - start}/`)) files.set(f.rel, f.abs);
  }
  return { manifest: { ...base, commitment: "container-items", items: end - start }, files };
}

/**
 * `GET /v1/results/:jobId/:shard` (the manifest) and `GET /v1/results/:jobId/:shard/file?path=P`
 * (one file), each answered only to a request signed (PROTOCOL §4.2) by the job's developer on-chain,
 * and only once the shard is Settled or DeveloperFault on-chain (§18.7): before that, 409
 * `AGENT_RESULTS_NOT_RELEASED` with the shard's state. A failed run (§18.2) committed no outputs: 404
 * `NO_RESULTS` with its `failure`.
 * Browsers may call them from any origin (CORS, PROTOCOL §14.3): the signature, not a cookie or the
 * origin, is the credential, so the dapp can download results from a page served elsewhere.
 */
export function resultsRoutes(ctx: ResultsRoutesContext) {
  const authorise = async (req: Request): Promise<{ jobId: bigint; shard: number; data: RanData }> => {
    const jobId = /^\d{1,30}$/.test(String(req.params.jobId)) ? BigInt(String(req.params.jobId)) : undefined;
    const shard = /^\d{1,3}$/.test(String(req.params.shard)) ? Number(req.params.shard) : undefined;
    if (jobId === undefined || shard === undefined) throw new HttpError(400, "BAD_SHARD", "malformed job id or shard");
    let signer;
    try {
      signer = await verifyRequest({
        method: req.method,
        path: req.originalUrl,
        body: "",
        headers: req.headers,
        replayGuard: ctx.replayGuard,
      });
    } catch (err) {
      if (err instanceof RequestAuthError) throw new HttpError(401, err.code, err.message, { details: err.details });
      throw err;
    }
    const entry = ctx.journal.get(jobId, shard);
    const data = entry && SERVED_STATES.has(entry.state) ? ranData(entry.data) : undefined;
    if (!data) throw new HttpError(404, "NO_RESULTS", `no results for shard ${jobId}/${shard} on this agent`);
    const job = await ctx.chain.getJob(jobId);
    if (getAddress(job.developer) !== getAddress(signer)) {
      throw new HttpError(403, "NOT_DEVELOPER", "only the job's developer may read its results", {
        details: { signer },
      });
    }
    try {
      assertResultsReleased(jobId, shard, (await ctx.chain.getShard(jobId, shard)).state);
    } catch (err) {
      if (err instanceof ResultsNotReleasedError) {
        throw new HttpError(409, err.code, err.message, { details: err.details });
      }
      throw err;
    }
    if (data.failure) {
      throw new HttpError(404, "NO_RESULTS", `shard ${jobId}/${shard} failed on the developer's code: no outputs`, {
        details: { failure: data.failure },
      });
    }
    return { jobId, shard, data };
  };

  return (app: Express) => {
    app.use("/v1/results", (req, res, next) => {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Methods", "GET");
      res.setHeader("Access-Control-Allow-Headers", Object.values(RIGEL_AUTH_HEADERS).join(", "));
      res.setHeader("Access-Control-Max-Age", "600");
      if (req.method === "OPTIONS") {
        res.status(204).end();
        return;
      }
      next();
    });
    app.get("/v1/results/:jobId/:shard", async (req, res) => {
      const { jobId, shard, data } = await authorise(req);
      const { manifest, files } = shardResultFiles(ctx.dataDir, jobId, shard, data);
      const body: ResultsManifest = { ...manifest, files: [...files].map(([rel, abs]) => fileEntry(rel, abs)) };
      res.json(body);
    });
    app.get("/v1/results/:jobId/:shard/file", async (req, res) => {
      const { jobId, shard, data } = await authorise(req);
      const { files } = shardResultFiles(ctx.dataDir, jobId, shard, data);
      const abs = files.get(String(req.query.path ?? ""));
      if (!abs) throw new HttpError(404, "NO_FILE", "no such result file");
      res.type("application/octet-stream").send(fs.readFileSync(abs));
    });
  };
}

import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Express, Request } from "express";
import { getAddress } from "viem";
import { RIGEL_AUTH_HEADERS } from "../../sdk/auth/headers";
import type { ReplayGuard } from "../../sdk/auth/replayGuard";
import { ReplayMemoryFullError } from "../../sdk/auth/sqliteReplayGuard";
import { RequestAuthError, verifyRequest } from "../../sdk/auth/verifyRequest";
import { HttpError } from "../../sdk/errors/HttpError";
import type { AgentChain } from "../chain/agentChain";
import type { Journal, ShardState as JournalState } from "../journal/journal";
import { ranData, type RanData } from "../journal/shardData";
import { assertResultsReleased, ResultsNotReleasedError } from "./assertResultsReleased";
import { ResultsManifests } from "./resultsManifests";
import { resultFilePath } from "./shardResultsManifest";

// Kept here for the callers that list a shard's files (shard driver, uploads).
export { shardResultFiles } from "./shardResultFiles";

/**
 * What the results routes read: the journal (which shards have results), the chain (who the
 * developer is, and whether the shard is settled: `getShard` is sdk/market `readShard`), and the
 * replay memory that makes each signed request's nonce good once (persistent: sdk/auth
 * `SqliteReplayGuard`).
 */
export interface ResultsRoutesContext {
  journal: Journal;
  chain: Pick<AgentChain, "getJob" | "getShard">;
  dataDir: string;
  replayGuard: ReplayGuard;
  /** The kept manifests (default: a new cache over `dataDir`). */
  manifests?: ResultsManifests;
}

const SERVED_STATES = new Set<JournalState>([
  "ran",
  "submitting",
  "claiming",
  "submitted",
  "proving",
  "attested",
  "settling",
  "settled",
  "developerFault",
  "failed",
]);

/**
 * `GET /v1/results/:jobId/:shard` (the manifest) and `GET /v1/results/:jobId/:shard/file?path=P`
 * (one file), each answered only to a request signed (PROTOCOL §4.2) by the job's developer on-chain,
 * and only once the shard is Settled or DeveloperFault on-chain (§18.7): before that, 409
 * `AGENT_RESULTS_NOT_RELEASED` with the shard's state. A failed run (§18.2) committed no outputs: 404
 * `NO_RESULTS` with its `failure`.
 * Each request carries a fresh `x-rigel-nonce` in its signature (§4.2 version 2) and is answered
 * once: a replay within the 60 s window is refused (401, fault `replayed`). Only a request that passed
 * every check above is remembered, so other signers cannot fill the replay memory; when it is full,
 * 503 `AGENT_BUSY`.
 * The manifest is the one kept when the shard ran (no file is hashed per request); a file is
 * streamed from disk, whatever its size.
 * Browsers may call them from any origin (CORS, PROTOCOL §14.3): the signature, not a cookie or the
 * origin, is the credential, so the dapp can download results from a page served elsewhere.
 */
export function resultsRoutes(ctx: ResultsRoutesContext) {
  const manifests = ctx.manifests ?? new ResultsManifests(ctx.dataDir);
  const authorise = async (req: Request): Promise<{ jobId: bigint; shard: number; data: RanData }> => {
    const jobId = /^\d{1,30}$/.test(String(req.params.jobId)) ? BigInt(String(req.params.jobId)) : undefined;
    const shard = /^\d{1,3}$/.test(String(req.params.shard)) ? Number(req.params.shard) : undefined;
    if (jobId === undefined || shard === undefined) throw new HttpError(400, "BAD_SHARD", "malformed job id or shard");
    let data: RanData | undefined;
    try {
      await verifyRequest({
        method: req.method,
        path: req.originalUrl,
        body: "",
        headers: req.headers,
        replayGuard: ctx.replayGuard,
        requireNonce: true,
        beforeClaim: async (signer) => {
          data = await releasedResults(jobId, shard, signer);
        },
      });
    } catch (err) {
      if (err instanceof RequestAuthError) throw new HttpError(401, err.code, err.message, { details: err.details });
      if (err instanceof ReplayMemoryFullError) {
        throw new HttpError(503, "AGENT_BUSY", "too many recent requests: try again in a minute");
      }
      throw err;
    }
    return { jobId, shard, data: data! };
  };

  /** The checks of a signed request, in the order of PROTOCOL §14.3: 404, 403, 409, then a failed run's 404. */
  const releasedResults = async (jobId: bigint, shard: number, signer: string): Promise<RanData> => {
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
    return data;
  };

  return (app: Express) => {
    app.use("/v1/results", (req, res, next) => {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Methods", "GET");
      res.setHeader("Access-Control-Allow-Headers", Object.values(RIGEL_AUTH_HEADERS).join(", "));
      res.setHeader("Access-Control-Expose-Headers", "x-rigel-sha256");
      res.setHeader("Access-Control-Max-Age", "600");
      if (req.method === "OPTIONS") {
        res.status(204).end();
        return;
      }
      next();
    });
    app.get("/v1/results/:jobId/:shard", async (req, res) => {
      const { jobId, shard, data } = await authorise(req);
      res.json(await manifests.get(jobId, shard, data));
    });
    app.get("/v1/results/:jobId/:shard/file", async (req, res) => {
      const { jobId, shard, data } = await authorise(req);
      const manifest = await manifests.get(jobId, shard, data);
      const wanted = String(req.query.path ?? "");
      const entry = manifest.files.find((f) => f.path === wanted);
      if (!entry) throw new HttpError(404, "NO_FILE", "no such result file");
      // O_NOFOLLOW: a result file replaced by a link is not followed out of the workspace.
      const handle = await fs.promises.open(
        resultFilePath(ctx.dataDir, jobId, shard, data, entry.path),
        fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW,
      );
      try {
        const stat = await handle.stat();
        if (!stat.isFile() || stat.size !== entry.size) {
          throw new HttpError(500, "RESULT_FILE_CHANGED", "a result file changed after it was committed");
        }
        res.status(200);
        res.setHeader("Content-Type", "application/octet-stream");
        res.setHeader("Content-Length", String(stat.size));
        res.setHeader("x-rigel-sha256", entry.sha256);
        await pipeline(handle.createReadStream({ autoClose: false }), res).catch(() => {
          // The client went away mid-file: nothing to answer, the socket is gone.
        });
      } finally {
        await handle.close();
      }
    });
  };
}

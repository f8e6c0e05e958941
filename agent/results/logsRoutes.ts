import type { Express, Request } from "express";
import { getAddress } from "viem";
import { RIGEL_AUTH_HEADERS } from "../../sdk/auth/headers";
import type { ReplayGuard } from "../../sdk/auth/replayGuard";
import { ReplayMemoryFullError } from "../../sdk/auth/sqliteReplayGuard";
import { RequestAuthError, verifyRequest } from "../../sdk/auth/verifyRequest";
import { HttpError } from "../../sdk/errors/HttpError";
import type { AgentChain } from "../chain/agentChain";
import type { ShardLogHub } from "./shardLogs";

export interface LogsRoutesContext {
  logs: ShardLogHub;
  chain: Pick<AgentChain, "getJob">;
  replayGuard: ReplayGuard;
  /** A comment line is sent this often so that proxies keep an idle stream open (default 15 s). */
  keepAliveMs?: number;
}

/**
 * `GET /v1/shards/:jobId/:shard/logs` (PROTOCOL §14.11): the live log of a shard this agent runs,
 * as Server-Sent Events, to its job's developer only (a request signed per §4.2 version 2, answered
 * once; 401 otherwise, 404 when the agent has no log of the shard, 403 for another signer). Sends
 * the lines so far (`event: line`, data `{ seq, stream, item, text }`), then each new one, then
 * `event: end` when the shard's run ends; `?follow=0` ends after the lines so far; `?from=N` starts at
 * line N (a reconnecting reader).
 */
export function logsRoutes(ctx: LogsRoutesContext) {
  const authorise = async (req: Request): Promise<{ jobId: bigint; shard: number }> => {
    const jobId = /^\d{1,30}$/.test(String(req.params.jobId)) ? BigInt(String(req.params.jobId)) : undefined;
    const shard = /^\d{1,3}$/.test(String(req.params.shard)) ? Number(req.params.shard) : undefined;
    if (jobId === undefined || shard === undefined) throw new HttpError(400, "BAD_SHARD", "malformed job id or shard");
    try {
      await verifyRequest({
        method: req.method,
        path: req.originalUrl,
        body: "",
        headers: req.headers,
        replayGuard: ctx.replayGuard,
        requireNonce: true,
        beforeClaim: async (signer) => {
          if (!ctx.logs.get(jobId, shard)) {
            throw new HttpError(404, "NO_LOGS", `this agent has no log of shard ${jobId}/${shard}`);
          }
          const job = await ctx.chain.getJob(jobId);
          if (getAddress(job.developer) !== getAddress(signer)) {
            throw new HttpError(403, "NOT_DEVELOPER", "only the job's developer may read its logs", {
              details: { signer },
            });
          }
        },
      });
    } catch (err) {
      if (err instanceof RequestAuthError) throw new HttpError(401, err.code, err.message, { details: err.details });
      if (err instanceof ReplayMemoryFullError) {
        throw new HttpError(503, "AGENT_BUSY", "too many recent requests: try again in a minute");
      }
      throw err;
    }
    return { jobId, shard };
  };

  return (app: Express) => {
    app.use("/v1/shards", (req, res, next) => {
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
    app.get("/v1/shards/:jobId/:shard/logs", async (req, res) => {
      const { jobId, shard } = await authorise(req);
      const follow = req.query.follow !== "0";
      const from = /^\d{1,9}$/.test(String(req.query.from ?? "")) ? Number(req.query.from) : 0;
      res.status(200);
      res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
      res.setHeader("Cache-Control", "no-cache, no-transform");
      res.setHeader("X-Accel-Buffering", "no");
      res.flushHeaders();
      let stop = () => {};
      let ended = false;
      const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), ctx.keepAliveMs ?? 15_000);
      const finish = () => {
        clearInterval(keepAlive);
        stop();
        if (!res.writableEnded) res.end();
      };
      res.on("close", finish);
      stop = ctx.logs.follow(jobId, shard, from, (event) => {
        if (event.line) res.write(`event: line\nid: ${event.line.seq}\ndata: ${JSON.stringify(event.line)}\n\n`);
        if (event.ended) {
          ended = true;
          res.write(`event: end\ndata: ${JSON.stringify({ reason: "the shard's run ended" })}\n\n`);
          setImmediate(finish);
        }
      });
      if (!follow && !ended) {
        res.write(`event: end\ndata: ${JSON.stringify({ reason: "not following" })}\n\n`);
        finish();
      }
    });
  };
}

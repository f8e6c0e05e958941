// `rigel job logs JOB_ID --shard N [--follow]`: a running shard's live log, from its operator's
// agent (PROTOCOL §14.11), on a request signed by the job's developer.
import type { LocalAccount } from "viem";
import { followShardLogs, operatorEndpoint, shardLogsUrl, type ShardLogLine } from "../sdk/agentApi/shardLogs";
import { defineCommand, UsageError } from "../sdk/cli/commands";
import { ShardState, shardStateName } from "../sdk/market/enums";
import { readJob } from "../sdk/market/readJob";
import { readShard } from "../sdk/market/readShard";
import { jobIdArg, toJson } from "./commandHelpers";
import { CONNECTION_FLAGS, connect, type JobCliDeps } from "./connect";
import { numberFlag } from "./planFromChain";

/** One log line as printed: `[item 3] text`, stderr lines marked. */
export function logLineText(line: ShardLogLine): string {
  const where = line.item === null ? "" : `[item ${line.item}] `;
  return `${where}${line.stream === "stderr" ? "(stderr) " : ""}${line.text}`;
}

/** The `logs` command, bound to `deps`. */
export function logsCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "logs",
    summary: "print a shard's container log from its operator's agent (--follow: until its run ends)",
    args: "JOB_ID",
    flags: {
      ...CONNECTION_FLAGS,
      shard: { type: "string", value: "N", description: "the shard (required)" },
      follow: { type: "boolean", description: "keep printing new lines until the shard's run ends" },
      agent: {
        type: "string",
        value: "URL",
        description: "the agent's base URL (default: the operator's registered endpoint)",
      },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const shard = numberFlag(flags.shard, "shard");
      if (shard === undefined) throw new UsageError("RIGEL_JOB_NO_SHARD", "--shard N is required");
      const market = conn.deployment.contracts.JobMarket;
      const job = await readJob(conn.publicClient, { market, jobId });
      if (!Number.isInteger(shard) || shard < 0 || shard >= job.shards) {
        throw new UsageError("RIGEL_JOB_BAD_SHARD", `job ${jobId} has shards 0..${job.shards - 1}`);
      }
      const sh = await readShard(conn.publicClient, { market, jobId, shard });
      if (sh.state === ShardState.Open || sh.state === ShardState.Cancelled) {
        throw new UsageError(
          "RIGEL_JOB_NO_OPERATOR",
          `shard ${shard} has no operator yet (${shardStateName(sh.state)})`,
        );
      }
      const endpoint =
        flags.agent ??
        (await operatorEndpoint(conn.publicClient, conn.deployment.contracts.OperatorStaking, sh.operator));
      const url = shardLogsUrl(endpoint, jobId, shard);
      let lines = 0;
      for await (const line of followShardLogs(url, conn.account as LocalAccount, { follow: Boolean(flags.follow) })) {
        out.result(flags.json ? toJson(line) : logLineText(line));
        lines++;
      }
      out.info(`${lines} line(s) from ${url}`);
      return 0;
    },
  });
}

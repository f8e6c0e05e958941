// `rigel job status JOB_ID [--watch]`: a job's shards, what each final one credited, and what the
// market owes the developer (refunds are credited, then withdrawn: `rigel job withdraw`).
import { zeroAddress } from "viem";
import { defineCommand } from "../sdk/cli/commands";
import { indexerUrlFrom } from "../sdk/indexer/indexerUrl";
import { isFinalShardState, JobKind, ShardState } from "../sdk/market/enums";
import { perThousandTokensFromPricePerUnit } from "../sdk/pricing/pricePerThousandTokens";
import { jobIdArg, toJson } from "./commandHelpers";
import { CONNECTION_FLAGS, connect, type JobCliDeps } from "./connect";
import { jobAccount, type JobAccount } from "./jobAccount";
import { numberFlag } from "./planFromChain";
import type { ShardCredit } from "./readShardCredits";
import { formatTokenAmount, type TokenInfo } from "./tokenAmount";
import { formatAddress, formatDate, formatDuration } from "../sdk/cli/humanFormat";

/** `2026-12-06 17:05 UTC (in 2 h 5 min)` against the chain's time. */
export function whenText(at: bigint, now: bigint): string {
  const delta = Number(at - now);
  return `${formatDate(at)} (${delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`})`;
}

/** What a DeveloperFault shard means for the developer (PROTOCOL §18.2). */
const DEVELOPER_FAULT_NOTE =
  "developer's code failed: the operator was paid for the units used (at most those submitted), the rest refunded";

function creditText(c: ShardCredit, token: TokenInfo): string {
  const parts: string[] = [];
  if (c.outcome === "settled" || c.outcome === "developer-fault") {
    parts.push(`${formatTokenAmount(c.paid, token)} to the operator`);
    if (c.fee > 0n) parts.push(`fee ${formatTokenAmount(c.fee, token)}`);
  }
  parts.push(`refund ${formatTokenAmount(c.refund, token)} to the developer`);
  return `credited: ${parts.join(", ")}`;
}

export function statusText(a: JobAccount): string {
  const { status: s, token } = a;
  const done = s.shards.filter((x) => isFinalShardState(x.state)).length;
  const llm = s.kind === JobKind.LlmInference;
  const lines = [
    `job ${s.jobId}: ${done}/${s.shards.length} shard(s) final, escrow left ${formatTokenAmount(s.escrow, token)}, deadline ${whenText(s.deadline, s.timestamp)}`,
  ];
  if (llm) {
    lines.push(
      `  llm-inference: units are tokens (prompt + generated); max ${s.maxUnitsPerShard} tokens per shard at ` +
        `${formatTokenAmount(perThousandTokensFromPricePerUnit(s.maxPricePerUnit), token)} per 1,000 tokens`,
    );
  }
  if (s.gang) {
    lines.push(
      s.gang.startedAt > 0n
        ? `  gang started at ${formatDate(s.gang.startedAt)}`
        : `  gang: ${s.gang.accepted}/${s.shards.length} accepted, accept deadline ${whenText(s.gang.acceptDeadline, s.timestamp)}${s.gang.released ? ", released" : ""}`,
    );
  }
  for (const x of s.shards) {
    const who =
      x.state === ShardState.Open
        ? x.assigned === zeroAddress
          ? "open to anyone"
          : `waiting for ${formatAddress(x.assigned)}`
        : `by ${formatAddress(x.operator)}`;
    lines.push(
      `  shard ${x.shard}: ${x.stateName}${x.units > 0n ? ` (${x.units} ${llm ? "tokens" : "units"})` : ""} ${who}`,
    );
    if (x.state === ShardState.DeveloperFault) lines.push(`    ${DEVELOPER_FAULT_NOTE}`);
    const credit = a.credits.get(x.shard);
    if (credit) lines.push(`    ${creditText(credit, token)}`);
  }
  lines.push(
    `this job credited ${formatTokenAmount(a.refunded, token)} to the developer and ${formatTokenAmount(a.paid, token)} to operators`,
  );
  lines.push(
    `owed to the developer ${formatAddress(s.developer)} on this market (all jobs): ${formatTokenAmount(a.developerOwed, token)}` +
      (a.developerOwed > 0n ? ` — withdraw: rigel job withdraw --token ${token.address}` : ""),
  );
  return lines.join("\n");
}

/** `--json`: the sdk status with each shard's credit, the job's sums and the developer's credit. */
export function statusJson(a: JobAccount): string {
  return toJson({
    ...a.status,
    token: a.token,
    shards: a.status.shards.map((x) => ({ ...x, credit: a.credits.get(x.shard) ?? null })),
    refunded: a.refunded,
    paid: a.paid,
    developerOwed: a.developerOwed,
    developerOwedText: formatTokenAmount(a.developerOwed, a.token),
  });
}

/** The `status` command, bound to `deps`. */
export function statusCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "status",
    summary: "a job's shards, what each credited, and what you are owed (--watch to follow until every shard is final)",
    args: "JOB_ID",
    flags: {
      ...CONNECTION_FLAGS,
      watch: { type: "boolean", description: "poll until every shard is final" },
      interval: { type: "string", value: "MS", description: "poll interval for --watch", default: "2000" },
      indexer: {
        type: "string",
        value: "URL",
        description: "read shard outcomes from the Rigel indexer (default RIGEL_INDEXER_URL; none: chain logs)",
      },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, false);
      const jobId = jobIdArg(positionals);
      const indexerUrl = indexerUrlFrom(flags.indexer);
      let last = "";
      for (;;) {
        const a = await jobAccount(conn, jobId, indexerUrl);
        const text = flags.json ? statusJson(a) : statusText(a);
        if (text !== last) out.result(text);
        last = text;
        if (!flags.watch || a.status.shards.every((x) => isFinalShardState(x.state))) return;
        await (deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(
          numberFlag(flags.interval, "interval") ?? 2000,
        );
      }
    },
  });
}

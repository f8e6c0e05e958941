// `rigel job refund JOB_ID`: recover every escrow of a job that can be recovered now.
import { defineCommand } from "../sdk/cli/commands";
import { jobIdArg, toJson } from "./commandHelpers";
import { CONNECTION_FLAGS, connect, type JobCliDeps } from "./connect";
import { recoverEscrow, type RecoverEscrowReturnType, type ShardRefund } from "./recoverEscrow";

const when = (t: bigint) => `${new Date(Number(t) * 1000).toISOString()} (unix ${t})`;

function refundLine(r: ShardRefund, dryRun: boolean): string {
  const what = {
    cancelled: "cancelled",
    released: "released (gang did not start)",
    "expired-no-show": `expired, no-show by ${r.operator ?? "its operator"}`,
    "expired-unanswered": `expired, the committee did not answer within the verify window`,
  }[r.outcome];
  const slash =
    r.slashed !== undefined
      ? `; the operator was slashed ${r.slashed} RGL wei, ${r.compensation} to the developer`
      : "";
  return `  shard ${r.shard}: ${what}, ${dryRun ? "would refund" : "refund"} ${r.refund}${slash}${r.transaction ? ` (${r.transaction})` : ""}`;
}

function refundText(r: RecoverEscrowReturnType): string {
  const lines: string[] = [];
  const txs = new Set(r.refunded.map((x) => x.transaction)).size;
  if (r.refunded.length === 0 && r.failed.length === 0) lines.push(`job ${r.jobId}: nothing to refund now`);
  else if (r.dryRun)
    lines.push(`job ${r.jobId}: would refund ${r.total} of token ${r.paymentToken} to ${r.developer} (dry run)`);
  else
    lines.push(
      `job ${r.jobId}: refunded ${r.total} of token ${r.paymentToken} to ${r.developer} in ${txs} transaction(s)`,
    );
  for (const x of r.refunded) lines.push(refundLine(x, r.dryRun));
  if (r.refunded.length > 0) {
    lines.push(
      `  total ${r.total}${r.compensation > 0n ? `, plus ${r.compensation} RGL wei slashed from no-shows to the developer` : ""}`,
    );
  }
  for (const f of r.failed)
    lines.push(`  FAILED ${f.action.kind} of shard(s) ${f.action.shards.join(", ")}: ${f.error}`);
  if (r.locked.length === 0)
    lines.push(r.dryRun ? "nothing else would stay locked" : "nothing else locked: every shard is final");
  else {
    lines.push(`${r.dryRun ? "would stay locked" : "still locked"}: ${r.lockedTotal} in ${r.locked.length} shard(s)`);
    for (const l of r.locked)
      lines.push(`  shard ${l.shard}: ${l.reason}${l.until !== undefined ? `; until ${when(l.until)}` : ""}`);
  }
  return lines.join("\n");
}

/** The `refund` command, bound to `deps`. */
export function refundCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "refund",
    summary:
      "recover every escrow of a job recoverable now: cancel open shards, expire overdue ones, release an unstarted gang",
    args: "JOB_ID",
    flags: {
      ...CONNECTION_FLAGS,
      "dry-run": { type: "boolean", description: "show what would be refunded and send nothing" },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const r = await recoverEscrow(conn, jobId, { dryRun: flags["dry-run"] });
      out.result(flags.json ? toJson(r) : refundText(r));
      if (r.failed.length === 0) return 0;
      out.error(`rigel job refund: ${r.failed.length} transaction(s) failed`);
      return 1;
    },
  });
}

// `rigel job refund JOB_ID`: recover every escrow of a job that can be recovered now. The refunds are
// credited to the developer in the market (pull payments, PROTOCOL §9.3); `rigel job withdraw` pays them out.
import { defineCommand } from "../sdk/cli/commands";
import { readOwed } from "../sdk/market/readOwed";
import { jobIdArg, toJson } from "./commandHelpers";
import { CONNECTION_FLAGS, connect, type JobCliDeps } from "./connect";
import { recoverEscrow, type RecoverEscrowReturnType, type ShardRefund } from "./recoverEscrow";
import { formatDate, formatRgl } from "../sdk/cli/humanFormat";
import { formatTokenAmount, formatTokenAmountExact, readTokenInfo, type TokenInfo } from "./tokenAmount";

const when = (t: bigint) => formatDate(t);

function refundLine(r: ShardRefund, dryRun: boolean, token: TokenInfo): string {
  const what = {
    cancelled: "cancelled",
    released: "released (gang did not start)",
    "expired-no-show": `expired, no-show by ${r.operator ?? "its operator"}`,
    "expired-unanswered": `expired, the committee did not answer within the verify window`,
  }[r.outcome];
  const slash =
    r.slashed !== undefined
      ? `; the operator was slashed ${formatRgl(r.slashed)}, ${formatRgl(r.compensation ?? 0n)} to the developer`
      : "";
  return `  shard ${r.shard}: ${what}, ${dryRun ? "would credit" : "credited"} refund ${formatTokenAmountExact(r.refund, token)}${slash}${r.transaction ? ` (${r.transaction})` : ""}`;
}

/** What `refund` reports: the refunds, then what the market owes the developer in the job's token. */
export interface RefundReport extends RecoverEscrowReturnType {
  token: TokenInfo;
  /** `owedOf(paymentToken, developer)` after the transactions (all the developer's jobs in this token). */
  developerOwed: bigint;
}

function refundText(r: RefundReport): string {
  const lines: string[] = [];
  const { token } = r;
  const txs = new Set(r.refunded.map((x) => x.transaction)).size;
  if (r.refunded.length === 0 && r.failed.length === 0) lines.push(`job ${r.jobId}: nothing to refund now`);
  else if (r.dryRun)
    lines.push(
      `job ${r.jobId}: would credit ${formatTokenAmountExact(r.total, token)} to ${r.developer} in the market (dry run)`,
    );
  else
    lines.push(
      `job ${r.jobId}: credited ${formatTokenAmountExact(r.total, token)} to ${r.developer} in the market in ${txs} transaction(s)`,
    );
  for (const x of r.refunded) lines.push(refundLine(x, r.dryRun, token));
  if (r.refunded.length > 0) {
    lines.push(
      `  total ${formatTokenAmount(r.total, token)}${r.compensation > 0n ? `, plus ${formatRgl(r.compensation)} slashed from no-shows to the developer` : ""}`,
    );
  }
  for (const f of r.failed)
    lines.push(`  FAILED ${f.action.kind} of shard(s) ${f.action.shards.join(", ")}: ${f.error}`);
  if (r.locked.length === 0)
    lines.push(r.dryRun ? "nothing else would stay locked" : "nothing else locked: every shard is final");
  else {
    lines.push(
      `${r.dryRun ? "would stay locked" : "still locked"}: ${formatTokenAmount(r.lockedTotal, token)} in ${r.locked.length} shard(s)`,
    );
    for (const l of r.locked)
      lines.push(`  shard ${l.shard}: ${l.reason}${l.until !== undefined ? `; until ${when(l.until)}` : ""}`);
  }
  lines.push(
    `owed to ${r.developer} on this market: ${formatTokenAmount(r.developerOwed, token)}` +
      (r.developerOwed > 0n ? ` — withdraw: rigel job withdraw --token ${token.address}` : ""),
  );
  return lines.join("\n");
}

/** The `refund` command, bound to `deps`. */
export function refundCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "refund",
    summary:
      "recover every escrow of a job recoverable now (credited to you; then withdraw): cancel, expire, release a gang",
    args: "JOB_ID",
    flags: {
      ...CONNECTION_FLAGS,
      "dry-run": { type: "boolean", description: "show what would be refunded and send nothing" },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const recovered = await recoverEscrow(conn, jobId, { dryRun: flags["dry-run"] });
      const [token, developerOwed] = await Promise.all([
        readTokenInfo(conn.publicClient, recovered.paymentToken),
        readOwed(conn.publicClient, {
          market: conn.deployment.contracts.JobMarket,
          token: recovered.paymentToken,
          account: recovered.developer,
        }),
      ]);
      const r: RefundReport = { ...recovered, token, developerOwed };
      out.result(flags.json ? toJson(r) : refundText(r));
      if (r.failed.length === 0) return 0;
      out.error(`rigel job refund: ${r.failed.length} transaction(s) failed`);
      return 1;
    },
  });
}

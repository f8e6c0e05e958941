// `rigel job list [--developer ADDR] [--limit N]`: a developer's jobs (newest first) with what each
// credited, and what the market owes the developer per payment token (PROTOCOL §15.5).
import { getAddress, isAddress, type Address } from "viem";
import { defineCommand, UsageError } from "../sdk/cli/commands";
import { jobMarketAbi } from "../sdk/contracts/abis";
import { isFinalShardState, jobKindName } from "../sdk/market/enums";
import { toJson } from "./commandHelpers";
import { CONNECTION_FLAGS, connect, type JobCliDeps } from "./connect";
import { jobAccount, type JobAccount } from "./jobAccount";
import { numberFlag } from "./planFromChain";
import { readOwed, type OwedBalance } from "./readOwed";
import { formatTokenAmount } from "./tokenAmount";

export interface ListReturnType {
  developer: Address;
  /** Jobs created by the developer (all of them, when `shown` equals it). */
  total: number;
  jobs: JobAccount[];
  owed: OwedBalance[];
}

function jobLine(a: JobAccount): string {
  const s = a.status;
  const done = s.shards.filter((x) => isFinalShardState(x.state)).length;
  return (
    `  job ${s.jobId}: ${jobKindName(s.kind)}, ${done}/${s.shards.length} shard(s) final, ` +
    `escrow left ${formatTokenAmount(s.escrow, a.token)}, ` +
    `credited ${formatTokenAmount(a.refunded, a.token)} refund to you, ${formatTokenAmount(a.paid, a.token)} to operators`
  );
}

export function listText(r: ListReturnType): string {
  const lines =
    r.total === 0
      ? [`no jobs of ${r.developer} on this market`]
      : [`jobs of ${r.developer}, newest first (${r.jobs.length} of ${r.total}):`, ...r.jobs.map(jobLine)];
  const owed = r.owed.filter((t) => t.owed > 0n);
  if (owed.length === 0) lines.push(`owed to ${r.developer} on this market: nothing`);
  else {
    lines.push(`owed to ${r.developer} on this market (withdraw: rigel job withdraw):`);
    for (const t of owed) lines.push(`  ${formatTokenAmount(t.owed, t)} (${t.owed} base units) of ${t.address}`);
  }
  return lines.join("\n");
}

function listJson(r: ListReturnType): string {
  return toJson({
    developer: r.developer,
    total: r.total,
    jobs: r.jobs.map((a) => {
      const s = a.status;
      return {
        jobId: s.jobId,
        kind: jobKindName(s.kind),
        paymentToken: s.paymentToken,
        shards: s.shards.length,
        final: s.shards.filter((x) => isFinalShardState(x.state)).length,
        escrow: s.escrow,
        refunded: a.refunded,
        paid: a.paid,
      };
    }),
    owed: r.owed.map((t) => ({ ...t, owedText: formatTokenAmount(t.owed, t) })),
  });
}

/** The `list` command, bound to `deps`. */
export function listCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "list",
    summary: "your jobs, newest first, what each credited, and what the market owes you per token",
    flags: {
      ...CONNECTION_FLAGS,
      developer: {
        type: "string",
        value: "ADDR",
        description: "whose jobs (default: your key's address; no key needed)",
      },
      limit: { type: "string", value: "N", description: "most jobs shown", default: "20" },
    },
    async run({ flags, out }) {
      if (flags.developer !== undefined && !isAddress(flags.developer))
        throw new UsageError("RIGEL_JOB_BAD_ADDRESS", `--developer must be an address, not "${flags.developer}"`);
      const conn = await connect(flags, deps, flags.developer === undefined);
      const developer = getAddress(flags.developer ?? conn.account!.address);
      const created = await conn.publicClient.getContractEvents({
        address: conn.deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        eventName: "JobCreated",
        args: { developer },
        fromBlock: conn.deployment.block,
      });
      const limit = numberFlag(flags.limit, "limit") ?? 20;
      const ids = created
        .map((e) => e.args.jobId!)
        .reverse()
        .slice(0, limit);
      const [jobs, owed] = await Promise.all([
        Promise.all(ids.map((id) => jobAccount(conn, id))),
        readOwed(conn, { account: developer }),
      ]);
      const r: ListReturnType = { developer, total: created.length, jobs, owed };
      out.result(flags.json ? listJson(r) : listText(r));
    },
  });
}

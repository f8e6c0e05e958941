// The planner's reason for each operator (sdk/planner), for people: its numbers are base units,
// wei and unix times; here they are token amounts, RGL and UTC dates (the --json plan keeps the
// planner's own words and numbers).
import { formatAddress, formatDate, formatDuration, formatRgl, formatTokenAmount } from "../sdk/cli/humanFormat";
import type { Plan, PlannerDecision } from "../sdk/planner/types";
import type { TokenInfo } from "./tokenAmount";

/** Seconds for people: `45.2 s` under a minute, else `2 h 5 min`. */
export function secondsText(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(seconds);
}

/** One decision's line: `0x1234…abcd TAKEN (taken): shard 0: 233 items (45.5 %), done in ~1.2 s for 1 RGL`. */
export function decisionText(d: PlannerDecision, plan: Plan, token: TokenInfo): string {
  const amount = (v: string | bigint) => formatTokenAmount(BigInt(v), token.decimals, token.symbol);
  let reason = d.reason;
  const shard = d.taken ? plan.shards.find((s) => s.operator.toLowerCase() === d.address.toLowerCase()) : undefined;
  if (shard) {
    const total = plan.shards.reduce((sum, s) => sum + s.items, 0);
    const pct = total > 0 ? ((100 * shard.items) / total).toFixed(1) : "0";
    reason = `shard ${shard.shard}: ${shard.items} items (${pct} %), done in ~${secondsText(shard.seconds)} for ${amount(shard.cost)}`;
  } else {
    reason = reason
      .replace(
        /asks (\d+) per unit, above the job's (\d+)/,
        (_m, a: string, b: string) => `asks ${amount(a)} per unit, above the job's ${amount(b)}`,
      )
      .replace(
        /free stake (\d+) cannot lock the (\d+) RGL collateral/,
        (_m, a: string, b: string) =>
          `free stake ${formatRgl(BigInt(a))} cannot lock the ${formatRgl(BigInt(b))} collateral`,
      )
      .replace(/until (\d{9,})/, (_m, t: string) => `until ${formatDate(BigInt(t))}`);
  }
  return `${formatAddress(d.address)} ${d.taken ? "TAKEN" : "left out"} (${d.code}): ${reason}`;
}

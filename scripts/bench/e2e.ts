// Bench suite "e2e" (also the agent's event-to-accept row): one load run of scripts/load/runLoad.ts
// on 127.0.0.1 (ports 8970-8990), 30 single-shard 32³ matmul jobs in --quick (sent as a burst: 10 every 0.5 s, so create→settle includes the queue) and 300 otherwise,
// through 3 agents and the 2-of-3 committee. Rows:
//  - e2e shards settled per minute, against the chain's own transaction rate measured in the same
//    run before the load (sequential RGL transfers, each awaited: a settled shard costs at least 4
//    transactions, create, accept, submit and settle, so the ratio's ceiling is about 0.25);
//  - e2e create→settle seconds over every settled shard, against one sequential transaction;
//  - agent JobCreated→ShardAccepted seconds over every shard (wall clock at observation, so up to
//    one follower poll late), against the agent's poll period.
// Run alone: npx ts-node scripts/bench/e2e.ts
import os from "node:os";
import path from "node:path";
import { LOAD_DEFAULTS, runLoad } from "../load/runLoad";
import { emit, quick, row, stats } from "./rows";

async function main(): Promise<void> {
  const jobs = quick() ? 30 : 300;
  const result = await runLoad({
    ...LOAD_DEFAULTS,
    jobs,
    port: 8970,
    batch: 10,
    intervalMs: 500,
    timeoutMs: (quick() ? 3 : 10) * 60_000,
    baselineRuns: 3,
    workDir: path.join(os.tmpdir(), "rigel-bench-e2e"),
    log: (line) => process.stderr.write(`[e2e] ${line}\n`),
  });
  if (result.lost !== 0)
    throw new Error(`the load run lost ${result.lost}: ${result.lostDetail.slice(0, 3).join("; ")}`);
  const tx = stats(result.txPerSecond).median;
  const what = `${jobs} jobs of ${LOAD_DEFAULTS.size}³, ${LOAD_DEFAULTS.agents} agents, 2-of-3 oracles`;
  emit([
    row("e2e", `shards settled per minute, ${what}`, [result.settledPerMinute], "shards/min", {
      label: "sequential transactions, same chain, same run",
      value: tx * 60,
      unit: "tx/min",
    }),
    row("e2e", "create→settle per shard, burst (wall clock)", result.settleSeconds, "s", {
      label: "one sequential transaction, same run",
      value: 1 / tx,
      unit: "s",
    }),
    row("agent", "JobCreated→ShardAccepted per shard (wall clock, observed)", result.createToAccept, "s", {
      label: "agent poll period",
      value: LOAD_DEFAULTS.pollMs / 1000,
      unit: "s",
    }),
  ]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

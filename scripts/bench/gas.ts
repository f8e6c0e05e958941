// Bench suite "gas": the gas of each step of a job's life, of a whole single-shard lifecycle and of
// batch settlement per shard (issue 20), from
// the gas scenarios (scripts/gas/scenarios.ts), each against a plain RGL transfer measured in the
// same run. Gas is deterministic: one run. Run alone: npx hardhat run scripts/bench/gas.ts
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { scenarios } from "../gas/scenarios";
import { emit, row, type BenchRow } from "./rows";

const STEPS: [scenario: string, label: string, perShard?: number][] = [
  ["JobMarket.createJob(1 shard)", "createJob (first job, 1 shard)"],
  ["JobMarket.createJob(1 shard, second job)", "createJob (a later job)"],
  ["JobMarket.accept", "accept (locks collateral)"],
  ["JobMarket.submit", "submit (root, units; URI emitted)"],
  ["JobMarket.acceptAndSubmit", "acceptAndSubmit (one call)"],
  ["JobMarket.settle(valid, 2-of-3)", "settle Valid, 2-of-3 signatures"],
  ["JobMarket.withdraw", "withdraw (pull payment)"],
  ["JobMarket.lifecycle(1 shard, 2-of-3)", "lifecycle: create (assigned) + claim settled by settleVerdicts(1)"],
  [
    "JobMarket.lifecycle(1 shard, 2-of-3, on-chain submit)",
    "lifecycle, on-chain path: create + acceptAndSubmit + settleVerdicts(1)",
  ],
  ["JobMarket.settle(invalid, 2-of-3)", "settle Invalid (slash), 2-of-3"],
  ["JobMarket.expire(no-show)", "expire a no-show (slash)"],
  ["JobMarket.cancel(1 shard)", "cancel (refund)"],
  ["RewardsDistributor.claim(settles past epoch)", "claim rewards (settles an epoch)"],
  ["OperatorStaking.recordCapacity(2-of-3, listener)", "record capacity, 2-of-3"],
  ["JobMarket.settleVerdicts(10, total)", "settleVerdicts of 10, per shard", 10],
  ["JobMarket.settleVerdicts(50, total)", "settleVerdicts of 50, per shard", 50],
  ["JobMarket.settleBatch(100, per shard)", "settleVerdicts of 100 (10-shard jobs, 3 operators), per shard"],
  [
    "JobMarket.settleBatch(100 single-shard jobs, per shard)",
    "settleVerdicts of 100 (single-shard jobs, 3 operators), per shard",
  ],
  [
    "JobMarket.settleBatch(100 claims, per shard)",
    "settleVerdicts of 100 claims (single-shard jobs, 3 operators), per shard",
  ],
];

async function main(): Promise<void> {
  const gas: Record<string, number> = {};
  const wanted = new Set(["ComputeToken.transfer", ...STEPS.map(([s]) => s)]);
  for (const s of scenarios) {
    if (!wanted.has(s.name)) continue;
    const out = await s.run(await loadFixture(s.fixture));
    gas[s.name] = Number(typeof out === "bigint" ? out : (await out.wait())!.gasUsed);
  }
  const anchor = { label: "RGL transfer, same run", value: gas["ComputeToken.transfer"], unit: "gas" };
  const rows: BenchRow[] = STEPS.map(([name, label, perShard]) =>
    row("gas", label, [gas[name] / (perShard ?? 1)], "gas", anchor),
  );
  emit(rows);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// Where the gas of `JobMarket.lifecycle(1 shard, 2-of-3)` goes (issue 20, docs/BENCHMARKS.md "Claims"):
// the same two transactions as the gas row (a second developer's job assigned to an operator paid
// before, then its claim settled by settleVerdicts(1), PROTOCOL §20.10), each traced with
// debug_traceTransaction and summed by kind: base and calldata, storage reads (cold/warm) and writes by
// price, events, account access and call frames, and the rest of execution; d1 is the called
// contract, d2 and d3 the contracts it calls. Gas is deterministic: one run.
// Run: npx hardhat run scripts/gas/lifecycleBreakdown.ts
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ethers, network } from "hardhat";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { claimedLifecycleReceipts, freshEpoch } from "./marketScenarios";

function summarize(name: string, t: any, gasUsed: bigint, data: string) {
  const bytes = Buffer.from(data.slice(2), "hex");
  let intrinsic = 21000;
  for (const b of bytes) intrinsic += b === 0 ? 4 : 16;
  const cat: Record<string, number> = {};
  const add = (k: string, v: number) => (cat[k] = (cat[k] ?? 0) + v);
  const logs = t.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    const d = l.depth;
    const c = l.gasCost;
    if (l.op === "SSTORE") add(`d${d} SSTORE ${c}`, c);
    else if (l.op === "SLOAD") add(`d${d} SLOAD ${c >= 2100 ? "cold" : "warm"}`, c);
    else if (l.op.startsWith("LOG")) add(`d${d} LOG`, c);
    else if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) continue;
    else if (l.op === "EXTCODESIZE" || l.op === "BALANCE") add(`d${d} ${l.op}`, c);
    else add(`d${d} other`, c);
  }
  const exec = Object.values(cat).reduce((a, b) => a + b, 0);
  console.log(
    `${name}: gasUsed ${gasUsed}; base+calldata ${intrinsic}; calls (account access, frames) ${Number(gasUsed) - exec - intrinsic}`,
  );
  for (const [k, v] of Object.entries(cat).sort()) console.log(`  ${k}: ${v}`);
}
async function life(p: Protocol, dev: number, trace: boolean) {
  const [c, s] = await claimedLifecycleReceipts(p, dev, 0);
  if (!trace) return;
  for (const [name, r] of [
    ["createJob (assigned)", c],
    ["settleVerdicts(1 claim)", s],
  ] as const) {
    const t: any = await network.provider.send("debug_traceTransaction", [
      r!.hash,
      { disableStack: true, disableMemory: true, disableStorage: true },
    ]);
    const tx = await ethers.provider.getTransaction(r!.hash);
    summarize(name, t, r!.gasUsed, tx!.data);
  }
}
async function main() {
  const p = await deployProtocol();
  await freshEpoch(p);
  await life(p, 0, false);
  await life(p, 1, true);
}
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

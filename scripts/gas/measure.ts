// Runs every scenario of scripts/gas/scenarios.ts on the in-process Hardhat network and writes
// `{ name: gas }` as JSON to $GAS_SNAPSHOT_OUT (or stdout). Called by scripts/gas-snapshot.js.
import { writeFileSync } from "node:fs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { scenarios } from "./scenarios";

async function main(): Promise<void> {
  const result: Record<string, number> = {};
  for (const s of scenarios) {
    if (s.name in result) throw new Error(`duplicate gas scenario: ${s.name}`);
    const ctx = await loadFixture(s.fixture);
    const out = await s.run(ctx);
    if (typeof out === "bigint") {
      result[s.name] = Number(out);
    } else {
      const receipt = await out.wait();
      if (!receipt || receipt.status !== 1) throw new Error(`gas scenario failed: ${s.name}`);
      result[s.name] = Number(receipt.gasUsed);
    }
  }
  const json = JSON.stringify(result, null, 2) + "\n";
  if (process.env.GAS_SNAPSHOT_OUT) writeFileSync(process.env.GAS_SNAPSHOT_OUT, json);
  else process.stdout.write(json);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// End to end (PROTOCOL §15.6): three agents whose speeds differ by their kernel threads (1, 2, 4;
// RIGEL_AGENT_CPU_THREADS, attested by `rigel agent benchmark` with the same setting) on a real
// `hardhat node`. One gang job planned by `rigel job submit --plan`, one even split assigned to the
// same three operators; both settle. Correctness only: every shard settled by the operator it was
// assigned to, planned rows uneven and ordered like the attested speeds, every token conserved. The
// finish spread itself is a benchmark (scripts/bench/spread.ts), never asserted here.
// Ports: 9260..9273.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSpreadPair, SPREAD_AGENTS } from "../../scripts/bench/spreadRun";
import { checkConservation } from "../../scripts/lib/conservation";
import { startNetwork, type Network } from "../../scripts/lib/network";

const say = process.env.RIGEL_E2E_VERBOSE ? (line: string) => console.log(`      ${line}`) : () => undefined;

describe("end to end: planned against even split on agents of different speeds", function () {
  this.timeout(15 * 60_000);
  let network: Network | undefined;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-e2e-spread-"));

  after(async function () {
    await network?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("settles a planned and an even gang job over the same three operators; planned rows follow attested speed", async function () {
    network = await startNetwork({ port: 9260, workDir, agents: SPREAD_AGENTS, log: say });
    const { planned, even } = await runSpreadPair(
      network,
      { networkDir: workDir, workDir, m: 384, n: 256, k: 256, seed: 7 },
      say,
    );

    for (const job of [planned, even]) {
      expect(job.shards).to.have.length(3);
      expect(job.startedAt > 0n, `job ${job.jobId} gang started`).to.equal(true);
      expect(job.shards.map((s) => s.state)).to.deep.equal(["Settled", "Settled", "Settled"]);
      expect(new Set(job.shards.map((s) => s.operator)).size).to.equal(3);
      expect(job.shards.reduce((a, s) => a + s.rows, 0)).to.equal(384);
      for (const s of job.shards) expect(s.submittedAt >= job.startedAt).to.equal(true);
    }
    expect(even.shards.map((s) => s.rows)).to.deep.equal([128, 128, 128]);
    // The planner splits in proportion to attested (effective) throughput: a faster operator never
    // gets fewer rows, and the split is uneven unless all three attested the same speed.
    const byOps = [...planned.shards].sort((a, b) => (a.attestedOpsPerSec < b.attestedOpsPerSec ? -1 : 1));
    for (let i = 1; i < byOps.length; i++) expect(byOps[i].rows).to.be.at.least(byOps[i - 1].rows);
    const speeds = new Set(planned.shards.map((s) => s.attestedOpsPerSec));
    if (speeds.size > 1) expect(new Set(planned.shards.map((s) => s.rows)).size).to.be.greaterThan(1);

    const report = await checkConservation(network.devnet.client, network.devnet.deployment);
    expect(report.problems, report.problems.join("\n")).to.deep.equal([]);
    expect(report.ok).to.equal(true);
  });
});

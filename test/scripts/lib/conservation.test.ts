import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { checkConservation } from "../../../scripts/lib/conservation";
import { Verdict } from "../../../sdk/market/enums";
import { E18 } from "../../../fixtures/marketConstants";
import { jobParamsFor, shardAttestation, type Protocol } from "../../../fixtures/protocolFixture";
import { publicClient } from "../../sdk/market/helpers/marketClients";
import { deployedProtocol } from "../helpers/deployedProtocol";

// scripts/lib/conservation.ts on the in-process chain: RGL jobs ending in every outcome, the
// developer-fault path among them (PROTOCOL §18.2), must be accounted for to the wei.

/** One RGL job of `shards` shards (10 units at 1 RGL each), each accepted and submitted by ops[i]. */
async function rglJob(p: Protocol, shards: number, submitted: number, units = 4n): Promise<bigint> {
  const params = await jobParamsFor(await p.rgl.getAddress(), {
    shards,
    maxUnitsPerShard: 10n,
    maxPricePerUnit: E18,
    deadline: BigInt(await time.latest()) + 86_400n,
  });
  await p.market.connect(p.devs[0]).createJob(params);
  const jobId = await p.market.jobCount();
  for (let s = 0; s < submitted; s++) {
    await p.market.connect(p.ops[s]).accept(jobId, s);
    await p.market.connect(p.ops[s]).submit(jobId, s, ethers.id(`root-${jobId}-${s}`), units, "");
  }
  return jobId;
}

describe("scripts/lib/conservation (in-process protocol)", () => {
  it("accounts for every outcome's payments, fees and refunds, DeveloperFault included", async () => {
    const { p, deployment } = await loadFixture(deployedProtocol);
    // Shards 0–3 submitted: Valid, DeveloperFault, Invalid, unanswered (expired); shard 4 cancelled.
    const jobId = await rglJob(p, 5, 4, 3n);
    for (const [shard, verdict] of [
      [0, Verdict.Valid],
      [1, Verdict.DeveloperFault],
      [2, Verdict.Invalid],
    ] as const) {
      const { att, sigs } = await shardAttestation(p, jobId, shard, verdict);
      await p.market.settle(att, sigs);
    }
    await p.market.connect(p.devs[0]).cancel(jobId);
    await time.increase(3_601);
    await p.market.expire(jobId, 3);
    // Pull payments (PROTOCOL §20.1): the Valid shard's operator and the developer withdraw their credit.
    const rgl = await p.rgl.getAddress();
    const withdrawn = (await p.market.owedOf(rgl, p.ops[0].address)) + (await p.market.owedOf(rgl, p.devs[0].address));
    await p.market.connect(p.ops[0]).withdraw(rgl, p.ops[0].address);
    await p.market.connect(p.devs[0]).withdraw(rgl, p.devs[0].address);

    const report = await checkConservation(publicClient, deployment);
    expect(report.problems).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.totals.outcomes).to.deep.equal({
      ShardSettled: 1,
      ShardDeveloperFault: 1,
      ShardFailed: 1,
      ShardCancelled: 1,
      ShardExpired: 1,
    });
    // 5 shards × 10 RGL in; all of it out again: 3 units paid (fee 2.5% burned) + 7 refunded on Valid
    // and DeveloperFault, 10 refunded on each of the others.
    expect(report.totals.escrowIn).to.equal(50n * E18);
    expect(report.totals.escrowOut).to.equal(50n * E18);
    const fee = (3n * E18 * 250n) / 10_000n;
    expect(report.totals.feeBurned).to.equal(2n * fee);
    expect(report.facts).to.include(`fees burned ${2n * fee} = Σ fees of Settled and DeveloperFault RGL shards`);
    // Out of the market: the withdrawals and the burned fees; the rest is owed (credited, not withdrawn).
    expect(report.totals.withdrawn).to.equal(withdrawn);
    expect(report.totals.owed).to.equal(50n * E18 - 2n * fee - withdrawn);
    expect(report.facts).to.include(
      `market paid out ${withdrawn + 2n * fee} = withdrawn ${withdrawn} + fees burned ${2n * fee}`,
    );
    expect(report.facts.join("\n")).to.match(
      /market owes \d+ = Σ outcomes of 5 shards .* 50000000000000000000 − fees burned/,
    );
  });

  it("a DeveloperFault settlement alone: paid, fee and refund leave the market, nothing is slashed", async () => {
    const { p, deployment } = await loadFixture(deployedProtocol);
    const jobId = await rglJob(p, 1, 1, 10n);
    const { att, sigs } = await shardAttestation(p, jobId, 0, Verdict.DeveloperFault);
    await p.market.settle(att, sigs);
    const report = await checkConservation(publicClient, deployment);
    expect(report.problems).to.deep.equal([]);
    expect(report.totals.outcomes).to.deep.equal({ ShardDeveloperFault: 1 });
    expect(report.totals.slashBurned).to.equal(0n);
    expect(report.totals.feeBurned).to.equal((10n * E18 * 250n) / 10_000n);
    expect(report.totals.escrowOut).to.equal(10n * E18);
  });

  it("reports RGL that reached the market outside createJob (the escrow no longer explains it)", async () => {
    const { p, deployment } = await loadFixture(deployedProtocol);
    await rglJob(p, 1, 0);
    await p.rgl.connect(p.devs[1]).transfer(await p.market.getAddress(), 1n);
    const report = await checkConservation(publicClient, deployment);
    expect(report.ok).to.equal(false);
    expect(report.problems.join("\n")).to.match(/market received 10000000000000000001 ≠ escrow of 1 RGL jobs/);
  });
});

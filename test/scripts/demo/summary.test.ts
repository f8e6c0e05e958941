import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress } from "viem";
import { buildSummary, renderSummary } from "../../../scripts/demo/summary";
import { Verdict } from "../../../sdk/market/enums";
import { E18 } from "../../../fixtures/marketConstants";
import { jobParamsFor, shardAttestation } from "../../../fixtures/protocolFixture";
import { publicClient } from "../../sdk/market/helpers/marketClients";
import { deployedProtocol } from "../helpers/deployedProtocol";

// scripts/demo/summary.ts classifies each shard by its final event: a DeveloperFault shard is paid
// like a settled one (paid, fee, refund), never slashed, and its settle has a gas step of its own.

describe("scripts/demo/summary (in-process protocol)", () => {
  it("a DeveloperFault shard: paid for the units used, the fee, the refund; no slash", async () => {
    const { p, deployment } = await loadFixture(deployedProtocol);
    const params = await jobParamsFor(await p.rgl.getAddress(), {
      shards: 2,
      maxUnitsPerShard: 10n,
      maxPricePerUnit: E18,
      deadline: BigInt(await time.latest()) + 86_400n,
    });
    await p.market.connect(p.devs[0]).createJob(params);
    const jobId = await p.market.jobCount();
    for (const [shard, verdict] of [
      [0, Verdict.DeveloperFault],
      [1, Verdict.Valid],
    ] as const) {
      await p.market.connect(p.ops[shard]).accept(jobId, shard);
      await p.market.connect(p.ops[shard]).submit(jobId, shard, ethers.id(`root-${shard}`), 4n, "");
      const { att, sigs } = await shardAttestation(p, jobId, shard, verdict);
      await p.market.settle(att, sigs);
    }

    const s = await buildSummary(publicClient, deployment);
    const fee = (4n * E18 * 250n) / 10_000n;
    const line = { paid: 4n * E18 - fee, fee, refund: 6n * E18, slashed: 0n };
    expect(
      s.shards.map(({ jobId: j, shard, operator, outcome, paid, fee: f, refund, slashed }) => ({
        jobId: j,
        shard,
        operator,
        outcome,
        paid,
        fee: f,
        refund,
        slashed,
      })),
    ).to.deep.equal([
      { jobId, shard: 0, operator: getAddress(p.ops[0].address), outcome: "DeveloperFault", ...line },
      { jobId, shard: 1, operator: getAddress(p.ops[1].address), outcome: "Settled", ...line },
    ]);
    const op0 = s.operators.find((o) => o.operator === getAddress(p.ops[0].address))!;
    expect(op0.paid).to.equal(line.paid);
    expect(op0.slashed).to.equal(0n);
    const dev = s.developers.find((d) => d.developer === getAddress(p.devs[0].address))!;
    expect(dev).to.include({ escrowed: 20n * E18, paid: 8n * E18, refunded: 12n * E18 });
    expect(s.gas.map((g) => g.step)).to.include.members(["settle (developer fault)", "settle (valid)"]);
    // Pull payments (PROTOCOL §20.1): all credited, nothing withdrawn yet; then op0 withdraws.
    expect(op0).to.include({ withdrawn: 0n, owed: line.paid });
    expect(dev).to.include({ withdrawn: 0n, owed: 12n * E18 });
    await p.market.connect(p.ops[0]).withdraw(await p.rgl.getAddress(), p.ops[0].address);
    const after = await buildSummary(publicClient, deployment);
    expect(after.operators.find((o) => o.operator === getAddress(p.ops[0].address))).to.include({
      withdrawn: line.paid,
      owed: 0n,
    });
    expect(after.gas.find((g) => g.step === "withdraw")?.count).to.equal(1);
    expect(renderSummary(s)).to.match(/DeveloperFault/);
  });
});

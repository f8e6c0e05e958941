// JobMarket.settleVerdicts (docs/PROTOCOL.md §20.4): one committee signature set over a Merkle root
// of many shard verdicts; every amount credited, withdrawn by its owner (§20.1).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployProtocol, jobParamsFor, shardVerdict, verdictBatch, type Protocol } from "../../../fixtures/protocolFixture";

const ROOT = ethers.id("result");

async function submittedJob(p: Protocol, devIndex = 0, opIndex = 0): Promise<bigint> {
  const usd = await p.usd.getAddress();
  await p.market.connect(p.devs[devIndex]).createJob(await jobParamsFor(usd));
  const jobId = await p.market.jobCount();
  await p.market.connect(p.ops[opIndex]).acceptAndSubmit(jobId, 0, ROOT, 100n, "http://agent/r");
  return jobId;
}

describe("JobMarket.settleVerdicts", () => {
  it("test_settleVerdicts_oneValidLeaf: credits the operator, the treasury, unlocks the collateral; withdraw pays", async () => {
    const p = await loadFixture(deployProtocol);
    const jobId = await submittedJob(p);
    const { batch, sigs } = await verdictBatch(p, [await shardVerdict(p, jobId, 0)]);
    const usd = await p.usd.getAddress();
    const m = await p.market.getAddress();
    const balanceBefore = await p.usd.balanceOf(m);
    await expect(p.market.settleVerdicts(batch, sigs, [await shardVerdict(p, jobId, 0)]))
      .to.emit(p.market, "ShardSettled")
      .and.to.emit(p.market, "VerdictsSettled");
    // pay = 100 × 1e6 = 1e8; fee 2.5% = 2.5e6; operator 9.75e7; no refund (every unit used).
    expect(await p.market.owedOf(usd, p.ops[0].address)).to.equal(97_500_000n);
    expect(await p.market.owedOf(usd, p.treasury.address)).to.equal(2_500_000n);
    expect(await p.market.owedTotal(usd)).to.equal(100_000_000n);
    expect(await p.market.escrowOf(usd)).to.equal(0n);
    expect(await p.usd.balanceOf(m)).to.equal(balanceBefore);
    expect((await p.staking.operatorInfo(p.ops[0].address)).lockedStake).to.equal(0n);

    const opBefore = await p.usd.balanceOf(p.ops[0].address);
    await expect(p.market.connect(p.ops[0]).withdraw(usd, p.ops[0].address))
      .to.emit(p.market, "Withdrawn")
      .withArgs(usd, p.ops[0].address, p.ops[0].address, 97_500_000n);
    expect(await p.usd.balanceOf(p.ops[0].address)).to.equal(opBefore + 97_500_000n);
    expect(await p.usd.balanceOf(m)).to.equal(balanceBefore - 97_500_000n);
    expect(await p.market.owedTotal(usd)).to.equal(2_500_000n);
  });
});

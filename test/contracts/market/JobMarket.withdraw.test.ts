// JobMarket.withdraw (docs/PROTOCOL.md §20.1), submitMany (§20.3) and the settlement module's guard (§20.3).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { attestation, deployMarket, sign, submittedJob } from "./fixture";

describe("JobMarket.withdraw", () => {
  it("test_withdraw_paysAnotherRecipient_once", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const jobId = await submittedJob(f, f.ops[0], 80n);
    const a = await attestation(f, jobId, 0);
    await f.market.settle(a, await sign(f, a));
    const to = f.others[2].address;
    await expect(f.market.connect(f.ops[0]).withdraw(usd, to))
      .to.emit(f.market, "Withdrawn")
      .withArgs(usd, f.ops[0].address, to, 78_000_000n);
    expect(await f.usd.balanceOf(to)).to.equal(78_000_000n);
    await expect(f.market.connect(f.ops[0]).withdraw(usd, to))
      .to.be.revertedWithCustomError(f.market, "MarketNothingOwed")
      .withArgs(usd, f.ops[0].address);
  });

  it("test_withdraw_revertsWhen_zeroRecipientOrNothingOwed", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    await expect(f.market.connect(f.dev).withdraw(usd, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      f.market,
      "MarketZeroAddress",
    );
    await expect(f.market.connect(f.dev).withdraw(usd, f.dev.address))
      .to.be.revertedWithCustomError(f.market, "MarketNothingOwed")
      .withArgs(usd, f.dev.address);
  });

  it("test_settlementModule_revertsWhenCalledDirectly", async () => {
    const f = await loadFixture(deployMarket);
    const module = await ethers.getContractAt("JobMarketSettlement", await f.market.settlement());
    await expect(module.expire(1, 0)).to.be.revertedWithCustomError(module, "SettlementNotDelegated");
  });
});

describe("JobMarket.submitMany", () => {
  it("test_submitMany_submitsEach_orRevertsAll", async () => {
    const f = await loadFixture(deployMarket);
    const { createJob, ROOT, State } = await import("./fixture");
    const op = f.ops[0];
    const a = await createJob(f, { shards: 2 });
    await f.market.connect(op).accept(a, 0);
    await f.market.connect(op).accept(a, 1);
    const subs = [
      { jobId: a, shard: 0, resultRoot: ROOT, units: 10n, resultURI: "http://agent/0" },
      { jobId: a, shard: 1, resultRoot: ROOT, units: 20n, resultURI: "http://agent/1" },
    ];
    // One bad item (units above the maximum) reverts the whole call.
    await expect(f.market.connect(op).submitMany([subs[0], { ...subs[1], units: 101n }]))
      .to.be.revertedWithCustomError(f.market, "MarketBadUnits")
      .withArgs(101n, 100n);
    expect((await f.market.getShard(a, 0)).state).to.equal(State.Accepted);
    const tx = f.market.connect(op).submitMany(subs);
    await expect(tx)
      .to.emit(f.market, "ShardSubmitted")
      .withArgs(a, 0n, op.address, ROOT, 10n, anyValue, "http://agent/0");
    await expect(tx)
      .to.emit(f.market, "ShardSubmitted")
      .withArgs(a, 1n, op.address, ROOT, 20n, anyValue, "http://agent/1");
    expect((await f.market.getShard(a, 1)).units).to.equal(20n);
  });
});

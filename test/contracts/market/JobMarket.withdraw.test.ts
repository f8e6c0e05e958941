// JobMarket.withdraw (docs/PROTOCOL.md §20.1) and the settlement module's guard (§20.3).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
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

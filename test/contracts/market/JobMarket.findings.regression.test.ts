// Regression tests for the three findings of issue 20 (docs/PROTOCOL.md §20.1, §20.2), each replayed
// against the rule that allowed it (what the old rule did, with its numbers, is in each test).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { TestBlocklistToken } from "../../../typechain-types";
import {
  attestation,
  createJob,
  deployMarket,
  E18,
  paramsOf,
  ROOT,
  sign,
  signedBatch,
  State,
  submittedJob,
  USD_RATE,
  Verdict,
  verdictOf,
  type MarketFixture,
} from "./fixture";

const COLLATERAL = 300n * E18; // 150% of a 100 tUSD shard at 2 RGL per tUSD
const V = 100_000_000n;
const YEAR = 365n * 86_400n;

async function withBlocklistToken() {
  const f = await deployMarket();
  const busd = (await ethers.deployContract("TestBlocklistToken")) as unknown as TestBlocklistToken;
  const token = await busd.getAddress();
  await f.market.setPaymentToken(token, true, USD_RATE);
  await busd.mint(f.dev.address, 10n ** 12n);
  await busd.connect(f.dev).approve(await f.market.getAddress(), ethers.MaxUint256);
  return { f, busd, token };
}

async function balanceIsEscrowPlusOwed(f: MarketFixture, token: string, balance: bigint): Promise<void> {
  expect(balance).to.equal((await f.market.escrowOf(token)) + (await f.market.owedTotal(token)));
}

describe("Issue 20 findings (regressions)", () => {
  describe("1. push payments froze collateral: a blocked developer or treasury", () => {
    it("test_blockedDeveloper_settleUnlocksCollateral_creditWaits", async () => {
      // Old rule: settle (Valid, 80 of 100 units) transferred the 20 tUSD refund to the developer in
      // the same transaction; the blocklist made it revert, so did expire (it refunded 100 tUSD), and
      // the operator's 300 RGL collateral stayed locked (PoC: still 300 RGL locked after a year).
      const { f, busd, token } = await loadFixture(withBlocklistToken);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op, 80n, {}, token);
      expect(await f.staking.locked(op.address)).to.equal(COLLATERAL);
      await busd.setBlocked(f.dev.address, true);
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardSettled")
        .withArgs(jobId, 0n, op.address, 80n, 78_000_000n, 2_000_000n, 20_000_000n, 4n * E18);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.market.owedOf(token, op.address)).to.equal(78_000_000n);
      expect(await f.market.owedOf(token, f.dev.address)).to.equal(20_000_000n);
      // The operator is paid; the blocked developer's credit waits in the market.
      await f.market.connect(op).withdraw(token, op.address);
      expect(await busd.balanceOf(op.address)).to.equal(78_000_000n);
      await expect(f.market.connect(f.dev).withdraw(token, f.dev.address))
        .to.be.revertedWithCustomError(busd, "TestTokenBlocked")
        .withArgs(f.dev.address);
      expect(await f.market.owedOf(token, f.dev.address)).to.equal(20_000_000n);
      await balanceIsEscrowPlusOwed(f, token, await busd.balanceOf(await f.market.getAddress()));
      // Unblocked a year later, the developer withdraws its refund.
      await time.increase(YEAR);
      await busd.setBlocked(f.dev.address, false);
      await f.market.connect(f.dev).withdraw(token, f.dev.address);
      expect(await f.market.owedTotal(token)).to.equal(2_000_000n); // the treasury's fee
    });

    it("test_blockedDeveloper_expireAndSlashGoThrough", async () => {
      // Old rule: the no-show expiry and the Invalid verdict both transferred the 100 tUSD escrow to
      // the developer, so a blocked developer also blocked the slash of a cheating operator.
      const { f, busd, token } = await loadFixture(withBlocklistToken);
      const noShow = await createJob(f, {}, token);
      await f.market.connect(f.ops[0]).accept(noShow, 0);
      const cheat = await submittedJob(f, f.ops[1], 80n, {}, token);
      const late = await submittedJob(f, f.ops[2], 80n, {}, token);
      await busd.setBlocked(f.dev.address, true);
      const a = await attestation(f, cheat, 0, { verdict: Verdict.Invalid, units: 0n });
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardFailed")
        .withArgs(cheat, 0n, f.ops[1].address, COLLATERAL, V);
      await time.increase(86_401);
      await expect(f.market.expire(noShow, 0)).to.emit(f.market, "ShardExpired");
      await expect(f.market.expire(late, 0)).to.emit(f.market, "ShardExpired");
      for (const op of f.ops) expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.market.owedOf(token, f.dev.address)).to.equal(3n * V);
      expect(await f.market.escrowOf(token)).to.equal(0n);
      await balanceIsEscrowPlusOwed(f, token, await busd.balanceOf(await f.market.getAddress()));
    });

    it("test_blockedTreasury_validSettlementsStillPay", async () => {
      // Old rule: every Valid settlement with a fee transferred it to the treasury: a blocked treasury
      // reverted all of them (each operator's 300 RGL stayed locked until the window closed).
      const { f, busd, token } = await loadFixture(withBlocklistToken);
      const ids = [await submittedJob(f, f.ops[0], 100n, {}, token), await submittedJob(f, f.ops[1], 100n, {}, token)];
      await busd.setBlocked(f.treasury.address, true);
      const leaves = await Promise.all(ids.map((id) => verdictOf(f, id, 0)));
      const { batch, sigs } = await signedBatch(f, leaves);
      await expect(f.market.settleVerdicts(batch, sigs, leaves))
        .to.emit(f.market, "FeeCollected")
        .withArgs(token, f.treasury.address, 5_000_000n, false);
      expect(await f.market.owedOf(token, f.treasury.address)).to.equal(5_000_000n);
      for (const op of f.ops.slice(0, 2)) {
        expect(await f.staking.locked(op.address)).to.equal(0n);
        expect(await f.market.owedOf(token, op.address)).to.equal(97_500_000n);
      }
    });
  });

  describe("2. disallowing a token set its rate to 0: zero-collateral accepts", () => {
    it("test_disallowedToken_keepsRate_acceptLocksFullCollateral", async () => {
      // Old rule: setPaymentToken(t, false, 0) stored rglPerToken = 0, and collateralFor read it: an
      // open shard of a 100 tUSD job could then be accepted with 0 RGL collateral (instead of 300).
      const f = await loadFixture(deployMarket);
      const usd = await f.usd.getAddress();
      const jobId = await createJob(f);
      await expect(f.market.setPaymentToken(usd, false, 0n))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(usd, false, USD_RATE);
      expect(await f.market.paymentToken(usd)).to.deep.equal([false, USD_RATE]);
      expect(await f.market.collateralFor(jobId)).to.equal(COLLATERAL);
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
        .to.emit(f.market, "ShardAccepted")
        .withArgs(jobId, 0n, f.ops[0].address, COLLATERAL);
      expect(await f.staking.locked(f.ops[0].address)).to.equal(COLLATERAL);
      // New jobs in it are refused; a new nonzero rate while disallowed is stored.
      await expect(f.market.connect(f.dev).createJob(await (await import("./fixture")).jobParams(usd)))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(usd);
      await f.market.setPaymentToken(usd, false, 2n * USD_RATE);
      expect((await f.market.paymentToken(usd)).rglPerToken).to.equal(2n * USD_RATE);
    });

    it("test_unknownToken_disallowedWithRateZero_staysZero", async () => {
      const f = await loadFixture(deployMarket);
      const t = f.others[3].address;
      await f.market.setPaymentToken(t, false, 0n);
      expect(await f.market.paymentToken(t)).to.deep.equal([false, 0n]);
    });
  });

  describe("3. parameters applied retroactively: a setParams during a shard", () => {
    it("test_setParamsDuringShard_settlementUsesTermsAtAccept", async () => {
      // Old rule: settle read params() at settlement. Accepted under verifyWindow 3600 s, fee 2.5%,
      // then governance set verifyWindow 60 s, fee 10% and doubled the token's rate: a settlement
      // 120 s after submit reverted MarketVerifyWindowClosed (the committee's hour was cut to a
      // minute), and a settlement inside the new minute charged 10 tUSD of fee instead of 2.5 and
      // credited 20 RGL of points instead of 5.
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const usd = await f.usd.getAddress();
      const jobId = await submittedJob(f, op, 100n);
      const terms = await f.market.shardTerms(jobId, 0);
      expect([terms.feeBps, terms.verifyWindow, terms.rglPerToken]).to.deep.equal([250n, 3_600n, USD_RATE]);
      await f.market.setParams({ ...(await paramsOf(f.market)), verifyWindow: 60n, feeBps: 1_000 });
      await f.market.setPaymentToken(usd, true, 2n * USD_RATE);
      expect((await f.market.getShard(jobId, 0)).verifyWindow).to.equal(3_600n);
      await time.increase(120);
      // Not expirable either: under the old rule expire went through at +61 s.
      await expect(f.market.expire(jobId, 0)).to.be.revertedWithCustomError(f.market, "MarketVerifyWindowOpen");
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardSettled")
        .withArgs(jobId, 0n, op.address, 100n, 97_500_000n, 2_500_000n, 0n, 5n * E18);
      // A shard accepted after the change takes the new terms.
      const next = await submittedJob(f, f.ops[1], 100n);
      const t2 = await f.market.shardTerms(next, 0);
      expect([t2.feeBps, t2.verifyWindow, t2.rglPerToken]).to.deep.equal([1_000n, 60n, 2n * USD_RATE]);
      await expect(f.market.connect(f.ops[1]).accept(await createJob(f), 0))
        .to.emit(f.market, "ShardAccepted")
        .withArgs(await f.market.jobCount(), 0n, f.ops[1].address, 2n * COLLATERAL);
    });

    it("test_setParamsDuringShard_slashAndNoShowUseTermsAtAccept", async () => {
      // Old rule: invalidSlashBps / noShowSlashBps were read at settlement or expiry: raising the
      // no-show slash from 10% to 100% after accept took 300 RGL from the operator instead of 30.
      const f = await loadFixture(deployMarket);
      const noShow = await createJob(f);
      await f.market.connect(f.ops[0]).accept(noShow, 0);
      const cheat = await submittedJob(f, f.ops[1]);
      await f.market.setParams({
        ...(await paramsOf(f.market)),
        noShowSlashBps: 10_000,
        invalidSlashBps: 1_000,
        invalidDeveloperBps: 0,
      });
      const a = await attestation(f, cheat, 0, { verdict: Verdict.Invalid, units: 0n });
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardFailed")
        .withArgs(cheat, 0n, f.ops[1].address, COLLATERAL, V);
      await time.increase(86_401);
      await expect(f.market.expire(noShow, 0))
        .to.emit(f.market, "ShardExpired")
        .withArgs(noShow, 0n, f.ops[0].address, true, COLLATERAL / 10n, V);
      expect((await f.market.getShard(noShow, 0)).state).to.equal(State.Expired);
    });
  });

  it("test_acceptAndSubmit_withZeroRoot_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const jobId = await createJob(f);
    await expect(
      f.market.connect(f.ops[0]).acceptAndSubmit(jobId, 0, ethers.ZeroHash, 1n, ""),
    ).to.be.revertedWithCustomError(f.market, "MarketZeroRoot");
    await f.market.connect(f.ops[0]).acceptAndSubmit(jobId, 0, ROOT, 1n, "");
  });
});

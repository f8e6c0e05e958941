import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  attestation,
  createJob,
  deployMarket,
  paramsOf,
  E18,
  owed,
  ROOT,
  sign,
  signedBatch,
  State,
  submittedJob,
  Verdict,
  verdictOf,
} from "./fixture";

const COLLATERAL = 300n * E18;

describe("JobMarket.settle / settleVerdicts / expire", () => {
  describe("settle", () => {
    it("test_settle_valid_paysUnitsRefundsRestChargesFeeCreditsWork", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op, 80n);
      const a = await attestation(f, jobId, 0);
      const sigs = await sign(f, a);
      const m = await f.market.getAddress();
      const usd = await f.usd.getAddress();
      const mB = await f.usd.balanceOf(m);
      await expect(f.market.connect(f.others[0]).settle(a, sigs))
        .to.emit(f.market, "ShardSettled")
        .withArgs(jobId, 0n, op.address, 80n, 78_000_000n, 2_000_000n, 20_000_000n, 4n * E18)
        .and.to.emit(f.market, "FeeCollected")
        .withArgs(usd, f.treasury.address, 2_000_000n, false)
        .and.to.emit(f.rewards, "WorkBatchCredited");
      // Credited, not sent: the market still holds the whole shard value (PROTOCOL §20.1).
      expect(await owed(f, usd, [op.address, f.dev.address, f.treasury.address])).to.deep.equal([
        78_000_000n,
        20_000_000n,
        2_000_000n,
      ]);
      expect(await f.usd.balanceOf(m)).to.equal(mB);
      expect(await f.market.owedTotal(usd)).to.equal(100_000_000n);
      expect(await f.market.escrowOf(usd)).to.equal(0n);
      // Each withdraws its credit.
      for (const [who, amount] of [
        [op, 78_000_000n],
        [f.dev, 20_000_000n],
        [f.treasury, 2_000_000n],
      ] as const) {
        const before = await f.usd.balanceOf(who.address);
        await expect(f.market.connect(who).withdraw(usd, who.address))
          .to.emit(f.market, "Withdrawn")
          .withArgs(usd, who.address, who.address, amount);
        expect((await f.usd.balanceOf(who.address)) - before).to.equal(amount);
        expect(await f.market.owedOf(usd, who.address)).to.equal(0n);
      }
      expect(mB - (await f.usd.balanceOf(m))).to.equal(100_000_000n);
      expect(await f.market.owedTotal(usd)).to.equal(0n);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Settled);
      expect((await f.market.operatorRecord(op.address)).settled).to.equal(1n);
      expect((await f.rewards.operatorEpoch(op.address)).workPoints).to.equal(4n * E18);
    });

    it("test_settle_valid_paysMinOfAttestedAndClaimedUnits", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f, f.ops[0], 50n);
      const a = await attestation(f, jobId, 0, { units: 90n });
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardSettled")
        .withArgs(jobId, 0n, f.ops[0].address, 50n, 48_750_000n, 1_250_000n, 50_000_000n, 25n * 10n ** 17n);
    });

    it("test_settle_valid_attestedFewerUnitsThanSubmitted_paysAttested", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op, 80n);
      // The committee counted 30 of the 80 claimed units: 30 are paid, the other 70 refunded.
      const a = await attestation(f, jobId, 0, { units: 30n });
      const m = await f.market.getAddress();
      const usd = await f.usd.getAddress();
      const mB = await f.usd.balanceOf(m);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardSettled")
        .withArgs(jobId, 0n, op.address, 30n, 29_250_000n, 750_000n, 70_000_000n, 15n * 10n ** 17n);
      expect(await owed(f, usd, [op.address, f.dev.address, f.treasury.address])).to.deep.equal([
        29_250_000n,
        70_000_000n,
        750_000n,
      ]);
      expect(await f.usd.balanceOf(m)).to.equal(mB);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect((await f.rewards.operatorEpoch(op.address)).workPoints).to.equal(15n * 10n ** 17n);
    });

    it("test_settle_valid_inRgl_burnsFee", async () => {
      const f = await loadFixture(deployMarket);
      const rglAddr = await f.rgl.getAddress();
      // 100 units × 1 RGL max: value 100 RGL, 80 used, fee 2 RGL burned.
      const jobId = await submittedJob(f, f.ops[0], 80n, { maxPricePerUnit: E18 }, rglAddr);
      const a = await attestation(f, jobId, 0);
      const supply = await f.rgl.totalSupply();
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "FeeCollected")
        .withArgs(rglAddr, ethers.ZeroAddress, 2n * E18, true);
      expect(supply - (await f.rgl.totalSupply())).to.equal(2n * E18);
      expect(await f.market.escrowOf(rglAddr)).to.equal(0n);
      // The operator's 78 RGL and the developer's 20 RGL refund wait as credits; the fee is gone.
      expect(await f.market.owedTotal(rglAddr)).to.equal(98n * E18);
      expect(await f.rgl.balanceOf(await f.market.getAddress())).to.equal(98n * E18);
    });

    it("test_settle_valid_zeroFee_creditsNoPoints", async () => {
      const f = await loadFixture(deployMarket);
      await f.market.setParams({ ...(await paramsOf(f.market)), feeBps: 0 });
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a))).not.to.emit(f.rewards, "WorkBatchCredited");
    });

    it("test_settle_invalid_slashesCollateralHalfToDeveloperRefundsAll", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.Invalid, units: 0n });
      const [usdB, rglB, supply, stakeB] = await Promise.all([
        f.usd.balanceOf(f.dev.address),
        f.rgl.balanceOf(f.dev.address),
        f.rgl.totalSupply(),
        f.staking.selfStake(op.address),
      ]);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardFailed")
        .withArgs(jobId, 0n, op.address, COLLATERAL, 100_000_000n);
      // The refund is credited (the RGL slash share is paid by staking, in RGL).
      expect(await f.usd.balanceOf(f.dev.address)).to.equal(usdB);
      expect(await f.market.owedOf(await f.usd.getAddress(), f.dev.address)).to.equal(100_000_000n);
      expect((await f.rgl.balanceOf(f.dev.address)) - rglB).to.equal(COLLATERAL / 2n);
      expect(supply - (await f.rgl.totalSupply())).to.equal(COLLATERAL / 2n);
      expect(stakeB - (await f.staking.selfStake(op.address))).to.equal(COLLATERAL);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.staking.jailedUntil(op.address)).to.be.greaterThan(BigInt(await time.latest()));
      const rec = await f.market.operatorRecord(op.address);
      expect(rec.failed).to.equal(1n);
      expect(rec.slashed).to.equal(COLLATERAL);
      expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Failed);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
    });

    it("test_settle_revertsWhen_doubleSettle", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0);
      const sigs = await sign(f, a);
      await f.market.settle(a, sigs);
      await expect(f.market.settle(a, sigs))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(jobId, 0n, State.Settled);
    });

    it("test_settle_revertsWhen_attestationForAnotherMarketOperatorRootOrVerdict", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const cases = [
        { market: f.others[0].address },
        { operator: f.ops[1].address },
        { resultRoot: ethers.id("other") },
        { verdict: 0 },
        { verdict: 4 },
      ];
      for (const over of cases) {
        const a = await attestation(f, jobId, 0, over);
        await expect(f.market.settle(a, await sign(f, a)))
          .to.be.revertedWithCustomError(f.market, "MarketAttestationMismatch")
          .withArgs(jobId, 0n);
      }
    });

    it("test_settle_revertsWhen_attestationForAnotherJobOrShard", async () => {
      const f = await loadFixture(deployMarket);
      const jobA = await submittedJob(f);
      const jobB = await submittedJob(f, f.ops[1]);
      // Signed for job A, replayed against job B: the digest differs, so the signers recover wrong.
      const a = await attestation(f, jobA, 0);
      const sigs = await sign(f, a);
      const b = { ...(await attestation(f, jobB, 0)), expiry: a.expiry };
      await expect(f.market.settle(b, sigs)).to.be.reverted;
      const wrongShard = { ...a, shard: 1 };
      await expect(f.market.settle(wrongShard, sigs))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownShard")
        .withArgs(jobA, 1n);
    });

    it("test_settle_revertsWhen_staleAttestation", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0, { expiry: BigInt(await time.latest()) + 10n });
      const sigs = await sign(f, a);
      await time.increase(20);
      await expect(f.market.settle(a, sigs)).to.be.revertedWithCustomError(f.market, "MarketAttestationExpired");
    });

    it("test_settle_revertsWhen_signedForAnotherChainOrCommittee", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a, 2, 1n))).to.be.revertedWithCustomError(
        f.committee,
        "TestCommitteeNotSigner",
      );
      await expect(f.market.settle(a, await sign(f, a, 2, undefined, f.others[0].address))).to.be.reverted;
    });

    it("test_settle_revertsWhen_belowQuorum", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a, 1)))
        .to.be.revertedWithCustomError(f.committee, "TestCommitteeNoQuorum")
        .withArgs(1n, 2n);
    });

    it("test_settle_revertsWhen_verifyWindowClosed", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      await time.increase(3_601);
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a))).to.be.revertedWithCustomError(
        f.market,
        "MarketVerifyWindowClosed",
      );
    });

    it("test_settle_worksWhilePaused", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      await f.market.pause();
      const a = await attestation(f, jobId, 0);
      await expect(f.market.settle(a, await sign(f, a))).to.emit(f.market, "ShardSettled");
    });
  });

  describe("settleVerdicts (basics; adversarial cases in JobMarket.settleVerdicts.test.ts)", () => {
    it("test_settleVerdicts_settlesAllAndSkipsAlreadySettled", async () => {
      const f = await loadFixture(deployMarket);
      const ids = [await submittedJob(f), await submittedJob(f, f.ops[1]), await submittedJob(f, f.ops[2])];
      const a1 = await attestation(f, ids[1], 0);
      await f.market.settle(a1, await sign(f, a1));
      const verdicts = await Promise.all(ids.map((id) => verdictOf(f, id, 0)));
      const { batch, sigs } = await signedBatch(f, verdicts);
      expect(await f.market.settleVerdicts.staticCall(batch, sigs, verdicts)).to.equal(2n);
      await expect(f.market.settleVerdicts(batch, sigs, verdicts))
        .to.emit(f.market, "VerdictSkipped")
        .withArgs(ids[1], 0n, 1n)
        .and.to.emit(f.market, "VerdictsSettled")
        .withArgs(batch.verdictsRoot, 2n, 1n);
      for (const id of ids) expect((await f.market.getShard(id, 0)).state).to.equal(State.Settled);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
    });

    it("test_settleVerdicts_revertsWhen_countMismatch", async () => {
      const f = await loadFixture(deployMarket);
      const id = await submittedJob(f);
      const v = await verdictOf(f, id, 0);
      const { batch, sigs } = await signedBatch(f, [v], { count: 2 });
      await expect(f.market.settleVerdicts(batch, sigs, [v]))
        .to.be.revertedWithCustomError(f.market, "MarketLengthMismatch")
        .withArgs(2n, 1n);
    });

    it("test_settleVerdicts_revertsWhen_badSignatures", async () => {
      const f = await loadFixture(deployMarket);
      const id = await submittedJob(f);
      const v = await verdictOf(f, id, 0);
      const { batch, sigs } = await signedBatch(f, [v], {}, 1);
      await expect(f.market.settleVerdicts(batch, sigs, [v])).to.be.revertedWithCustomError(
        f.committee,
        "TestCommitteeNoQuorum",
      );
    });
  });

  describe("expire", () => {
    it("test_expire_acceptedPastDeadline_slashesNoShowToDeveloperAndRefunds", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await createJob(f);
      await f.market.connect(op).accept(jobId, 0);
      await time.increase(86_401);
      const [usdB, rglB, stakeB] = await Promise.all([
        f.usd.balanceOf(f.dev.address),
        f.rgl.balanceOf(f.dev.address),
        f.staking.selfStake(op.address),
      ]);
      await expect(f.market.connect(f.others[0]).expire(jobId, 0))
        .to.emit(f.market, "ShardExpired")
        .withArgs(jobId, 0n, op.address, true, COLLATERAL / 10n, 100_000_000n);
      expect(await f.usd.balanceOf(f.dev.address)).to.equal(usdB);
      expect(await f.market.owedOf(await f.usd.getAddress(), f.dev.address)).to.equal(100_000_000n);
      expect((await f.rgl.balanceOf(f.dev.address)) - rglB).to.equal(COLLATERAL / 10n);
      expect(stakeB - (await f.staking.selfStake(op.address))).to.equal(COLLATERAL / 10n);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      const rec = await f.market.operatorRecord(op.address);
      expect(rec.noShows).to.equal(1n);
      expect(rec.slashed).to.equal(COLLATERAL / 10n);
      expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Expired);
    });

    it("test_expire_submittedPastVerifyWindow_refundsUnlocksNoSlash", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op);
      await time.increase(3_601);
      const [usdB, stakeB] = await Promise.all([f.usd.balanceOf(f.dev.address), f.staking.selfStake(op.address)]);
      await expect(f.market.expire(jobId, 0))
        .to.emit(f.market, "ShardExpired")
        .withArgs(jobId, 0n, op.address, false, 0n, 100_000_000n);
      expect(await f.usd.balanceOf(f.dev.address)).to.equal(usdB);
      expect(await f.market.owedOf(await f.usd.getAddress(), f.dev.address)).to.equal(100_000_000n);
      expect(await f.staking.selfStake(op.address)).to.equal(stakeB);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
    });

    it("test_expire_revertsWhen_deadlineNotPassed", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await expect(f.market.expire(jobId, 0)).to.be.revertedWithCustomError(f.market, "MarketDeadlineNotPassed");
    });

    it("test_expire_revertsWhen_verifyWindowOpen", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      await expect(f.market.expire(jobId, 0)).to.be.revertedWithCustomError(f.market, "MarketVerifyWindowOpen");
    });

    it("test_expire_revertsWhen_openShard", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await expect(f.market.expire(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(jobId, 0n, State.Open);
    });

    it("test_expireAfterSettle_and_settleAfterExpire_revert", async () => {
      const f = await loadFixture(deployMarket);
      const a1 = await submittedJob(f);
      const att = await attestation(f, a1, 0);
      await f.market.settle(att, await sign(f, att));
      await time.increase(3_601);
      await expect(f.market.expire(a1, 0))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(a1, 0n, State.Settled);

      const a2 = await submittedJob(f, f.ops[1]);
      const att2 = await attestation(f, a2, 0, { expiry: BigInt(await time.latest()) + 10_000n });
      const sigs2 = await sign(f, att2);
      await time.increase(3_601);
      await f.market.expire(a2, 0);
      await expect(f.market.settle(att2, sigs2))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(a2, 0n, State.Expired);
    });

    it("test_expire_worksWhilePaused", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      await f.market.pause();
      await time.increase(3_601);
      await expect(f.market.expire(jobId, 0)).to.emit(f.market, "ShardExpired");
    });

    it("test_submitResult_root_isBoundIntoSettlement", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      expect((await f.market.getShard(jobId, 0)).resultRoot).to.equal(ROOT);
    });
  });
});

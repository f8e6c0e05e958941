import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  attestation,
  createJob,
  deployMarket,
  paramsOf,
  E18,
  sign,
  State,
  owed,
  signedBatch,
  submittedJob,
  USD_RATE,
  Verdict,
  verdictOf,
  type MarketFixture,
} from "./fixture";
import { deployProtocol, jobParamsFor, shardAttestation, STAKE } from "../../../fixtures/protocolFixture";
import type { TestReentrantToken } from "../../../typechain-types";

// settle / settleVerdicts with verdict 3, DeveloperFault (docs/PROTOCOL.md §9.3, §18.2): the operator is
// paid for the units used, the developer refunded the rest, the fee taken as for Valid, the collateral
// unlocked; no slash, no jail, no work points, no record counter.

const COLLATERAL = 300n * E18;
const V = 100_000_000n; // 100 units × 1 tUSD

/**
 * Every credit, balance and counter a settlement can touch, for before/after deltas. Payouts are
 * credited (PROTOCOL §20.1): `opUsd`, `devUsd` and `treasuryUsd` are what each is owed, `marketUsd`
 * the market's escrow; the market's token balance never moves on settlement (`marketBalance`).
 */
async function snapshot(f: MarketFixture, op: HardhatEthersSigner) {
  const m = await f.market.getAddress();
  const usd = await f.usd.getAddress();
  const [
    opUsd,
    devUsd,
    treasuryUsd,
    marketUsd,
    marketBalance,
    devRgl,
    rglSupply,
    stake,
    locked,
    jailed,
    record,
    epoch,
  ] = await Promise.all([
    f.market.owedOf(usd, op.address),
    f.market.owedOf(usd, f.dev.address),
    f.market.owedOf(usd, f.treasury.address),
    f.market.escrowOf(usd),
    f.usd.balanceOf(m),
    f.rgl.balanceOf(f.dev.address),
    f.rgl.totalSupply(),
    f.staking.selfStake(op.address),
    f.staking.locked(op.address),
    f.staking.jailedUntil(op.address),
    f.market.operatorRecord(op.address),
    f.rewards.operatorEpoch(op.address),
  ]);
  return {
    opUsd,
    devUsd,
    treasuryUsd,
    marketUsd,
    marketBalance,
    devRgl,
    rglSupply,
    stake,
    locked,
    jailed,
    record: [...record],
    workPoints: epoch.workPoints,
  };
}

describe("JobMarket developer fault (verdict 3)", () => {
  describe("settle", () => {
    it("test_settle_developerFault_paysUnitsUsedRefundsRestChargesFee_unlocksWithoutSlashJailOrPoints", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op, 80n);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      const sigs = await sign(f, a);
      const before = await snapshot(f, op);
      expect(before.locked).to.equal(COLLATERAL);

      await expect(f.market.connect(f.others[0]).settle(a, sigs))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(jobId, 0n, op.address, 80n, 78_000_000n, 2_000_000n, 20_000_000n)
        .and.to.emit(f.market, "FeeCollected")
        .withArgs(await f.usd.getAddress(), f.treasury.address, 2_000_000n, false)
        .and.not.to.emit(f.market, "ShardSettled")
        .and.not.to.emit(f.rewards, "WorkBatchCredited");

      const after = await snapshot(f, op);
      expect(after.opUsd - before.opUsd).to.equal(78_000_000n);
      expect(after.devUsd - before.devUsd).to.equal(20_000_000n);
      expect(after.treasuryUsd - before.treasuryUsd).to.equal(2_000_000n);
      expect(before.marketUsd - after.marketUsd).to.equal(V);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
      expect((await f.market.getJob(jobId)).escrow).to.equal(0n);
      // RGL side: the collateral is unlocked, nothing slashed, burned or paid to the developer.
      expect(after.locked).to.equal(0n);
      expect(after.stake).to.equal(before.stake);
      expect(after.devRgl).to.equal(before.devRgl);
      expect(after.rglSupply).to.equal(before.rglSupply);
      expect(after.jailed).to.equal(before.jailed);
      expect(after.workPoints).to.equal(before.workPoints);
      expect(after.record).to.deep.equal(before.record);
      expect((await f.market.getShard(jobId, 0)).state).to.equal(State.DeveloperFault);
    });

    it("test_settle_developerFault_paysMinOfAttestedAndSubmittedUnits", async () => {
      const f = await loadFixture(deployMarket);
      const low = await submittedJob(f, f.ops[0], 80n);
      const a = await attestation(f, low, 0, { verdict: Verdict.DeveloperFault, units: 30n });
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(low, 0n, f.ops[0].address, 30n, 29_250_000n, 750_000n, 70_000_000n);

      const high = await submittedJob(f, f.ops[1], 50n);
      const b = await attestation(f, high, 0, { verdict: Verdict.DeveloperFault, units: 90n });
      await expect(f.market.settle(b, await sign(f, b)))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(high, 0n, f.ops[1].address, 50n, 48_750_000n, 1_250_000n, 50_000_000n);
    });

    it("test_settle_developerFault_zeroUnits_refundsAllPaysNothingNoFee", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op, 80n);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault, units: 0n });
      const before = await snapshot(f, op);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(jobId, 0n, op.address, 0n, 0n, 0n, V)
        .and.not.to.emit(f.market, "FeeCollected");
      const after = await snapshot(f, op);
      expect(after.opUsd).to.equal(before.opUsd);
      expect(after.devUsd - before.devUsd).to.equal(V);
      expect(after.locked).to.equal(0n);
    });

    it("test_settle_developerFault_fullUnits_refundsNothing", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f, f.ops[0], 100n);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      const devB = await f.usd.balanceOf(f.dev.address);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(jobId, 0n, f.ops[0].address, 100n, 97_500_000n, 2_500_000n, 0n);
      expect(await f.usd.balanceOf(f.dev.address)).to.equal(devB);
    });

    it("test_settle_developerFault_inRgl_burnsFee_protocolExample", async () => {
      // PROTOCOL §18.2's example: V = 10 RGL (10 units at 1 RGL), a run that failed after 3 units.
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const rglAddr = await f.rgl.getAddress();
      const jobId = await submittedJob(f, op, 3n, { maxUnitsPerShard: 10n, maxPricePerUnit: E18 }, rglAddr);
      expect(await f.staking.locked(op.address)).to.equal(15n * E18);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      const [opB, devB, supply, stake] = await Promise.all([
        f.market.owedOf(rglAddr, op.address),
        f.market.owedOf(rglAddr, f.dev.address),
        f.rgl.totalSupply(),
        f.staking.selfStake(op.address),
      ]);
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(jobId, 0n, op.address, 3n, 2_925n * 10n ** 15n, 75n * 10n ** 15n, 7n * E18)
        .and.to.emit(f.market, "FeeCollected")
        .withArgs(rglAddr, ethers.ZeroAddress, 75n * 10n ** 15n, true);
      expect((await f.market.owedOf(rglAddr, op.address)) - opB).to.equal(2_925n * 10n ** 15n);
      expect((await f.market.owedOf(rglAddr, f.dev.address)) - devB).to.equal(7n * E18);
      expect(supply - (await f.rgl.totalSupply())).to.equal(75n * 10n ** 15n);
      expect(await f.staking.selfStake(op.address)).to.equal(stake);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.market.escrowOf(rglAddr)).to.equal(0n);
      // What remains in the market is exactly what it owes (the fee was burned).
      expect(await f.rgl.balanceOf(await f.market.getAddress())).to.equal(await f.market.owedTotal(rglAddr));
      expect(await f.market.owedTotal(rglAddr)).to.equal(2_925n * 10n ** 15n + 7n * E18);
    });

    it("test_settle_developerFault_zeroFee_collectsNothing", async () => {
      const f = await loadFixture(deployMarket);
      await f.market.setParams({ ...(await paramsOf(f.market)), feeBps: 0 });
      const jobId = await submittedJob(f, f.ops[0], 80n);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      await expect(f.market.settle(a, await sign(f, a)))
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(jobId, 0n, f.ops[0].address, 80n, 80_000_000n, 0n, 20_000_000n)
        .and.not.to.emit(f.market, "FeeCollected");
    });

    it("test_settle_developerFault_operatorNotJailed_acceptsNextShardAtOnce", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const jobId = await submittedJob(f, op, 80n);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      await f.market.settle(a, await sign(f, a));
      const next = await createJob(f);
      await expect(f.market.connect(op).accept(next, 0)).to.emit(f.market, "ShardAccepted");
    });

    it("test_settle_revertsWhen_developerFaultSettledTwice", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      const sigs = await sign(f, a);
      await f.market.settle(a, sigs);
      for (const verdict of [Verdict.DeveloperFault, Verdict.Valid, Verdict.Invalid]) {
        const b = { ...a, verdict };
        await expect(f.market.settle(b, await sign(f, b)))
          .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
          .withArgs(jobId, 0n, State.DeveloperFault);
      }
    });

    it("test_expire_revertsWhen_afterDeveloperFault", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      await f.market.settle(a, await sign(f, a));
      await time.increase(86_401);
      await expect(f.market.expire(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(jobId, 0n, State.DeveloperFault);
      await expect(f.market.connect(f.dev).cancel(jobId)).not.to.emit(f.market, "ShardCancelled");
    });

    it("test_settle_revertsWhen_developerFaultAfterExpire", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      const a = await attestation(f, jobId, 0, {
        verdict: Verdict.DeveloperFault,
        expiry: BigInt(await time.latest()) + 10_000n,
      });
      const sigs = await sign(f, a);
      await time.increase(3_601);
      await f.market.expire(jobId, 0);
      await expect(f.market.settle(a, sigs))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(jobId, 0n, State.Expired);
    });

    it("test_settle_revertsWhen_developerFaultAfterVerifyWindow", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      await time.increase(3_601);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      await expect(f.market.settle(a, await sign(f, a))).to.be.revertedWithCustomError(
        f.market,
        "MarketVerifyWindowClosed",
      );
    });

    it("test_settle_revertsWhen_verdictNoneOrAboveDeveloperFault", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      for (const verdict of [0, 4, 255]) {
        const a = await attestation(f, jobId, 0, { verdict });
        await expect(f.market.settle(a, await sign(f, a)), `verdict ${verdict}`)
          .to.be.revertedWithCustomError(f.market, "MarketAttestationMismatch")
          .withArgs(jobId, 0n);
      }
    });

    it("test_settle_developerFault_worksWhilePaused", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await submittedJob(f);
      await f.market.pause();
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      await expect(f.market.settle(a, await sign(f, a))).to.emit(f.market, "ShardDeveloperFault");
    });

    it("test_settle_developerFault_reentrantToken_settleMakesNoTokenCall_withdrawCannotReenter", async () => {
      const f = await loadFixture(deployMarket);
      const ree = (await ethers.deployContract("TestReentrantToken")) as unknown as TestReentrantToken;
      const token = await ree.getAddress();
      const m = await f.market.getAddress();
      await f.market.setPaymentToken(token, true, USD_RATE);
      await ree.mint(f.dev.address, 10n ** 12n);
      await ree.connect(f.dev).approve(m, ethers.MaxUint256);
      const jobId = await submittedJob(f, f.ops[0], 80n, { shards: 1 }, token);
      const a = await attestation(f, jobId, 0, { verdict: Verdict.DeveloperFault });
      const sigs = await sign(f, a);
      // Armed to re-enter on any transfer: settlement makes none (the old rule transferred the
      // operator's pay inside settle, and the token could call back there).
      await ree.arm(m, f.market.interface.encodeFunctionData("withdraw", [token, f.ops[0].address]));
      await expect(f.market.settle(a, sigs)).to.emit(f.market, "ShardDeveloperFault");
      expect(await ree.balanceOf(m)).to.equal(V);
      expect(await f.staking.locked(f.ops[0].address)).to.equal(0n);
      expect(await f.market.owedOf(token, f.ops[0].address)).to.equal(78_000_000n);
      // The withdrawal's transfer tries to withdraw again (a double payout): the guard stops it.
      await expect(f.market.connect(f.ops[0]).withdraw(token, f.ops[0].address)).to.be.revertedWithCustomError(
        f.market,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.market.owedOf(token, f.ops[0].address)).to.equal(78_000_000n);
      expect(await ree.balanceOf(m)).to.equal(V);
      await ree.arm(ethers.ZeroAddress, "0x");
      await f.market.connect(f.ops[0]).withdraw(token, f.ops[0].address);
      expect(await ree.balanceOf(f.ops[0].address)).to.equal(78_000_000n);
      expect(await ree.balanceOf(m)).to.equal(V - 78_000_000n);
    });
  });

  describe("settleVerdicts", () => {
    it("test_settleVerdicts_mixesValidInvalidAndDeveloperFault", async () => {
      const f = await loadFixture(deployMarket);
      const [op0, op1, op2] = f.ops;
      const usd = await f.usd.getAddress();
      const ids = [await submittedJob(f, op0, 80n), await submittedJob(f, op1, 80n), await submittedJob(f, op2, 40n)];
      const kinds = [Verdict.Valid, Verdict.Invalid, Verdict.DeveloperFault];
      const leaves = await Promise.all(ids.map((id, i) => verdictOf(f, id, 0, { verdict: kinds[i] })));
      const m = await f.market.getAddress();
      const [mB, rglDevB] = await Promise.all([f.usd.balanceOf(m), f.rgl.balanceOf(f.dev.address)]);
      // The Valid leaf twice: its second copy is skipped (reason 1), not paid again.
      const all = [...leaves, leaves[0]];
      const { batch, sigs } = await signedBatch(f, all);
      const tx = f.market.settleVerdicts(batch, sigs, all);
      await expect(tx)
        .to.emit(f.market, "ShardSettled")
        .withArgs(ids[0], 0n, op0.address, 80n, 78_000_000n, 2_000_000n, 20_000_000n, 4n * E18);
      await expect(tx).to.emit(f.market, "ShardFailed").withArgs(ids[1], 0n, op1.address, COLLATERAL, V);
      await expect(tx)
        .to.emit(f.market, "ShardDeveloperFault")
        .withArgs(ids[2], 0n, op2.address, 40n, 39_000_000n, 1_000_000n, 60_000_000n);
      await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(ids[0], 0n, 1n);
      await expect(tx).to.emit(f.market, "VerdictsSettled").withArgs(batch.verdictsRoot, 3n, 1n);

      expect(
        await owed(f, usd, [op0.address, op1.address, op2.address, f.dev.address, f.treasury.address]),
      ).to.deep.equal([78_000_000n, 0n, 39_000_000n, 20_000_000n + V + 60_000_000n, 3_000_000n]);
      expect(await f.usd.balanceOf(m)).to.equal(mB);
      expect(await f.market.owedTotal(usd)).to.equal(3n * V);
      expect(await f.market.escrowOf(usd)).to.equal(0n);
      expect((await f.rgl.balanceOf(f.dev.address)) - rglDevB).to.equal(COLLATERAL / 2n);
      const states = await Promise.all(ids.map(async (id) => (await f.market.getShard(id, 0)).state));
      expect(states).to.deep.equal([State.Settled, State.Failed, State.DeveloperFault]);
      for (const op of f.ops) expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.staking.jailedUntil(op2.address)).to.equal(0n);
      expect(await f.staking.jailedUntil(op1.address)).to.be.greaterThan(0n);
      expect((await f.rewards.operatorEpoch(op2.address)).workPoints).to.equal(0n);
      expect((await f.rewards.operatorEpoch(op0.address)).workPoints).to.equal(4n * E18);
    });

    it("test_settleVerdicts_returnsCountIncludingDeveloperFault", async () => {
      const f = await loadFixture(deployMarket);
      const ids = [await submittedJob(f), await submittedJob(f, f.ops[1])];
      const leaves = await Promise.all(ids.map((id) => verdictOf(f, id, 0, { verdict: Verdict.DeveloperFault })));
      const { batch, sigs } = await signedBatch(f, leaves);
      expect(await f.market.settleVerdicts.staticCall(batch, sigs, leaves)).to.equal(2n);
    });

    it("test_settleVerdicts_skipsALeafWithVerdictAboveDeveloperFault", async () => {
      const f = await loadFixture(deployMarket);
      const ids = [await submittedJob(f), await submittedJob(f, f.ops[1])];
      const leaves = [
        await verdictOf(f, ids[0], 0, { verdict: Verdict.DeveloperFault }),
        await verdictOf(f, ids[1], 0, { verdict: 4 }),
      ];
      const { batch, sigs } = await signedBatch(f, leaves);
      await expect(f.market.settleVerdicts(batch, sigs, leaves))
        .to.emit(f.market, "VerdictSkipped")
        .withArgs(ids[1], 0n, 4n);
      expect((await f.market.getShard(ids[0], 0)).state).to.equal(State.DeveloperFault);
      expect((await f.market.getShard(ids[1], 0)).state).to.equal(State.Submitted);
    });
  });

  describe("real protocol", () => {
    it("test_developerFault_realStakingAndCommittee_unlocksStakeNoSlashNoJailNoPoints", async () => {
      const p = await loadFixture(deployProtocol);
      const op = p.ops[0];
      await p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress()));
      const jobId = await p.market.jobCount();
      await p.market.connect(op).accept(jobId, 0);
      await p.market.connect(op).submit(jobId, 0, ethers.id("failed-run"), 80n, "");
      expect((await p.staking.operatorInfo(op.address)).lockedStake).to.equal(COLLATERAL);
      const { att, sigs } = await shardAttestation(p, jobId, 0, Verdict.DeveloperFault);
      const usd = await p.usd.getAddress();
      const [opUsd, devUsd, info, points] = await Promise.all([
        p.market.owedOf(usd, op.address),
        p.market.owedOf(usd, p.devs[0].address),
        p.staking.operatorInfo(op.address),
        p.rewards.operatorEpoch(op.address),
      ]);
      await expect(p.market.settle(att, sigs))
        .to.emit(p.market, "ShardDeveloperFault")
        .and.not.to.emit(p.staking, "Slashed")
        .and.not.to.emit(p.rewards, "WorkBatchCredited");
      const after = await p.staking.operatorInfo(op.address);
      expect((await p.market.owedOf(usd, op.address)) - opUsd).to.equal(78_000_000n);
      expect((await p.market.owedOf(usd, p.devs[0].address)) - devUsd).to.equal(20_000_000n);
      expect(after.lockedStake).to.equal(0n);
      expect(after.selfStake).to.equal(info.selfStake).and.to.equal(STAKE);
      expect(after.jailedUntil).to.equal(info.jailedUntil);
      expect((await p.rewards.operatorEpoch(op.address)).workPoints).to.equal(points.workPoints);
    });
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ComputeToken, RewardsDistributor, TestReentrantStakingHooks } from "../../../typechain-types";
import {
  CAP,
  COMMISSION_BPS,
  DECAY_BPS,
  deployMarket,
  deployMarketWith,
  E18,
  EPOCH,
  GENESIS,
  INITIAL_EMISSION,
  OPERATOR_STAKE,
  WORK_CAP_BPS,
  WORK_SHARE_BPS,
  type MarketFixture,
} from "./fixture";

import { emissionOf } from "./emission";

const CAP_ROOM = 10n * E18; // room for only 10 RGL of emission
const nearlyCappedMarket = () => deployMarketWith({ cap: GENESIS + CAP_ROOM });

async function withMarketRole(f: MarketFixture) {
  await f.rewards.grantRole(await f.rewards.MARKET_ROLE(), f.admin.address);
  return f;
}

/** Move to the start of the next epoch; returns that epoch. */
/** A record's `validUntil` that test staking (capacity validity 0) reads as issued in the next block. */
async function issuedNow(): Promise<bigint> {
  return BigInt(await time.latest()) + 1n;
}

async function nextEpoch(f: MarketFixture): Promise<bigint> {
  const s = await f.rewards.schedule();
  const e = (await f.rewards.currentEpoch()) + 1n;
  await time.increaseTo(s.genesis + e * s.epochLength);
  return e;
}

describe("RewardsDistributor", () => {
  describe("constructor and schedule", () => {
    it("test_constructor_setsScheduleAndRoles", async () => {
      const f = await loadFixture(deployMarket);
      const s = await f.rewards.schedule();
      expect(s.epochLength).to.equal(EPOCH);
      expect(s.initialEmission).to.equal(INITIAL_EMISSION);
      expect(s.decayBps).to.equal(DECAY_BPS);
      expect(s.workShareBps).to.equal(WORK_SHARE_BPS);
      expect(s.workRewardCapBps).to.equal(WORK_CAP_BPS);
      expect(await f.rewards.hasRole(await f.rewards.GOVERNOR_ROLE(), f.admin.address)).to.equal(true);
      expect(await f.rewards.rgl()).to.equal(await f.rgl.getAddress());
      expect(await f.rewards.staking()).to.equal(await f.staking.getAddress());
    });

    it("test_constructor_revertsWhen_badParams", async () => {
      const f = await loadFixture(deployMarket);
      const factory = await ethers.getContractFactory("RewardsDistributor");
      const good = {
        genesis: 0,
        epochLength: 60,
        initialEmission: 1,
        decayBps: 100,
        workShareBps: 7000,
        workRewardCapBps: 5000,
      };
      const rgl = await f.rgl.getAddress();
      const st = await f.staking.getAddress();
      const a = f.admin.address;
      await expect(factory.deploy(ethers.ZeroAddress, rgl, st, good)).to.be.revertedWithCustomError(
        factory,
        "RewardsZeroAddress",
      );
      await expect(factory.deploy(a, ethers.ZeroAddress, st, good)).to.be.revertedWithCustomError(
        factory,
        "RewardsZeroAddress",
      );
      await expect(factory.deploy(a, rgl, ethers.ZeroAddress, good)).to.be.revertedWithCustomError(
        factory,
        "RewardsZeroAddress",
      );
      for (const over of [
        { epochLength: 0 },
        { decayBps: 10_000 },
        { workShareBps: 10_001 },
        { workRewardCapBps: 10_000 },
      ]) {
        await expect(factory.deploy(a, rgl, st, { ...good, ...over })).to.be.revertedWithCustomError(
          factory,
          "RewardsBadParam",
        );
      }
      const explicit = await factory.deploy(a, rgl, st, { ...good, genesis: 1_000 });
      expect((await explicit.schedule()).genesis).to.equal(1_000n);
      const future = BigInt(await time.latest()) + 10_000n;
      const later = await factory.deploy(a, rgl, st, { ...good, genesis: future });
      expect(await later.currentEpoch()).to.equal(0n);
    });

    it("test_emissionOf_decaysGeometrically", async () => {
      const f = await loadFixture(deployMarket);
      expect(await f.rewards.emissionOf(0)).to.equal(INITIAL_EMISSION);
      expect(await f.rewards.emissionOf(1)).to.equal((INITIAL_EMISSION * 99n) / 100n);
      for (const e of [2n, 7n, 100n, 1_000n, 2n ** 40n]) {
        const got = await f.rewards.emissionOf(e);
        expect(got).to.equal(emissionOf(INITIAL_EMISSION, DECAY_BPS, e));
        expect(got).to.be.lessThanOrEqual(await f.rewards.emissionOf(e - 1n));
      }
      expect(await f.rewards.emissionOf(2n ** 40n)).to.equal(0n);
    });

    it("test_currentEpoch_advancesWithTime", async () => {
      const f = await loadFixture(deployMarket);
      const e0 = await f.rewards.currentEpoch();
      await time.increase(EPOCH * 3n);
      expect(await f.rewards.currentEpoch()).to.equal(e0 + 3n);
    });

    it("test_setWorkRewardCap_boundsAndAccess", async () => {
      const f = await loadFixture(deployMarket);
      await expect(f.rewards.setWorkRewardCap(9_999)).to.emit(f.rewards, "WorkRewardCapSet").withArgs(9_999n);
      expect((await f.rewards.schedule()).workRewardCapBps).to.equal(9_999n);
      await expect(f.rewards.setWorkRewardCap(10_000))
        .to.be.revertedWithCustomError(f.rewards, "RewardsBadParam")
        .withArgs(ethers.encodeBytes32String("workRewardCapBps"), 10_000n);
      await expect(f.rewards.connect(f.others[0]).setWorkRewardCap(1)).to.be.revertedWithCustomError(
        f.rewards,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("crediting", () => {
    it("test_creditWork_addsPointsToOpenEpoch", async () => {
      const f = await withMarketRole(await loadFixture(deployMarket));
      const op = f.ops[0].address;
      const e = await nextEpoch(f);
      await expect(f.rewards.creditWork(op, 10n * E18, 5, 1))
        .to.emit(f.rewards, "WorkCredited")
        .withArgs(op, e, 5n, 1n, 10n * E18);
      await f.rewards.creditWork(op, 5n * E18, 6, 0);
      const o = await f.rewards.operatorEpoch(op);
      expect(o.epoch).to.equal(e);
      expect(o.workPoints).to.equal(15n * E18);
      expect((await f.rewards.epochTotals(e)).workPoints).to.equal(15n * E18);
      expect((await f.rewards.operatorStats(op)).jobsDone).to.equal(2n);
    });

    it("test_creditWork_revertsWhen_notMarket", async () => {
      const f = await loadFixture(deployMarket);
      await expect(f.rewards.connect(f.others[0]).creditWork(f.ops[0].address, 1, 1, 0)).to.be.revertedWithCustomError(
        f.rewards,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("test_onCapacityRecorded_creditsOncePerChallenge", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0].address;
      const rd = await f.rewards.getAddress();
      const id = ethers.id("round-1");
      const e = await nextEpoch(f);
      await expect(f.staking.recordCapacity(rd, op, id, 1_000n, await issuedNow()))
        .to.emit(f.rewards, "AvailabilityCredited")
        .withArgs(op, e, id, 1_000n);
      await expect(f.staking.recordCapacity(rd, op, id, 1_000n, await issuedNow())).not.to.emit(
        f.rewards,
        "AvailabilityCredited",
      );
      await expect(f.staking.recordCapacity(rd, op, ethers.id("zero"), 0n, await issuedNow())).not.to.emit(
        f.rewards,
        "AvailabilityCredited",
      );
      expect((await f.rewards.operatorEpoch(op)).availabilityPoints).to.equal(1_000n);
      expect((await f.rewards.epochTotals(e)).availabilityPoints).to.equal(1_000n);
    });

    it("test_onCapacityRecorded_revertsWhen_notStaking", async () => {
      const f = await loadFixture(deployMarket);
      await expect(f.rewards.onCapacityRecorded(f.ops[0].address, ethers.ZeroHash, 1, 0))
        .to.be.revertedWithCustomError(f.rewards, "RewardsNotStaking")
        .withArgs(f.admin.address);
    });
  });

  describe("settlement and claims", () => {
    it("test_claim_aloneWithWork_paysCappedWorkShareMinusNothingDelegated", async () => {
      const f = await withMarketRole(await loadFixture(deployMarket));
      const op = f.ops[0];
      const e = await nextEpoch(f);
      const points = 100n * E18;
      await f.rewards.creditWork(op.address, points, 1, 0);
      expect(await f.rewards.claimableRewards(op.address)).to.equal(0n);
      await nextEpoch(f);
      const workPart = (emissionOf(INITIAL_EMISSION, DECAY_BPS, e) * WORK_SHARE_BPS) / 10_000n;
      const capped = (points * WORK_CAP_BPS) / 10_000n;
      const reward = workPart < capped ? workPart : capped;
      expect(await f.rewards.pendingRewards(op.address)).to.equal(reward);
      expect(await f.rewards.claimableRewards(op.address)).to.equal(reward);
      const [bal, supply] = await Promise.all([f.rgl.balanceOf(op.address), f.rgl.totalSupply()]);
      const commission = (reward * COMMISSION_BPS) / 10_000n;
      await expect(f.rewards.connect(op).claim(op.address))
        .to.emit(f.rewards, "EpochSettled")
        .withArgs(op.address, e, points, 0n, reward, commission, reward - commission, 0n)
        .and.to.emit(f.rewards, "RewardsClaimed")
        .withArgs(op.address, op.address, reward);
      expect((await f.rgl.balanceOf(op.address)) - bal).to.equal(reward);
      expect((await f.rgl.totalSupply()) - supply).to.equal(reward);
      expect(await f.rewards.totalMinted()).to.equal(reward);
      const t = await f.rewards.epochTotals(e);
      expect(t.minted).to.equal(reward);
      expect(t.minted).to.be.lessThanOrEqual(t.emission);
      expect(await f.rewards.claimableRewards(op.address)).to.equal(0n);
      expect((await f.rewards.operatorStats(op.address)).earned).to.equal(reward);
    });

    it("test_settle_splitsCommissionSelfAndPool_byStake", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.ops[0];
      const delegator = f.others[0];
      await f.rgl.transfer(delegator.address, OPERATOR_STAKE);
      await f.rgl.connect(delegator).approve(await f.staking.getAddress(), ethers.MaxUint256);
      await f.staking.connect(delegator).delegate(op.address, OPERATOR_STAKE); // equal to self-stake
      const rd = await f.rewards.getAddress();
      const e = await nextEpoch(f);
      await f.staking.recordCapacity(rd, op.address, ethers.id("r1"), 500n, await issuedNow());
      await f.staking.recordCapacity(rd, f.ops[1].address, ethers.id("r1"), 1_500n, await issuedNow());
      await nextEpoch(f);
      const availPart =
        emissionOf(INITIAL_EMISSION, DECAY_BPS, e) -
        (emissionOf(INITIAL_EMISSION, DECAY_BPS, e) * WORK_SHARE_BPS) / 10_000n;
      const reward = (availPart * 500n) / 2_000n;
      const commission = (reward * COMMISSION_BPS) / 10_000n;
      const pool = (reward - commission) / 2n;
      const self = reward - commission - pool;
      const delegatedBefore = await f.staking.delegatedStake(op.address);
      await expect(f.rewards.settleOperator(op.address))
        .to.emit(f.rewards, "EpochSettled")
        .withArgs(op.address, e, 0n, 500n, reward, commission, self, pool);
      expect((await f.staking.delegatedStake(op.address)) - delegatedBefore).to.equal(pool);
      expect(await f.rewards.claimableRewards(op.address)).to.equal(commission + self);
      expect(await f.rgl.balanceOf(rd)).to.equal(commission + self);
      // Settling again does nothing: the epoch is closed.
      await expect(f.rewards.settleOperator(op.address)).not.to.emit(f.rewards, "EpochSettled");
    });

    it("test_settle_operatorWithoutStake_keepsWholeRestAsSelfShare", async () => {
      const f = await loadFixture(deployMarket);
      const op = f.others[0]; // not staked: no self-stake, nothing delegated
      const rd = await f.rewards.getAddress();
      expect(await f.staking.selfStake(op.address)).to.equal(0n);
      expect(await f.staking.delegatedStake(op.address)).to.equal(0n);
      // Governance may drop the availability stake minimum (default 100 RGL, PROTOCOL §10.2); the
      // split must still never divide by a zero stake.
      await f.rewards.connect(f.admin).setMinAvailabilityStake(0);
      const e = await nextEpoch(f);
      await f.staking.recordCapacity(rd, op.address, ethers.id("r1"), 1_000n, await issuedNow());
      await nextEpoch(f);
      const emission = emissionOf(INITIAL_EMISSION, DECAY_BPS, e);
      const reward = emission - (emission * WORK_SHARE_BPS) / 10_000n; // alone: the whole availability part
      const [supply, rdB, stB] = await Promise.all([
        f.rgl.totalSupply(),
        f.rgl.balanceOf(rd),
        f.rgl.balanceOf(await f.staking.getAddress()),
      ]);
      // Commission 0 (unregistered in the double): no stake means no pool share and no division by 0.
      await expect(f.rewards.settleOperator(op.address))
        .to.emit(f.rewards, "EpochSettled")
        .withArgs(op.address, e, 0n, 1_000n, reward, 0n, reward, 0n);
      expect((await f.rgl.totalSupply()) - supply).to.equal(reward);
      expect((await f.rgl.balanceOf(rd)) - rdB).to.equal(reward);
      expect(await f.rgl.balanceOf(await f.staking.getAddress())).to.equal(stB);
      expect(await f.rewards.claimableRewards(op.address)).to.equal(reward);
      expect(await f.rewards.totalMinted()).to.equal(reward);
    });

    it("test_lazySettlement_creditInLaterEpochSettlesTheEarlierOne", async () => {
      const f = await withMarketRole(await loadFixture(deployMarket));
      const op = f.ops[0].address;
      const e1 = await nextEpoch(f);
      await f.rewards.creditWork(op, E18, 1, 0);
      await nextEpoch(f);
      const e3 = await nextEpoch(f);
      await expect(f.rewards.creditWork(op, 2n * E18, 2, 0))
        .to.emit(f.rewards, "EpochSettled")
        .withArgs(
          op,
          e1,
          E18,
          0n,
          (E18 * WORK_CAP_BPS) / 10_000n,
          (E18 * WORK_CAP_BPS * COMMISSION_BPS) / 10n ** 8n,
          (E18 * WORK_CAP_BPS) / 10_000n - (E18 * WORK_CAP_BPS * COMMISSION_BPS) / 10n ** 8n,
          0n,
        );
      const o = await f.rewards.operatorEpoch(op);
      expect(o.epoch).to.equal(e3);
      expect(o.workPoints).to.equal(2n * E18);
    });

    it("test_claim_revertsWhen_nothingOrZeroRecipient", async () => {
      const f = await loadFixture(deployMarket);
      await expect(f.rewards.connect(f.ops[0]).claim(f.ops[0].address))
        .to.be.revertedWithCustomError(f.rewards, "RewardsNothingToClaim")
        .withArgs(f.ops[0].address);
      await expect(f.rewards.connect(f.ops[0]).claim(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.rewards,
        "RewardsZeroAddress",
      );
    });

    it("test_operatorStats_readsStakingAndRewards", async () => {
      const f = await loadFixture(deployMarket);
      const s = await f.rewards.operatorStats(f.ops[0].address);
      expect(s.selfStake).to.equal(OPERATOR_STAKE);
      expect(s.delegatedStake).to.equal(0n);
      expect(s.commissionBps).to.equal(COMMISSION_BPS);
      expect(s.opsPerSec).to.equal(10n ** 12n);
      expect(s.vramMiB).to.equal(24_576n);
    });

    it("test_mint_neverAboveTokenCap", async () => {
      const f = await withMarketRole(await loadFixture(nearlyCappedMarket));
      const op = f.ops[0];
      await nextEpoch(f);
      await f.rewards.creditWork(op.address, 1_000n * E18, 1, 0);
      await nextEpoch(f);
      await f.rewards.connect(op).claim(op.address);
      expect(await f.rgl.totalSupply()).to.equal(GENESIS + CAP_ROOM);
      expect(await f.rewards.totalMinted()).to.equal(CAP_ROOM);
      // Once at the cap, settlement mints nothing (and does not revert).
      await f.rewards.creditWork(op.address, E18, 2, 0);
      await nextEpoch(f);
      await expect(f.rewards.settleOperator(op.address)).to.emit(f.rewards, "EpochSettled");
      expect(await f.rgl.totalSupply()).to.equal(GENESIS + CAP_ROOM);
    });
  });

  describe("re-entrancy", () => {
    /** A distributor whose staking double calls back into it while the pool share is paid. */
    async function hostileStaking() {
      const [admin, op] = await ethers.getSigners();
      const rgl = (await ethers.deployContract("ComputeToken", [
        admin.address,
        admin.address,
        GENESIS,
        CAP,
      ])) as unknown as ComputeToken;
      const staking = (await ethers.deployContract("TestReentrantStakingHooks", [
        await rgl.getAddress(),
      ])) as unknown as TestReentrantStakingHooks;
      const rewards = (await ethers.deployContract("RewardsDistributor", [
        admin.address,
        await rgl.getAddress(),
        await staking.getAddress(),
        {
          genesis: 0,
          epochLength: EPOCH,
          initialEmission: INITIAL_EMISSION,
          decayBps: DECAY_BPS,
          workShareBps: WORK_SHARE_BPS,
          workRewardCapBps: WORK_CAP_BPS,
        },
      ])) as unknown as RewardsDistributor;
      const rd = await rewards.getAddress();
      await rgl.grantRole(await rgl.MINTER_ROLE(), rd);
      // The double may call creditWork too, so that the guard (not the role) is what stops it.
      await rewards.grantRole(await rewards.MARKET_ROLE(), await staking.getAddress());
      return { rgl, staking, rewards, admin, op };
    }

    it("test_poolPayment_cannotReenterAnyGuardedEntrypoint", async () => {
      const { rgl, staking, rewards, op } = await loadFixture(hostileStaking);
      const rd = await rewards.getAddress();
      const s = await rewards.schedule();
      const e = (await rewards.currentEpoch()) + 1n;
      await time.increaseTo(s.genesis + e * s.epochLength);
      await staking.recordCapacity(rd, op.address, ethers.id("r1"), 1_000n, await issuedNow());
      await time.increaseTo(s.genesis + (e + 1n) * s.epochLength);
      const encode = rewards.interface.encodeFunctionData.bind(rewards.interface);
      // Every nonReentrant entrypoint, called back from addPoolRewards while settling the epoch.
      const calls: [string, string][] = [
        ["creditWork", encode("creditWork", [op.address, 1n, 1n, 0])],
        ["onCapacityRecorded", encode("onCapacityRecorded", [op.address, ethers.id("r2"), 1n, 0])],
        ["settleOperator", encode("settleOperator", [op.address])],
        ["claim", encode("claim", [op.address])],
      ];
      const supply = await rgl.totalSupply();
      for (const [name, payload] of calls) {
        await staking.arm(rd, payload);
        await expect(rewards.connect(op).settleOperator(op.address), name).to.be.revertedWithCustomError(
          rewards,
          "ReentrancyGuardReentrantCall",
        );
        expect(await rgl.totalSupply(), name).to.equal(supply);
        expect(await rewards.totalMinted(), name).to.equal(0n);
        expect((await rewards.operatorEpoch(op.address)).availabilityPoints, name).to.equal(1_000n);
      }
      // Disarmed, the same settlement mints the epoch's availability part and pays half to the pool.
      await staking.arm(ethers.ZeroAddress, "0x");
      const reward =
        emissionOf(INITIAL_EMISSION, DECAY_BPS, e) -
        (emissionOf(INITIAL_EMISSION, DECAY_BPS, e) * WORK_SHARE_BPS) / 10_000n;
      await expect(rewards.settleOperator(op.address))
        .to.emit(rewards, "EpochSettled")
        .withArgs(op.address, e, 0n, 1_000n, reward, 0n, reward - reward / 2n, reward / 2n);
      expect(await rgl.balanceOf(await staking.getAddress())).to.equal(reward / 2n);
      expect(await rgl.balanceOf(rd)).to.equal(reward - reward / 2n);
      expect((await rgl.totalSupply()) - supply).to.equal(reward);
    });
  });
});

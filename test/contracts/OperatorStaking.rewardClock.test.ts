// OperatorStaking with the reward clock (PROTOCOL §6.8): pending delegations and what the views
// show of them, the reward base, the escape hatch of a zero listener, and the rewards side's
// governance of availability (fixtures/protocolFixture.ts, 1 h epochs).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployProtocol, OPS_PER_SEC, signWith, STAKE, type Protocol } from "../../fixtures/protocolFixture";
import { CAPACITY_TYPES } from "../../fixtures/stakingFixture";
import { E18 } from "../../fixtures/marketConstants";

const HOUR = 3_600n;
const deployHourly = () => deployProtocol({ epochLength: HOUR });

async function startNextEpoch(p: Protocol): Promise<bigint> {
  const s = await p.rewards.schedule();
  const e = (await p.rewards.currentEpoch()) + 1n;
  await time.increaseTo(s.genesis + e * s.epochLength);
  return e;
}

async function record(p: Protocol, operator: string, challengeId: string) {
  const att = {
    operator,
    challengeId,
    opsPerSec: OPS_PER_SEC,
    vramMiB: 24_576,
    gpuModel: ethers.encodeBytes32String("RTX 4090"),
    validUntil: BigInt(await time.latest()) + (await p.staking.capacityValidity()),
  };
  return p.staking.recordCapacity(att, await signWith(p, CAPACITY_TYPES, att, 2));
}

describe("OperatorStaking: reward clock", () => {
  it("test_epochClock_isReadFromTheListener", async () => {
    const p = await loadFixture(deployHourly);
    const s = await p.rewards.schedule();
    expect(await p.rewards.epochClock()).to.deep.equal([s.genesis, s.epochLength]);
    expect(await p.staking.currentEpoch()).to.equal(await p.rewards.currentEpoch());
  });

  it("test_delegate_pendsUntilTheEpochEnds_andTheViewsShowIt", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    const [del] = p.delegators;
    const e = await startNextEpoch(p);
    await expect(p.staking.connect(del).delegate(op.address, 500n * E18))
      .to.emit(p.staking, "Delegated")
      .withArgs(op.address, del.address, 500n * E18, 0n);
    let d = await p.staking.delegationInfo(op.address, del.address);
    expect([d.pendingTokens, d.pendingEpoch, d.shares, d.value]).to.deep.equal([500n * E18, e, 0n, 0n]);
    let v = await p.staking.operatorInfo(op.address);
    expect([v.pendingDelegated, v.pendingEpoch, v.poolTokens]).to.deep.equal([500n * E18, e, 0n]);
    expect(await p.staking.delegatedStake(op.address)).to.equal(0n);
    expect(await p.rewards.delegationValue(op.address, del.address)).to.deep.equal([0n, 0n, 500n * E18]);
    expect((await p.staking.rewardBase(op.address, e)).delegatedStake).to.equal(0n);

    await startNextEpoch(p);
    // The next touch will join them: the views already show them in the pool.
    d = await p.staking.delegationInfo(op.address, del.address);
    expect([d.pendingTokens, d.principal, d.value]).to.deep.equal([0n, 500n * E18, 500n * E18]);
    expect(d.shares).to.equal(500n * E18 * 1_000_000n);
    v = await p.staking.operatorInfo(op.address);
    expect([v.pendingDelegated, v.poolTokens, v.poolShares]).to.deep.equal([0n, 500n * E18, d.shares]);
    expect(await p.staking.delegatedStake(op.address)).to.equal(500n * E18);
    expect((await p.staking.rewardBase(op.address, e + 1n)).delegatedStake).to.equal(500n * E18);

    // A second delegation in the new epoch joins the first batch, then pends itself.
    await expect(p.staking.connect(del).delegate(op.address, 100n * E18))
      .to.emit(p.staking, "PendingDelegationsJoined")
      .withArgs(op.address, e, 500n * E18, d.shares)
      .and.to.emit(p.staking, "DelegationActivated")
      .withArgs(op.address, del.address, 500n * E18, d.shares);
    d = await p.staking.delegationInfo(op.address, del.address);
    expect([d.pendingTokens, d.principal, d.value]).to.deep.equal([100n * E18, 500n * E18, 500n * E18]);
    expect(await p.rgl.balanceOf(await p.staking.getAddress())).to.equal(
      (await p.staking.operatorInfo(op.address)).totalAtStake +
        (await p.staking.operatorInfo(op.address)).pendingDelegated +
        (await Promise.all(p.ops.slice(1).map((o) => p.staking.operatorInfo(o.address)))).reduce(
          (a, x) => a + x.totalAtStake,
          0n,
        ),
    );
  });

  it("test_pendingDelegation_isNotSlashed", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    const [del] = p.delegators;
    await p.staking.connect(p.admin).grantRole(await p.staking.SLASHER_ROLE(), p.admin.address);
    await p.staking.connect(del).delegate(op.address, 500n * E18);
    await p.staking.connect(p.admin).slash(op.address, STAKE * 2n, 0, ethers.ZeroAddress, 0);
    const v = await p.staking.operatorInfo(op.address);
    expect([v.selfStake, v.poolTokens, v.pendingDelegated]).to.deep.equal([0n, 0n, 500n * E18]);
    await startNextEpoch(p);
    expect((await p.staking.delegationInfo(op.address, del.address)).value).to.equal(500n * E18);
  });

  it("test_rewardBase_ofAnEarlierEpoch_isTheLaterSnapshot", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    const e = await startNextEpoch(p);
    await startNextEpoch(p);
    await p.staking.connect(op).requestUnstake(1_000n * E18);
    // Nothing settled e (no points); staking's snapshot moved on: its minima are the answer.
    const b = await p.staking.rewardBase(op.address, e);
    expect(b.selfStake).to.equal(STAKE - 1_000n * E18);
  });

  it("test_withdrawStake_paysBothSlotsOnceThawed", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    await p.staking.connect(op).requestUnstake(1n * E18);
    await time.increase(10);
    await p.staking.connect(op).requestUnstake(2n * E18);
    await time.increase(await p.staking.unbondingPeriod());
    await expect(p.staking.connect(op).withdrawStake()).to.changeTokenBalance(p.rgl, op, 3n * E18);
    await expect(p.staking.connect(op).withdrawStake()).to.be.revertedWithCustomError(
      p.staking,
      "StakingNothingThawing",
    );
  });

  it("test_zeroListener_turnsTheClockOff_andPendingJoinsAtTheNextTouch", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    const [del] = p.delegators;
    await p.staking.connect(del).delegate(op.address, 500n * E18);
    await expect(p.staking.connect(p.admin).setCapacityListener(ethers.ZeroAddress))
      .to.emit(p.staking, "EpochClockSet")
      .withArgs(0, 0);
    expect(await p.staking.currentEpoch()).to.equal(0n);
    expect((await p.staking.delegationInfo(op.address, del.address)).value).to.equal(500n * E18);
    await p.staking.connect(del).delegate(op.address, 100n * E18);
    const d = await p.staking.delegationInfo(op.address, del.address);
    expect([d.pendingTokens, d.principal, d.value]).to.deep.equal([0n, 600n * E18, 600n * E18]);
  });

  it("test_availability_jailedOperator_isNotCredited", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    await p.staking.connect(p.admin).grantRole(await p.staking.SLASHER_ROLE(), p.admin.address);
    await p.staking.connect(p.admin).slash(op.address, 1n, 0, ethers.ZeroAddress, 0);
    const e = await startNextEpoch(p); // still jailed (1 h jail), but no longer in the slash epoch
    await expect(record(p, op.address, ethers.id("jailed")))
      .to.emit(p.rewards, "AvailabilityNotCredited")
      .withArgs(op.address, e, ethers.id("jailed"), 1);
  });

  it("test_setMinAvailabilityStake_governorOnly", async () => {
    const p = await loadFixture(deployHourly);
    expect(await p.rewards.minAvailabilityStake()).to.equal(100n * E18);
    await expect(p.rewards.connect(p.admin).setMinAvailabilityStake(5n))
      .to.emit(p.rewards, "MinAvailabilityStakeSet")
      .withArgs(5n);
    expect(await p.rewards.minAvailabilityStake()).to.equal(5n);
    await expect(p.rewards.connect(p.ops[0]).setMinAvailabilityStake(0)).to.be.revertedWithCustomError(
      p.rewards,
      "AccessControlUnauthorizedAccount",
    );
  });

  it("test_stakingHooks_onlyStaking", async () => {
    const p = await loadFixture(deployHourly);
    for (const call of [
      () => p.rewards.beforeStakeChange(p.ops[0].address),
      () => p.rewards.onSlashed(p.ops[0].address),
      () => p.rewards.onCapacityRecorded(p.ops[0].address, ethers.ZeroHash, 1n, 1n),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(p.rewards, "RewardsNotStaking").withArgs(p.admin.address);
    }
  });

  it("test_claimableRewards_previewsTheBaseAndTheStakeMinimum", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    // The operators staked in epoch 0 (their minimum self-stake there is 0): use a later epoch.
    await startNextEpoch(p);
    await record(p, op.address, ethers.id("now"));
    await startNextEpoch(p);
    const preview = await p.rewards.claimableRewards(op.address);
    await p.rewards.settleOperator(op.address);
    expect(await p.rewards.claimableRewards(op.address)).to.equal(preview);
    expect(preview).to.be.gt(0n);
  });

  it("test_slash_dropsWorkCreditsOfTheSlashEpoch_andForfeitsNothingWhenNothingIsOpen", async () => {
    const p = await loadFixture(deployHourly);
    const [op] = p.ops;
    await p.staking.connect(p.admin).grantRole(await p.staking.SLASHER_ROLE(), p.admin.address);
    await p.rewards.connect(p.admin).grantRole(await p.rewards.MARKET_ROLE(), p.admin.address);
    const e = await startNextEpoch(p);
    await p.rewards.settleOperator(op.address); // epoch 0's genesis record: nothing open now
    const tx = p.staking.connect(p.admin).slash(op.address, 1n, 0, ethers.ZeroAddress, 0);
    await expect(tx).to.emit(p.rewards, "CreditsSuspended").withArgs(op.address, e);
    await expect(tx).not.to.emit(p.rewards, "RewardsForfeited");
    await expect(p.rewards.connect(p.admin).creditWork(op.address, 1_000n, 1n, 0))
      .to.emit(p.rewards, "RewardsForfeited")
      .withArgs(op.address, e, 1_000n, 0n);
    expect((await p.rewards.epochTotals(e)).workPoints).to.equal(0n);
    expect((await p.rewards.operatorEpoch(op.address)).workPoints).to.equal(0n);
  });
});

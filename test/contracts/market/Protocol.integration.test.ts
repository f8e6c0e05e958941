import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { E18 } from "./fixture";
import {
  deployProtocol,
  jobParamsFor,
  proveCapacity,
  shardAttestation,
  STAKE,
  type Protocol,
  shardVerdict,
  verdictBatch,
} from "../../../fixtures/protocolFixture";

const ROOT = ethers.id("result-root");
const COLLATERAL = 300n * E18;

async function nextEpoch(p: Protocol): Promise<bigint> {
  const s = await p.rewards.schedule();
  const e = (await p.rewards.currentEpoch()) + 1n;
  await time.increaseTo(s.genesis + e * s.epochLength);
  return e;
}

async function submitted(p: Protocol, opIndex = 0, units = 80n): Promise<bigint> {
  const dev = p.devs[0];
  await p.market.connect(dev).createJob(await jobParamsFor(await p.usd.getAddress()));
  const jobId = await p.market.jobCount();
  await p.market.connect(p.ops[opIndex]).accept(jobId, 0);
  await p.market.connect(p.ops[opIndex]).submit(jobId, 0, ROOT, units, "ipfs://out");
  return jobId;
}

describe("Protocol integration (real OperatorStaking and OracleCommittee)", () => {
  it("test_fullLife_valid_paysOperatorLocksAndUnlocksRealStake_creditsAndEmitsRewards", async () => {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[0];
    const delegator = p.delegators[0];
    await p.staking.connect(delegator).delegate(op.address, STAKE);
    await nextEpoch(p);

    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress()));
    const jobId = await p.market.jobCount();
    await p.market.connect(op).accept(jobId, 0);
    expect((await p.staking.operatorInfo(op.address)).lockedStake).to.equal(COLLATERAL);
    await p.market.connect(op).submit(jobId, 0, ROOT, 80n, "ipfs://out");
    const { att, sigs } = await shardAttestation(p, jobId, 0);
    const usd = await p.usd.getAddress();
    await p.market.settle(att, sigs);
    expect(await p.market.owedOf(usd, op.address)).to.equal(78_000_000n);
    const opUsd = await p.usd.balanceOf(op.address);
    await p.market.connect(op).withdraw(usd, op.address);
    expect((await p.usd.balanceOf(op.address)) - opUsd).to.equal(78_000_000n);
    expect((await p.staking.operatorInfo(op.address)).lockedStake).to.equal(0n);
    const epoch = (await p.rewards.operatorEpoch(op.address)).epoch;
    expect((await p.rewards.operatorEpoch(op.address)).workPoints).to.equal(4n * E18);

    await nextEpoch(p);
    const poolBefore = (await p.staking.operatorInfo(op.address)).poolTokens;
    const valueBefore = (await p.staking.delegationInfo(op.address, delegator.address)).value;
    const claimable = await p.rewards.claimableRewards(op.address);
    const bal = await p.rgl.balanceOf(op.address);
    const rc = await (await p.rewards.connect(op).claim(op.address)).wait();
    expect((await p.rgl.balanceOf(op.address)) - bal).to.equal(claimable);
    const settled = rc!.logs.map((l) => p.rewards.interface.parseLog(l)).find((l) => l?.name === "EpochSettled")!.args;
    // Alone in the epoch, the work reward is capped at 50% of the 4 RGL of fee points.
    expect(settled.epoch).to.equal(epoch);
    expect(settled.reward).to.equal(2n * E18);
    const poolGain = (await p.staking.operatorInfo(op.address)).poolTokens - poolBefore;
    expect(poolGain).to.equal(settled.poolShare);
    expect((await p.staking.delegationInfo(op.address, delegator.address)).value - valueBefore).to.be.closeTo(
      poolGain,
      1n,
    );
    const view = await p.staking.delegationInfo(op.address, delegator.address);
    const [value, claimableByDelegator] = await p.rewards.delegationValue(op.address, delegator.address);
    expect(value).to.equal(view.value);
    expect(claimableByDelegator).to.equal(view.claimable);
    expect(claimableByDelegator).to.be.greaterThan(0n);
    const t = await p.rewards.epochTotals(epoch);
    expect(t.minted).to.equal(settled.reward);
    expect(t.minted).to.be.lessThanOrEqual(t.emission);
  });

  it("test_invalid_slashesRealStake_halfToDeveloper_jailsOperator", async () => {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[1];
    const jobId = await submitted(p, 1);
    const { att, sigs } = await shardAttestation(p, jobId, 0, 2, 0n);
    const [self, devRgl, supply] = await Promise.all([
      (await p.staking.operatorInfo(op.address)).selfStake,
      p.rgl.balanceOf(p.devs[0].address),
      p.rgl.totalSupply(),
    ]);
    await p.market.settle(att, sigs);
    const after = await p.staking.operatorInfo(op.address);
    expect(self - after.selfStake).to.equal(COLLATERAL);
    expect(after.lockedStake).to.equal(0n);
    expect(after.jailedUntil).to.be.greaterThan(BigInt(await time.latest()));
    expect((await p.rgl.balanceOf(p.devs[0].address)) - devRgl).to.equal(COLLATERAL / 2n);
    expect(supply - (await p.rgl.totalSupply())).to.equal(COLLATERAL / 2n);
  });

  it("test_noShow_expire_slashesTenPercentToDeveloper", async () => {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[2];
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress()));
    const jobId = await p.market.jobCount();
    await p.market.connect(op).accept(jobId, 0);
    await time.increase(86_401);
    const devRgl = await p.rgl.balanceOf(p.devs[0].address);
    await p.market.expire(jobId, 0);
    expect((await p.rgl.balanceOf(p.devs[0].address)) - devRgl).to.equal(COLLATERAL / 10n);
    expect((await p.staking.operatorInfo(op.address)).selfStake).to.equal(STAKE - COLLATERAL / 10n);
  });

  it("test_settleVerdicts_withRealCommittee", async () => {
    const p = await loadFixture(deployProtocol);
    const ids = [await submitted(p, 0), await submitted(p, 1), await submitted(p, 2)];
    const verdicts = await Promise.all(ids.map((id) => shardVerdict(p, id, 0)));
    const { batch, sigs } = await verdictBatch(p, verdicts);
    await expect(p.market.settleVerdicts(batch, sigs, verdicts))
      .to.emit(p.market, "VerdictsSettled")
      .withArgs(batch.verdictsRoot, 3n, 0n);
    for (const id of ids) expect((await p.market.getShard(id, 0)).state).to.equal(3n);
    expect(await p.market.escrowOf(await p.usd.getAddress())).to.equal(0n);
  });

  it("test_settle_revertsWhen_signerRemovedFromCommittee", async () => {
    const p = await loadFixture(deployProtocol);
    const jobId = await submitted(p);
    const { att, sigs } = await shardAttestation(p, jobId, 0);
    await p.committee.removeSigner(p.oracles[0].address);
    await expect(p.market.settle(att, sigs)).to.be.reverted;
  });

  it("test_capacityAttestation_creditsAvailabilityOncePerChallenge", async () => {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[0];
    const e = await nextEpoch(p);
    await proveCapacity(p, op, ethers.id("round-7"));
    const o = await p.rewards.operatorEpoch(op.address);
    expect(o.epoch).to.equal(e);
    expect(o.availabilityPoints).to.be.greaterThan(0n);
    await expect(proveCapacity(p, op, ethers.id("round-7"))).to.be.revertedWithCustomError(
      p.staking,
      "StakingChallengeUsed",
    );
  });

  // Regression: recordCapacity held the re-entrancy guard while its listener settled the past
  // epoch and paid the delegation pool through addPoolRewards (also guarded), so any capacity
  // record with an unsettled past epoch reverted with ReentrancyGuardReentrantCall.
  it("test_capacityAttestation_settlesAnUnsettledPastEpochIntoTheDelegationPool", async () => {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[0];
    await p.staking.connect(p.delegators[0]).delegate(op.address, STAKE);
    await nextEpoch(p);
    const jobId = await submitted(p);
    const { att, sigs } = await shardAttestation(p, jobId, 0);
    await p.market.settle(att, sigs);
    const past = (await p.rewards.operatorEpoch(op.address)).epoch;
    const poolBefore = (await p.staking.operatorInfo(op.address)).poolTokens;
    const e = await nextEpoch(p);
    await proveCapacity(p, op, ethers.id("round-after-work"));
    const block = await ethers.provider.getBlockNumber();
    const settled = await p.rewards.queryFilter(p.rewards.filters.EpochSettled(op.address), block, block);
    expect(settled.length).to.equal(1);
    expect(settled[0].args.epoch).to.equal(past);
    const added = await p.staking.queryFilter(p.staking.filters.PoolRewardsAdded(op.address), block, block);
    expect(added.length).to.equal(1);
    expect(added[0].args.amount).to.equal(settled[0].args.poolShare);
    const poolAfter = (await p.staking.operatorInfo(op.address)).poolTokens;
    expect(poolAfter).to.be.greaterThan(poolBefore);
    expect((await p.rewards.operatorEpoch(op.address)).epoch).to.equal(e);
    expect(e).to.be.greaterThan(past);
  });
});

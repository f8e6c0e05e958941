// Reopening assigned shards (docs/PROTOCOL.md §20.9): a shard reserved for one operator that nobody
// accepted may be taken by any eligible operator once the job's `assignGrace` (snapshotted at creation)
// has passed. The old rule kept it reserved until the job's deadline: with the fixture's 86,400 s
// deadline an absent assigned operator blocked the shard for a whole day, then it expired unrun.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { createJob, deployMarket, E18, ROOT, State } from "./fixture";

const COLLATERAL = 300n * E18; // 100 tUSD × 150 % × 2 RGL/tUSD
const GRACE = 600n; // the default: 10 minutes

async function assignedJob() {
  const f = await loadFixture(deployMarket);
  // Shard 0 reserved for ops[1], shard 1 open to anyone.
  const jobId = await createJob(f, { shards: 2, shardOperators: [f.ops[1].address, ethers.ZeroAddress] });
  const created = BigInt(await time.latest());
  return { f, jobId, created };
}

describe("JobMarket assigned shards reopen after assignGrace (§20.9)", () => {
  it("test_assignGrace_defaultTenMinutes_snapshottedAtCreation", async () => {
    const { f, jobId, created } = await assignedJob();
    expect(await f.market.assignGrace()).to.equal(GRACE);
    expect(await f.market.assignmentsReopenAt(jobId)).to.equal(created + GRACE);
    // A job without an operator list has nothing to reopen.
    const plain = await createJob(f);
    expect(await f.market.assignmentsReopenAt(plain)).to.equal(0n);
  });

  it("test_accept_outsiderReverts_beforeGrace_evenAtTheLastSecond", async () => {
    const { f, jobId, created } = await assignedJob();
    await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
      .to.be.revertedWithCustomError(f.market, "MarketOperatorNotAllowed")
      .withArgs(jobId, 0n, f.ops[0].address);
    // The next block is at reopensAt − 1: still reserved.
    await time.setNextBlockTimestamp(created + GRACE - 1n);
    await expect(f.market.connect(f.ops[0]).acceptAndSubmit(jobId, 0, ROOT, 10n, "ipfs://r"))
      .to.be.revertedWithCustomError(f.market, "MarketOperatorNotAllowed")
      .withArgs(jobId, 0n, f.ops[0].address);
  });

  it("test_accept_outsiderAccepted_afterGrace_locksCollateral", async () => {
    const { f, jobId, created } = await assignedJob();
    await time.setNextBlockTimestamp(created + GRACE);
    const freeBefore = await f.staking.freeStake(f.ops[0].address);
    await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
      .to.emit(f.market, "ShardAccepted")
      .withArgs(jobId, 0n, f.ops[0].address, COLLATERAL);
    const sh = await f.market.getShard(jobId, 0);
    expect([sh.state, sh.operator, sh.collateral]).to.deep.equal([State.Accepted, f.ops[0].address, COLLATERAL]);
    expect(freeBefore - (await f.staking.freeStake(f.ops[0].address))).to.equal(COLLATERAL);
    // Taken: the assigned operator now finds it Accepted.
    await expect(f.market.connect(f.ops[1]).accept(jobId, 0)).to.be.revertedWithCustomError(
      f.market,
      "MarketBadShardState",
    );
  });

  it("test_acceptAndSubmit_outsiderAfterGrace_submits", async () => {
    const { f, jobId } = await assignedJob();
    await time.increase(GRACE);
    await expect(f.market.connect(f.ops[2]).acceptAndSubmit(jobId, 0, ROOT, 10n, "ipfs://r")).to.emit(
      f.market,
      "ShardSubmitted",
    );
    expect((await f.market.getShard(jobId, 0)).operator).to.equal(f.ops[2].address);
  });

  it("test_accept_assignedOperator_stillAcceptsBeforeAndAfterGrace", async () => {
    const f = await loadFixture(deployMarket);
    const ops = [f.ops[1].address, f.ops[2].address];
    const jobId = await createJob(f, { shards: 2, shardOperators: ops });
    await expect(f.market.connect(f.ops[1]).accept(jobId, 0)).to.emit(f.market, "ShardAccepted");
    await time.increase(GRACE + 1n);
    await expect(f.market.connect(f.ops[2]).accept(jobId, 1))
      .to.emit(f.market, "ShardAccepted")
      .withArgs(jobId, 1n, f.ops[2].address, COLLATERAL);
  });

  it("test_setAssignGrace_onlyGovernor_bounded_laterJobsOnly", async () => {
    const { f, jobId, created } = await assignedJob();
    await expect(f.market.connect(f.ops[0]).setAssignGrace(0)).to.be.revertedWithCustomError(
      f.market,
      "AccessControlUnauthorizedAccount",
    );
    await expect(f.market.connect(f.admin).setAssignGrace(7 * 86_400 + 1))
      .to.be.revertedWithCustomError(f.market, "MarketBadParam")
      .withArgs(ethers.encodeBytes32String("assignGrace"), 7n * 86_400n + 1n);
    await expect(f.market.connect(f.admin).setAssignGrace(3_600)).to.emit(f.market, "AssignGraceSet").withArgs(3_600n);
    // The existing job keeps the 600 s it was created under.
    expect(await f.market.assignmentsReopenAt(jobId)).to.equal(created + GRACE);
    await time.setNextBlockTimestamp(created + GRACE);
    await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.emit(f.market, "ShardAccepted");
    // A new job waits the new hour.
    const later = await createJob(f, { shardOperators: [f.ops[1].address] });
    const laterCreated = BigInt(await time.latest());
    expect(await f.market.assignmentsReopenAt(later)).to.equal(laterCreated + 3_600n);
    await time.setNextBlockTimestamp(laterCreated + GRACE);
    await expect(f.market.connect(f.ops[0]).accept(later, 0)).to.be.revertedWithCustomError(
      f.market,
      "MarketOperatorNotAllowed",
    );
  });

  it("test_assignGraceZero_reopensAtOnce", async () => {
    const f = await loadFixture(deployMarket);
    await f.market.connect(f.admin).setAssignGrace(0);
    const jobId = await createJob(f, { shardOperators: [f.ops[1].address] });
    await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.emit(f.market, "ShardAccepted");
  });
});

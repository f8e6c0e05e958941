import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { attestation, deployMarket, E18, jobParams, ROOT, sign, State, type MarketFixture } from "./fixture";

const COLLATERAL = 300n * E18; // 100 tUSD × 150% × 2 RGL/tUSD
const SHARD_VALUE = 100_000_000n; // 100 units × 1 tUSD
const ACCEPT_WINDOW = 600n;

async function gangJob(f: MarketFixture, shards = 3): Promise<{ jobId: bigint; acceptDeadline: bigint }> {
  const acceptDeadline = BigInt(await time.latest()) + ACCEPT_WINDOW;
  const p = await jobParams(await f.usd.getAddress(), { shards });
  await f.market.connect(f.dev).createGangJob(p, acceptDeadline);
  return { jobId: await f.market.jobCount(), acceptDeadline };
}

describe("JobMarket gang jobs", () => {
  describe("createGangJob", () => {
    it("test_createGangJob_pullsEscrowAndRecordsAcceptDeadline", async () => {
      const f = await loadFixture(deployMarket);
      const usd = await f.usd.getAddress();
      const acceptDeadline = BigInt(await time.latest()) + ACCEPT_WINDOW;
      const p = await jobParams(usd, { shards: 3 });
      const devB = await f.usd.balanceOf(f.dev.address);
      await expect(f.market.connect(f.dev).createGangJob(p, acceptDeadline))
        .to.emit(f.market, "GangJobCreated")
        .withArgs(1n, acceptDeadline)
        .and.to.emit(f.market, "JobCreated");
      expect(devB - (await f.usd.balanceOf(f.dev.address))).to.equal(3n * SHARD_VALUE);
      expect(await f.market.escrowOf(usd)).to.equal(3n * SHARD_VALUE);
      expect(await f.usd.balanceOf(await f.market.getAddress())).to.equal(3n * SHARD_VALUE);
      const g = await f.market.gangOf(1n);
      expect([g.acceptDeadline, g.startedAt, g.accepted, g.released]).to.deep.equal([acceptDeadline, 0n, 0n, false]);
      // A plain job has no gang state.
      await f.market.connect(f.dev).createJob(p);
      expect((await f.market.gangOf(2n)).acceptDeadline).to.equal(0n);
    });

    it("test_createGangJob_revertsWhen_acceptDeadlineNotBetweenNowAndDeadline", async () => {
      const f = await loadFixture(deployMarket);
      const p = await jobParams(await f.usd.getAddress());
      // Block times are pinned and read after each call: a reverted call mines a block where gas is
      // not estimated (as under solidity-coverage), stamped with the wall clock on a slow machine.
      let at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(f.market.connect(f.dev).createGangJob(p, at))
        .to.be.revertedWithCustomError(f.market, "MarketGangBadAcceptDeadline")
        .withArgs(at, p.deadline, at);
      at = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(at);
      await expect(f.market.connect(f.dev).createGangJob(p, p.deadline))
        .to.be.revertedWithCustomError(f.market, "MarketGangBadAcceptDeadline")
        .withArgs(p.deadline, p.deadline, at);
    });

    it("test_createGangJob_revertsWhen_paused", async () => {
      const f = await loadFixture(deployMarket);
      await f.market.connect(f.admin).pause();
      const p = await jobParams(await f.usd.getAddress());
      await expect(
        f.market.connect(f.dev).createGangJob(p, BigInt(await time.latest()) + 100n),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });
  });

  describe("start", () => {
    it("test_accept_lastShard_startsGangWithSharedStartTime", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId } = await gangJob(f);
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.not.emit(f.market, "GangStarted");
      await f.market.connect(f.ops[1]).accept(jobId, 1);
      expect((await f.market.gangOf(jobId)).accepted).to.equal(2n);
      expect((await f.market.gangOf(jobId)).startedAt).to.equal(0n);
      const tx = f.market.connect(f.ops[2]).accept(jobId, 2);
      await expect(tx).to.emit(f.market, "GangStarted");
      const startedAt = BigInt(await time.latest());
      await expect(tx).to.emit(f.market, "GangStarted").withArgs(jobId, startedAt);
      const g = await f.market.gangOf(jobId);
      expect([g.startedAt, g.accepted, g.released]).to.deep.equal([startedAt, 3n, false]);
      for (const op of f.ops) expect(await f.staking.locked(op.address)).to.equal(COLLATERAL);
    });

    it("test_submit_revertsWhen_gangNotStarted_thenWorksAfterStart", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId } = await gangJob(f, 2);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, 50n, "r"))
        .to.be.revertedWithCustomError(f.market, "MarketGangNotStarted")
        .withArgs(jobId);
      await f.market.connect(f.ops[1]).accept(jobId, 1);
      await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, 50n, "r")).to.emit(f.market, "ShardSubmitted");
    });

    it("test_startedGang_settlesLikeAnyJob", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId } = await gangJob(f, 1);
      const op = f.ops[0];
      await f.market.connect(op).accept(jobId, 0);
      await f.market.connect(op).submit(jobId, 0, ROOT, 80n, "r");
      const a = await attestation(f, jobId, 0);
      const usd = await f.usd.getAddress();
      await expect(f.market.settle(a, await sign(f, a))).to.emit(f.market, "ShardSettled");
      expect(await f.market.owedOf(usd, op.address)).to.equal(78_000_000n);
      expect(await f.staking.locked(op.address)).to.equal(0n);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
    });

    it("test_accept_revertsWhen_acceptDeadlinePassed", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId, acceptDeadline } = await gangJob(f);
      await time.increaseTo(acceptDeadline);
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketGangAcceptClosed")
        .withArgs(jobId, acceptDeadline);
    });
  });

  describe("releaseGang", () => {
    it("test_releaseGang_refundsEscrowUnlocksCollateralSlashesNobody", async () => {
      const f = await loadFixture(deployMarket);
      const usd = await f.usd.getAddress();
      const market = await f.market.getAddress();
      const { jobId, acceptDeadline } = await gangJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await f.market.connect(f.ops[2]).accept(jobId, 2);
      await time.increaseTo(acceptDeadline);
      const [devB, mB, rglB] = await Promise.all([
        f.market.owedOf(usd, f.dev.address),
        f.market.owedTotal(usd),
        f.rgl.balanceOf(await f.staking.getAddress()),
      ]);
      const stakeB = await Promise.all(f.ops.map((o) => f.staking.selfStake(o.address)));
      const freeB = await Promise.all(f.ops.map((o) => f.staking.freeStake(o.address)));
      await expect(f.market.connect(f.others[0]).releaseGang(jobId))
        .to.emit(f.market, "GangReleased")
        .withArgs(jobId, 2n, 3n * SHARD_VALUE)
        .and.to.emit(f.market, "ShardCancelled")
        .withArgs(jobId, 1n, SHARD_VALUE);
      // Credited (PROTOCOL §20.1): the market keeps the tokens until the developer withdraws.
      expect((await f.market.owedOf(usd, f.dev.address)) - devB).to.equal(3n * SHARD_VALUE);
      expect((await f.market.owedTotal(usd)) - mB).to.equal(3n * SHARD_VALUE);
      expect(await f.usd.balanceOf(market)).to.equal(await f.market.owedTotal(usd));
      expect(await f.market.escrowOf(usd)).to.equal(0n);
      expect((await f.market.getJob(jobId)).escrow).to.equal(0n);
      expect(await f.rgl.balanceOf(await f.staking.getAddress())).to.equal(rglB);
      for (let i = 0; i < 3; i++) {
        const op = f.ops[i];
        expect(await f.staking.locked(op.address)).to.equal(0n);
        expect(await f.staking.selfStake(op.address)).to.equal(stakeB[i]);
        expect((await f.staking.freeStake(op.address)) - freeB[i]).to.equal(i === 1 ? 0n : COLLATERAL);
        expect(await f.staking.jailedUntil(op.address)).to.equal(0n);
        const rec = await f.market.operatorRecord(op.address);
        expect([rec.failed, rec.noShows, rec.slashed]).to.deep.equal([0n, 0n, 0n]);
        expect((await f.market.getShard(jobId, i)).state).to.equal(State.Cancelled);
      }
      const g = await f.market.gangOf(jobId);
      expect([g.released, g.startedAt, g.accepted]).to.deep.equal([true, 0n, 2n]);
      await expect(f.market.releaseGang(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketGangAlreadyReleased")
        .withArgs(jobId);
    });

    it("test_releaseGang_revertsWhen_acceptWindowOpen_started_orNotGang", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId, acceptDeadline } = await gangJob(f, 1);
      await expect(f.market.releaseGang(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketGangAcceptOpen")
        .withArgs(jobId, acceptDeadline);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      const startedAt = BigInt(await time.latest());
      await time.increaseTo(acceptDeadline);
      await expect(f.market.releaseGang(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketGangStarted")
        .withArgs(jobId, startedAt);
      await f.market.connect(f.dev).createJob(await jobParams(await f.usd.getAddress()));
      await expect(f.market.releaseGang(2n)).to.be.revertedWithCustomError(f.market, "MarketNotGang").withArgs(2n);
      await expect(f.market.releaseGang(9n)).to.be.revertedWithCustomError(f.market, "MarketUnknownJob");
    });

    it("test_expire_revertsWhen_gangNotStarted_evenPastDeadline", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId } = await gangJob(f, 2);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await time.increaseTo((await f.market.getJob(jobId)).deadline + 1n);
      await expect(f.market.expire(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketGangNotStarted")
        .withArgs(jobId);
      // Released instead: collateral back, no slash, even this late.
      await expect(f.market.releaseGang(jobId))
        .to.emit(f.market, "GangReleased")
        .withArgs(jobId, 1n, 2n * SHARD_VALUE);
      expect(await f.staking.locked(f.ops[0].address)).to.equal(0n);
    });

    it("test_releaseGang_afterEveryShardCancelled_refundsNothingAndMarksReleased", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId, acceptDeadline } = await gangJob(f, 2);
      await f.market.connect(f.dev).cancel(jobId);
      await time.increaseTo(acceptDeadline);
      const m = await f.market.getAddress();
      const [devB, mB] = await Promise.all([f.usd.balanceOf(f.dev.address), f.usd.balanceOf(m)]);
      await expect(f.market.releaseGang(jobId))
        .to.emit(f.market, "GangReleased")
        .withArgs(jobId, 0n, 0n)
        .and.not.to.emit(f.market, "ShardCancelled");
      expect(await f.usd.balanceOf(f.dev.address)).to.equal(devB);
      expect(await f.usd.balanceOf(m)).to.equal(mB);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
      const g = await f.market.gangOf(jobId);
      expect([g.startedAt, g.accepted, g.released]).to.deep.equal([0n, 0n, true]);
      await expect(f.market.releaseGang(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketGangAlreadyReleased")
        .withArgs(jobId);
    });

    it("test_releaseGang_afterDeveloperCancel_refundsOnlyAcceptedShards", async () => {
      const f = await loadFixture(deployMarket);
      const { jobId, acceptDeadline } = await gangJob(f, 3);
      await f.market.connect(f.ops[1]).accept(jobId, 1);
      const usd = await f.usd.getAddress();
      await expect(f.market.connect(f.dev).cancel(jobId)).to.emit(f.market, "ShardCancelled");
      expect(await f.market.owedOf(usd, f.dev.address)).to.equal(2n * SHARD_VALUE);
      await time.increaseTo(acceptDeadline);
      await expect(f.market.releaseGang(jobId)).to.emit(f.market, "GangReleased").withArgs(jobId, 1n, SHARD_VALUE);
      expect(await f.market.owedOf(usd, f.dev.address)).to.equal(3n * SHARD_VALUE);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(0n);
      expect(await f.staking.locked(f.ops[1].address)).to.equal(0n);
    });
  });
});

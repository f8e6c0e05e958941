import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { ShardState } from "../../../sdk/market/enums";
import { expirable } from "../../../sdk/market/expirable";
import { readJobStatus } from "../../../sdk/market/readJobStatus";
import { deployProtocol, jobParamsFor, type Protocol } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient, chainNow } from "./helpers/marketClients";

const V = 100n * 1_000_000n; // jobParamsFor: maxUnitsPerShard × maxPricePerUnit

/** A job of devs[0] in tUSD; gang: its accept deadline. Returns its id and deadline. */
async function createJob(
  p: Protocol,
  shards: number,
  gangAcceptIn?: bigint,
): Promise<{ jobId: bigint; deadline: bigint }> {
  const now = await chainNow();
  const params = await jobParamsFor(await p.usd.getAddress(), { shards, deadline: now + 3_600n });
  if (gangAcceptIn === undefined) await p.market.connect(p.devs[0]).createJob(params);
  else await p.market.connect(p.devs[0]).createGangJob(params, now + gangAcceptIn);
  return { jobId: await p.market.jobCount(), deadline: now + 3_600n };
}

/** What the shared rule says about `shard` of `jobId` at the latest block, read as every caller reads it. */
async function rule(p: Protocol, jobId: bigint, shard: number, now?: bigint): Promise<boolean> {
  const status = await readJobStatus(publicClient, { market: (await addressesOf(p)).market, jobId });
  return expirable({ job: status, shard: status.shards[shard], now: now ?? status.timestamp });
}

/** Refunds are credited to the developer, not sent (pull payments, PROTOCOL §20.1): its credit and the escrow. */
async function snapshot(p: Protocol, op: string) {
  const usd = await p.usd.getAddress();
  const info = await p.staking.operatorInfo(op);
  return {
    devOwed: await p.market.owedOf(usd, p.devs[0].address),
    devRgl: await p.rgl.balanceOf(p.devs[0].address),
    escrow: await p.market.escrowOf(usd),
    locked: info.lockedStake,
    selfStake: info.selfStake,
  };
}

describe("expirable (sdk/market)", function () {
  it("a plain accepted shard: false at the deadline, as the contract refuses; true once chain time passes it, and expire pays", async function () {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[1];
    const { jobId, deadline } = await createJob(p, 1);
    await p.market.connect(op).accept(jobId, 0);
    const collateral = (await p.market.getShard(jobId, 0)).collateral;
    expect(await rule(p, jobId, 0)).to.equal(false);
    expect(await rule(p, jobId, 0, deadline)).to.equal(false);
    await time.setNextBlockTimestamp(deadline);
    await expect(p.market.expire(jobId, 0)).to.be.revertedWithCustomError(p.market, "MarketDeadlineNotPassed");

    await time.increaseTo(deadline + 1n);
    expect(await rule(p, jobId, 0)).to.equal(true);
    const before = await snapshot(p, op.address);
    await p.market.connect(p.devs[1]).expire(jobId, 0);
    const after = await snapshot(p, op.address);
    const slashed = (collateral * 1_000n) / 10_000n; // noShowSlashBps 10%, all of it to the developer
    expect(after.devOwed - before.devOwed).to.equal(V);
    expect(before.escrow - after.escrow).to.equal(V);
    expect(after.devRgl - before.devRgl).to.equal(slashed);
    expect(before.locked - after.locked).to.equal(collateral);
    expect(before.selfStake - after.selfStake).to.equal(slashed);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Expired));
    expect(await rule(p, jobId, 0)).to.equal(false);
  });

  it("an accepted shard of an unstarted gang: false even past the deadline, and the contract refuses (MarketGangNotStarted)", async function () {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[1];
    const { jobId, deadline } = await createJob(p, 2, 600n);
    await p.market.connect(op).accept(jobId, 0);
    await time.increaseTo(deadline + 1n);
    expect(await rule(p, jobId, 0)).to.equal(false);
    const before = await snapshot(p, op.address);
    await expect(p.market.expire(jobId, 0)).to.be.revertedWithCustomError(p.market, "MarketGangNotStarted");
    expect(await snapshot(p, op.address)).to.deep.equal(before);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Accepted));
  });

  it("a started gang's accepted shard past the deadline: true, and the contract expires it", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId, deadline } = await createJob(p, 2, 600n);
    await p.market.connect(p.ops[1]).accept(jobId, 0);
    await p.market.connect(p.ops[2]).accept(jobId, 1);
    expect((await p.market.gangOf(jobId)).startedAt).to.be.greaterThan(0n);
    await time.increaseTo(deadline + 1n);
    expect(await rule(p, jobId, 0)).to.equal(true);
    const before = await snapshot(p, p.ops[1].address);
    await p.market.expire(jobId, 0);
    const after = await snapshot(p, p.ops[1].address);
    expect(after.devOwed - before.devOwed).to.equal(V);
    expect(before.escrow - after.escrow).to.equal(V);
  });

  it("a submitted shard: false until submittedAt + verifyWindow, as the contract refuses; true after, expire refunds without a slash", async function () {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[1];
    const { jobId } = await createJob(p, 1);
    await p.market.connect(op).accept(jobId, 0);
    await p.market.connect(op).submit(jobId, 0, ethers.id("root"), 10, "http://127.0.0.1:1/r");
    const { submittedAt, collateral } = await p.market.getShard(jobId, 0);
    const closesAt = submittedAt + 3_600n;
    expect(await rule(p, jobId, 0)).to.equal(false);
    expect(await rule(p, jobId, 0, closesAt)).to.equal(false);
    await time.setNextBlockTimestamp(closesAt);
    await expect(p.market.expire(jobId, 0)).to.be.revertedWithCustomError(p.market, "MarketVerifyWindowOpen");

    await time.increaseTo(closesAt + 1n);
    expect(await rule(p, jobId, 0)).to.equal(true);
    const before = await snapshot(p, op.address);
    await p.market.expire(jobId, 0);
    const after = await snapshot(p, op.address);
    expect(after.devOwed - before.devOwed).to.equal(V);
    expect(before.escrow - after.escrow).to.equal(V);
    expect(after.devRgl).to.equal(before.devRgl);
    expect(before.locked - after.locked).to.equal(collateral);
    expect(after.selfStake).to.equal(before.selfStake);
  });

  it("an open shard never, whatever the time; the contract refuses it (MarketBadShardState)", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId, deadline } = await createJob(p, 1);
    await time.increaseTo(deadline + 10_000n);
    expect(await rule(p, jobId, 0)).to.equal(false);
    await expect(p.market.expire(jobId, 0)).to.be.revertedWithCustomError(p.market, "MarketBadShardState");
    const { Settled, Failed, Cancelled, Expired, DeveloperFault } = ShardState;
    for (const state of [Settled, Failed, Cancelled, Expired, DeveloperFault]) {
      const job = { deadline: 0n, gang: undefined };
      expect(expirable({ job, shard: { state, submittedAt: 0n, verifyWindow: 0n }, now: 10n ** 12n })).to.equal(false);
    }
  });
});

import { expect } from "chai";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import hre, { ethers } from "hardhat";
import { custom } from "viem";
import { ShardState } from "../../sdk/market/enums";
import { deployProtocol, jobParamsFor, shardAttestation, type Protocol } from "../../fixtures/protocolFixture";
import { formatDate } from "../../sdk/cli/humanFormat";
import { jobCli } from "./helpers/jobCliHarness";

const DEV = 2; // devs[0], the jobs' developer
const OTHER = 3; // devs[1]
const VERIFY_WINDOW = 3_600n;
const MAX_UNITS = 100n;
const MAX_PRICE = 1_000_000n;
const V = MAX_UNITS * MAX_PRICE; // each shard's escrow

/** The chain's time now: a block is mined first, so a time increase another test left pending is applied. */
async function chainNow(): Promise<bigint> {
  await mine();
  return BigInt(await time.latest());
}

async function createJob(p: Protocol, over: { shards: number; deadlineIn: number }): Promise<bigint> {
  const params = await jobParamsFor(await p.usd.getAddress(), {
    shards: over.shards,
    maxUnitsPerShard: MAX_UNITS,
    maxPricePerUnit: MAX_PRICE,
    deadline: (await chainNow()) + BigInt(over.deadlineIn),
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return p.market.jobCount();
}

const submit = (p: Protocol, op: number, jobId: bigint, shard: number) =>
  p.market.connect(p.ops[op]).submit(jobId, shard, ethers.id(`root-${shard}`), 10, `http://127.0.0.1:8939/x/${shard}`);

/**
 * A 5-shard job at a moment past its deadline: 0 Open, 1 Accepted and silent (no-show), 2 Submitted
 * past its verify window, 3 Settled, 4 Submitted within its verify window.
 */
async function mixedJob(p: Protocol): Promise<bigint> {
  const jobId = await createJob(p, { shards: 5, deadlineIn: 5_000 });
  for (const s of [1, 2, 3, 4]) await p.market.connect(p.ops[s % 4]).accept(jobId, s);
  await submit(p, 2, jobId, 2);
  await submit(p, 3, jobId, 3);
  const { att, sigs } = await shardAttestation(p, jobId, 3);
  await p.market.settle(att, sigs);
  await time.increase(4_000);
  await submit(p, 0, jobId, 4);
  await time.increase(1_100);
  return jobId;
}

describe("rigel job refund (developer/refundCommand)", function () {
  it("cancels the open shard, expires the no-show and the unanswered one, and reports what stays locked", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await mixedJob(p);
    const run = await jobCli(p);
    const dev = p.devs[0].address;
    const market = await p.market.getAddress();
    const noShow = p.ops[1].address;
    const collateral1 = (await p.market.getShard(jobId, 1)).collateral;
    const collateral2 = (await p.market.getShard(jobId, 2)).collateral;
    const usd = await p.usd.getAddress();
    const before = {
      usd: await p.usd.balanceOf(dev),
      owed: await p.market.owedOf(usd, dev),
      rgl: await p.rgl.balanceOf(dev),
      market: await p.usd.balanceOf(market),
      op1: await p.staking.operatorInfo(noShow),
      op2: await p.staking.operatorInfo(p.ops[2].address),
    };

    // A dry run reports the plan and moves nothing.
    const dry = await run(["refund", String(jobId), "--dry-run", "--json"], DEV);
    expect(dry.code, dry.out.errors.join("\n")).to.equal(0);
    const plan = JSON.parse(dry.out.results[0]);
    expect(plan.dryRun).to.equal(true);
    expect(plan.refunded.map((r: { shard: number; outcome: string }) => [r.shard, r.outcome])).to.deep.equal([
      [0, "cancelled"],
      [1, "expired-no-show"],
      [2, "expired-unanswered"],
    ]);
    expect(plan.total).to.equal((3n * V).toString());
    expect(await p.usd.balanceOf(dev)).to.equal(before.usd);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));

    const { code, out } = await run(["refund", String(jobId), "--json"], DEV);
    expect(code, out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(out.results[0]);
    expect(r.dryRun).to.equal(false);
    expect(r.failed).to.deep.equal([]);
    // What the events report, per shard.
    const slashed = (collateral1 * 1_000n) / 10_000n; // noShowSlashBps 10%, all of it to the developer
    expect(
      r.refunded.map((x: { shard: number; outcome: string; refund: string }) => [x.shard, x.outcome, x.refund]),
    ).to.deep.equal([
      [0, "cancelled", V.toString()],
      [1, "expired-no-show", V.toString()],
      [2, "expired-unanswered", V.toString()],
    ]);
    expect(r.refunded[1].operator).to.equal(noShow);
    expect(r.refunded[1].slashed).to.equal(slashed.toString());
    expect(r.refunded[1].compensation).to.equal(slashed.toString());
    expect(r.refunded[2].slashed).to.equal(undefined);
    expect(r.refunded.every((x: { transaction: string }) => /^0x[0-9a-f]{64}$/.test(x.transaction))).to.equal(true);
    expect(r.total).to.equal((3n * V).toString());
    expect(r.compensation).to.equal(slashed.toString());
    // What stays locked: shard 4, until its verify window closes; equal to the escrow left on-chain.
    const submittedAt4 = (await p.market.getShard(jobId, 4)).submittedAt;
    expect(r.locked).to.have.length(1);
    expect(r.locked[0]).to.include({ shard: 4, state: "Submitted", code: "awaiting-verdict", amount: V.toString() });
    expect(r.locked[0].until).to.equal((submittedAt4 + VERIFY_WINDOW).toString());
    expect(r.lockedTotal).to.equal(V.toString());
    expect(r.escrowLeft).to.equal(V.toString());
    expect((await p.market.getJob(jobId)).escrow).to.equal(V);

    // Balances: the refunds are credited to the developer in the market (pull payments), not sent:
    // the wallet and the market's balance stay, the credit grows by exactly the refunds, the escrow
    // shrinks by as much; the compensation (RGL, through the staking contract's slash) moved.
    expect(await p.usd.balanceOf(dev)).to.equal(before.usd);
    expect(await p.usd.balanceOf(market)).to.equal(before.market);
    expect((await p.market.owedOf(usd, dev)) - before.owed).to.equal(3n * V);
    expect(r.developerOwed).to.equal((await p.market.owedOf(usd, dev)).toString());
    expect(r.token).to.deep.equal({ address: usd, symbol: "tUSD", decimals: 6 });
    expect((await p.rgl.balanceOf(dev)) - before.rgl).to.equal(slashed);
    const op1 = await p.staking.operatorInfo(noShow);
    expect(before.op1.lockedStake - op1.lockedStake).to.equal(collateral1);
    expect(before.op1.selfStake - op1.selfStake).to.equal(slashed);
    const op2 = await p.staking.operatorInfo(p.ops[2].address);
    expect(before.op2.lockedStake - op2.lockedStake).to.equal(collateral2);
    expect(op2.selfStake).to.equal(before.op2.selfStake);
    const states = await Promise.all([0, 1, 2, 3, 4].map(async (s) => (await p.market.getShard(jobId, s)).state));
    expect(states.map(Number)).to.deep.equal([
      ShardState.Cancelled,
      ShardState.Expired,
      ShardState.Expired,
      ShardState.Settled,
      ShardState.Submitted,
    ]);

    // Again: nothing to do, exit 0, and why the rest waits.
    const usdNow = await p.usd.balanceOf(dev);
    const again = await run(["refund", String(jobId)], DEV);
    expect(again.code, again.out.errors.join("\n")).to.equal(0);
    expect(again.out.results[0]).to.match(new RegExp(`^job ${jobId}: nothing to refund now`));
    expect(again.out.results[0]).to.include("still locked: 100 tUSD in 1 shard(s)");
    expect(again.out.results[0]).to.include(
      `shard 4: Submitted by ${p.ops[0].address}: awaiting the committee's verdict`,
    );
    expect(again.out.results[0]).to.include(`until ${formatDate(submittedAt4 + VERIFY_WINDOW)}`);
    expect(await p.usd.balanceOf(dev)).to.equal(usdNow);
    expect(again.out.results[0]).to.include(
      `owed to ${dev} on this market: ${Number(await p.market.owedOf(usd, dev)) / 1e6} tUSD — withdraw: rigel job withdraw --token ${usd}`,
    );
  });

  it("as text: one line per refunded shard and the total", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await mixedJob(p);
    const run = await jobCli(p);
    const { code, out } = await run(["refund", String(jobId)], DEV);
    expect(code, out.errors.join("\n")).to.equal(0);
    const text = out.results[0];
    const dev = p.devs[0].address;
    expect(text).to.match(
      new RegExp(
        `^job ${jobId}: credited 300 tUSD \\(300000000 base units\\) to ${dev} in the market in 3 transaction\\(s\\)`,
      ),
    );
    expect(text).to.match(/shard 0: cancelled, credited refund 100 tUSD \(100000000 base units\) \(0x[0-9a-f]{64}\)/);
    expect(text).to.include(
      `shard 1: expired, no-show by ${p.ops[1].address}, credited refund 100 tUSD (100000000 base units); the operator was slashed`,
    );
    expect(text).to.include("shard 2: expired, the committee did not answer within the verify window");
    expect(text).to.include("total 300 tUSD, plus");
  });

  it("another account expires what anyone may, but cannot cancel the developer's open shards", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await createJob(p, { shards: 2, deadlineIn: 100 });
    await p.market.connect(p.ops[1]).accept(jobId, 1);
    await time.increase(200);
    const run = await jobCli(p);
    const dev = p.devs[0].address;
    const usd = await p.usd.getAddress();
    const before = {
      dev: await p.usd.balanceOf(dev),
      owed: await p.market.owedOf(usd, dev),
      devRgl: await p.rgl.balanceOf(dev),
      other: await p.usd.balanceOf(p.devs[1].address),
      otherOwed: await p.market.owedOf(usd, p.devs[1].address),
    };
    const { code, out } = await run(["refund", String(jobId), "--json"], OTHER);
    expect(code, out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(out.results[0]);
    expect(r.refunded.map((x: { shard: number; outcome: string }) => [x.shard, x.outcome])).to.deep.equal([
      [1, "expired-no-show"],
    ]);
    expect(r.locked.map((l: { shard: number; code: string }) => [l.shard, l.code])).to.deep.equal([
      [0, "open-not-developer"],
    ]);
    // The refund is credited to the developer, never to the caller.
    expect((await p.market.owedOf(usd, dev)) - before.owed).to.equal(V);
    expect(await p.usd.balanceOf(dev)).to.equal(before.dev);
    expect(await p.usd.balanceOf(p.devs[1].address)).to.equal(before.other);
    expect(await p.market.owedOf(usd, p.devs[1].address)).to.equal(before.otherOwed);
    expect((await p.rgl.balanceOf(dev)) - before.devRgl).to.equal(BigInt(r.compensation));
    expect(BigInt(r.compensation)).to.be.greaterThan(0n);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));
  });

  it("releases an unstarted gang past its accept deadline: every shard refunded, collateral back", async function () {
    const p = await loadFixture(deployProtocol);
    const params = await jobParamsFor(await p.usd.getAddress(), {
      shards: 2,
      maxUnitsPerShard: MAX_UNITS,
      maxPricePerUnit: MAX_PRICE,
    });
    const acceptDeadline = (await chainNow()) + 60n;
    await p.market.connect(p.devs[0]).createGangJob(params, acceptDeadline);
    const jobId = await p.market.jobCount();
    const op = p.ops[1].address;
    const lockedBefore = (await p.staking.operatorInfo(op)).lockedStake;
    await p.market.connect(p.ops[1]).accept(jobId, 0);
    const run = await jobCli(p);

    // Before the accept deadline the developer can cancel the open shard only.
    const early = await run(["refund", String(jobId), "--dry-run", "--json"], DEV);
    const e = JSON.parse(early.out.results[0]);
    expect(e.refunded.map((x: { shard: number; outcome: string }) => [x.shard, x.outcome])).to.deep.equal([
      [1, "cancelled"],
    ]);
    expect(e.locked[0]).to.include({ shard: 0, code: "gang-not-started", until: acceptDeadline.toString() });

    await time.increase(61);
    const dev = p.devs[0].address;
    const usd = await p.usd.getAddress();
    const owedBefore = await p.market.owedOf(usd, dev);
    const { code, out } = await run(["refund", String(jobId), "--json"], DEV);
    expect(code, out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(out.results[0]);
    expect(r.refunded.map((x: { shard: number; outcome: string }) => [x.shard, x.outcome])).to.deep.equal([
      [0, "released"],
      [1, "released"],
    ]);
    expect(r.total).to.equal((2n * V).toString());
    expect(r.locked).to.deep.equal([]);
    expect(r.escrowLeft).to.equal("0");
    expect((await p.market.owedOf(usd, dev)) - owedBefore).to.equal(2n * V);
    expect((await p.staking.operatorInfo(op)).lockedStake).to.equal(lockedBefore);
    expect((await p.market.gangOf(jobId)).released).to.equal(true);
  });

  it("a transaction that fails is reported, the others still go, and its shard stays locked (exit 1)", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await mixedJob(p);
    // The first transaction sent (the cancel) never reaches the chain.
    let failNext = true;
    const provider = hre.network.provider;
    const flaky = custom({
      async request(args: { method: string; params?: unknown }) {
        if (args.method === "eth_sendRawTransaction" && failNext) {
          failNext = false;
          throw new Error("injected: node refused the transaction");
        }
        return provider.request(args as { method: string; params?: unknown[] });
      },
    });
    const run = await jobCli(p, flaky);
    const dev = p.devs[0].address;
    const usd = await p.usd.getAddress();
    const owedBefore = await p.market.owedOf(usd, dev);
    const { code, out } = await run(["refund", String(jobId), "--json"], DEV);
    expect(code).to.equal(1);
    expect(out.errors.join("\n")).to.include("1 transaction(s) failed");
    const r = JSON.parse(out.results[0]);
    expect(r.failed).to.have.length(1);
    expect(r.failed[0].action).to.deep.equal({ kind: "cancel", shards: [0], refund: V.toString() });
    expect(r.failed[0].error).to.include("injected");
    expect(r.refunded.map((x: { shard: number }) => x.shard)).to.deep.equal([1, 2]);
    expect(r.total).to.equal((2n * V).toString());
    expect(r.locked.map((l: { shard: number; code: string }) => [l.shard, l.code])).to.deep.equal([
      [0, "recovery-failed"],
      [4, "awaiting-verdict"],
    ]);
    expect(r.lockedTotal).to.equal((2n * V).toString());
    expect(r.escrowLeft).to.equal((2n * V).toString());
    expect((await p.market.owedOf(usd, dev)) - owedBefore).to.equal(2n * V);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));
  });

  it("an unknown job is a usage error", async function () {
    const p = await loadFixture(deployProtocol);
    const run = await jobCli(p);
    const { code, out } = await run(["refund", "99"], DEV);
    expect(code).to.equal(2);
    expect(out.errors[0]).to.include("no job 99 on this market");
  });
});

import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { AgentDaemon } from "../../agent/daemon/agentDaemon";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { agentChainFor, runUntil, testDaemon, UNTIL_MIN_MS } from "../../fixtures/agentHarness";

const ACCEPT_WINDOW = 3_600n;

/** A 2-shard matmul gang job, shard 0 assigned to ops[0] (account 5), shard 1 to ops[1] (account 6). */
async function createGang(p: Protocol) {
  const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"cd".repeat(32)}`, m: 40, n: 32, k: 24 });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    shards: 2,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
    shardOperators: [p.ops[0].address, p.ops[1].address],
  });
  const acceptDeadline = BigInt(await time.latest()) + ACCEPT_WINDOW;
  await p.market.connect(p.devs[0]).createGangJob(params, acceptDeadline);
  const jobId = await p.market.jobCount();
  const value = BigInt(params.maxUnitsPerShard) * BigInt(params.maxPricePerUnit);
  return { jobId, params, value, acceptDeadline };
}

/** Passes of several daemons together until `done()` holds (bounded like {@link runUntil}). */
async function runBothUntil(daemons: AgentDaemon[], done: () => Promise<boolean>, passes = 80): Promise<void> {
  const started = Date.now();
  for (let i = 1; ; i++) {
    await Promise.all(daemons.map((d) => d.tick()));
    await Promise.all(daemons.map((d) => d.idle()));
    if (await done()) return;
    if (i >= passes && Date.now() - started > UNTIL_MIN_MS) {
      throw new Error(`condition not reached in ${i} passes (${Date.now() - started} ms)`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const states = async (p: Protocol, jobId: bigint) =>
  Promise.all([0, 1].map(async (s) => (await p.market.getShard(jobId, s)).state));

describe("agent: gang jobs (in-process chain, committee double)", function () {
  it("accepts its gang shard, submits nothing until the last shard is accepted, then both run and settle", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId, params, value } = await createGang(p);
    const [a, b] = [p.ops[0], p.ops[1]];
    // Pull payments (PROTOCOL §20.1): the parties are credited; the market keeps the tokens.
    const token = await p.usd.getAddress();
    const usd = async () => ({
      a: await p.market.owedOf(token, a.address),
      b: await p.market.owedOf(token, b.address),
      dev: await p.market.owedOf(token, p.devs[0].address),
      treasury: await p.market.owedOf(token, p.treasury.address),
      market: await p.usd.balanceOf(await p.market.getAddress()),
      escrow: await p.market.escrowOf(token),
    });
    const before = await usd();
    const lockedBefore = {
      a: (await p.staking.operatorInfo(a.address)).lockedStake,
      b: (await p.staking.operatorInfo(b.address)).lockedStake,
    };

    const agentA = await testDaemon(p, { port: 9201 });
    const agentB = await testDaemon(p, { port: 9202, chain: await agentChainFor(p, 6) });
    await agentA.daemon.init();
    await agentB.daemon.init();
    try {
      // A alone: it accepts shard 0 and then waits, however many passes it makes.
      await runUntil(agentA.daemon, async () => (await states(p, jobId))[0] === BigInt(ShardState.Accepted));
      for (let i = 0; i < 5; i++) {
        await agentA.daemon.tick();
        await agentA.daemon.idle();
      }
      expect((await states(p, jobId)).map(Number)).to.deep.equal([ShardState.Accepted, ShardState.Open]);
      expect((await p.market.gangOf(jobId)).startedAt).to.equal(0n);
      expect(await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId))).to.have.length(0);
      expect(agentA.daemon.journal.get(jobId, 0)!.state).to.equal("accepted");
      expect(agentA.daemon.journal.get(jobId, 0)!.data.gangWaiting).to.equal(true);
      expect(agentA.daemon.journal.get(jobId, 0)!.data.gangAcceptDeadline).to.be.a("bigint");

      // B accepts shard 1: the gang starts; then both compute, submit, prove and settle.
      await runBothUntil([agentA.daemon, agentB.daemon], async () =>
        (await states(p, jobId)).every((s) => s === BigInt(ShardState.Settled)),
      );

      // Order from the chain, not the clock: GangStarted (B's accept) precedes every submission.
      const [started] = await p.market.queryFilter(p.market.filters.GangStarted(jobId));
      const accepts = await p.market.queryFilter(p.market.filters.ShardAccepted(jobId));
      const submits = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      expect(submits.map((e) => Number(e.args.shard)).sort()).to.deep.equal([0, 1]);
      const acceptOf = (s: number) => accepts.find((e) => Number(e.args.shard) === s)!;
      expect(acceptOf(0).blockNumber).to.be.lessThan(acceptOf(1).blockNumber);
      expect(started.blockNumber).to.equal(acceptOf(1).blockNumber);
      for (const e of submits) expect(e.blockNumber).to.be.greaterThan(started.blockNumber);
      expect((await p.market.gangOf(jobId)).startedAt).to.equal(started.args.startedAt);
      expect(agentA.daemon.journal.get(jobId, 0)!.data.gangStartedAt).to.equal(started.args.startedAt);
      expect(agentA.daemon.journal.get(jobId, 0)!.state).to.equal("settled");
      expect(agentB.daemon.journal.get(jobId, 1)!.state).to.equal("settled");

      // Money: each operator paid its units × price less the fee; the developer refunded the rest.
      const after = await usd();
      let fees = 0n;
      for (const [s, who] of [
        [0, "a"],
        [1, "b"],
      ] as const) {
        const shard = await p.market.getShard(jobId, s);
        const pay = shard.units * BigInt(params.maxPricePerUnit);
        const fee = (pay * 250n) / 10_000n;
        fees += fee;
        expect(after[who] - before[who]).to.equal(pay - fee);
      }
      const paid = after.a - before.a + (after.b - before.b);
      expect(after.treasury - before.treasury).to.equal(fees);
      expect(after.dev - before.dev).to.equal(2n * value - paid - fees);
      expect(after.market).to.equal(before.market);
      expect(before.escrow - after.escrow).to.equal(2n * value);
      expect((await p.staking.operatorInfo(a.address)).lockedStake).to.equal(lockedBefore.a);
      expect((await p.staking.operatorInfo(b.address)).lockedStake).to.equal(lockedBefore.b);
    } finally {
      await agentA.daemon.shutdown();
      await agentB.daemon.shutdown();
    }
  });

  it("releases a gang that never started: nothing computed or submitted, shard abandoned, escrow refunded, collateral unlocked, no slash", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId, value, acceptDeadline } = await createGang(p);
    const a = p.ops[0];
    const infoBefore = await p.staking.operatorInfo(a.address);
    const token = await p.usd.getAddress();
    const devBefore = await p.market.owedOf(token, p.devs[0].address);
    const marketBefore = await p.usd.balanceOf(await p.market.getAddress());
    const escrowBefore = await p.market.escrowOf(token);
    const rglStakingBefore = await p.rgl.balanceOf(await p.staking.getAddress());

    const agentA = await testDaemon(p, { port: 9203 });
    await agentA.daemon.init();
    try {
      await runUntil(agentA.daemon, async () => (await states(p, jobId))[0] === BigInt(ShardState.Accepted));
      const collateral = (await p.market.getShard(jobId, 0)).collateral;
      expect(collateral).to.be.greaterThan(0n);
      expect((await p.staking.operatorInfo(a.address)).lockedStake).to.equal(infoBefore.lockedStake + collateral);

      // ops[1] never accepts. Past the accept deadline the agent releases the gang itself.
      await time.increaseTo(acceptDeadline);
      await runUntil(agentA.daemon, () => agentA.daemon.journal.get(jobId, 0)!.state === "abandoned");

      const entry = agentA.daemon.journal.get(jobId, 0)!;
      expect(entry.data.endedOnChain).to.equal("Cancelled");
      expect(entry.data.root).to.equal(undefined);
      expect(agentA.daemon.journal.history(jobId, 0).map((h) => h.to)).to.not.include("running");
      expect((await states(p, jobId)).map(Number)).to.deep.equal([ShardState.Cancelled, ShardState.Cancelled]);
      const gang = await p.market.gangOf(jobId);
      expect(gang.released).to.equal(true);
      expect(gang.startedAt).to.equal(0n);
      const [released] = await p.market.queryFilter(p.market.filters.GangReleased(jobId));
      expect(released.args.unlocked).to.equal(1n);
      expect(released.args.refund).to.equal(2n * value);
      expect(await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId))).to.have.length(0);

      // Money: the developer has the whole escrow back, the operator its collateral, nobody slashed or jailed.
      // The refund is credited to the developer (withdrawn later), the escrow released.
      expect((await p.market.owedOf(token, p.devs[0].address)) - devBefore).to.equal(2n * value);
      expect(await p.usd.balanceOf(await p.market.getAddress())).to.equal(marketBefore);
      expect(escrowBefore - (await p.market.escrowOf(token))).to.equal(2n * value);
      const infoAfter = await p.staking.operatorInfo(a.address);
      expect(infoAfter.lockedStake).to.equal(infoBefore.lockedStake);
      expect(infoAfter.selfStake).to.equal(infoBefore.selfStake);
      expect(infoAfter.jailedUntil).to.equal(infoBefore.jailedUntil);
      expect(await p.rgl.balanceOf(await p.staking.getAddress())).to.equal(rglStakingBefore);
    } finally {
      await agentA.daemon.shutdown();
    }
  });

  it("a restarted agent keeps waiting from its journal and runs once the gang starts", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId } = await createGang(p);
    const first = await testDaemon(p, { port: 9204 });
    await first.daemon.init();
    await runUntil(first.daemon, async () => (await states(p, jobId))[0] === BigInt(ShardState.Accepted));
    await first.daemon.tick();
    await first.daemon.idle();
    await first.daemon.shutdown();

    // Same data directory: the journal says accepted (waiting); the restarted agent sends no second accept.
    const again = await testDaemon(p, { port: 9205, dataDir: first.dataDir });
    await again.daemon.init();
    try {
      await again.daemon.tick();
      await again.daemon.idle();
      expect(again.daemon.journal.get(jobId, 0)!.state).to.equal("accepted");
      await p.market.connect(p.ops[1]).accept(jobId, 1);
      await runUntil(
        again.daemon,
        async () => (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Settled),
      );
      expect(await p.market.queryFilter(p.market.filters.ShardAccepted(jobId, 0))).to.have.length(1);
      expect(await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId, 0))).to.have.length(1);
    } finally {
      await again.daemon.shutdown();
    }
  });
});

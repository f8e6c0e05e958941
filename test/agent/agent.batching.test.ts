import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { getAddress } from "viem";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { runUntil, testDaemon } from "../../fixtures/agentHarness";

// PROTOCOL §20.7 on the in-process chain with the committee double: finished shards go out in one
// submitMany, assigned shards are run first and sent with one acceptAndSubmit each, settlement can be
// left to the committee's relay, and the operator's earnings are credited and then withdrawn.

const FEE_BPS = 250n;

async function matmulJob(p: Protocol, shards: number, operators: string[] = []) {
  const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"5e".repeat(32)}`, m: 8 * shards, n: 8, k: 8 });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    shards,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
    shardOperators: operators,
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return { jobId: await p.market.jobCount(), params };
}

const allSettled = (p: Protocol, jobId: bigint, shards: number) => async () => {
  const states = await Promise.all(
    Array.from({ length: shards }, async (_, s) => (await p.market.getShard(jobId, s)).state),
  );
  return states.every((s) => s === BigInt(ShardState.Settled));
};

/** Σ over the job's shards of (pay − fee, fee, V − pay), from the settled shards' units. */
async function expectedCredits(p: Protocol, jobId: bigint, shards: number, price: bigint, maxUnits: bigint) {
  let operator = 0n;
  let fees = 0n;
  let refunds = 0n;
  for (let s = 0; s < shards; s++) {
    const pay = (await p.market.getShard(jobId, s)).units * price;
    const fee = (pay * FEE_BPS) / 10_000n;
    operator += pay - fee;
    fees += fee;
    refunds += maxUnits * price - pay;
  }
  return { operator, fees, refunds };
}

describe("agent: batched submissions, acceptAndSubmit and withdrawals (§20.7)", function () {
  it("submits the finished shards of a job in ONE submitMany, and the operator's pay is credited, not sent", async function () {
    const p = await loadFixture(deployProtocol);
    const usd = await p.usd.getAddress();
    const operator = p.ops[0].address;
    const { jobId, params } = await matmulJob(p, 3);
    const marketBefore = await p.usd.balanceOf(await p.market.getAddress());
    const opBefore = await p.usd.balanceOf(operator);
    const owedBefore = {
      op: await p.market.owedOf(usd, operator),
      dev: await p.market.owedOf(usd, p.devs[0].address),
      treasury: await p.market.owedOf(usd, p.treasury.address),
    };
    // The batch closes by size (3) long before its delay.
    const { daemon, chain } = await testDaemon(p, { port: 8691, submitMaxBatch: 3, submitMaxDelayMs: 600_000 });
    await daemon.init();
    try {
      await runUntil(daemon, allSettled(p, jobId, 3));
      const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      expect(submitted.map((e) => Number(e.args.shard)).sort()).to.deep.equal([0, 1, 2]);
      expect(new Set(submitted.map((e) => e.transactionHash)).size).to.equal(1);
      const tx = await ethers.provider.getTransaction(submitted[0].transactionHash);
      expect(p.market.interface.parseTransaction(tx!)!.name).to.equal("submitMany");
      for (let s = 0; s < 3; s++) {
        expect(daemon.journal.get(jobId, s)!.state).to.equal("settled");
        expect((await p.market.getShard(jobId, s)).submittedBlock).to.equal(BigInt(submitted[0].blockNumber));
      }

      // Pull payments: nothing left the market; operator, developer and treasury are owed their parts.
      const price = BigInt(params.maxPricePerUnit);
      const want = await expectedCredits(p, jobId, 3, price, BigInt(params.maxUnitsPerShard));
      expect(await p.usd.balanceOf(operator)).to.equal(opBefore);
      expect(await p.usd.balanceOf(await p.market.getAddress())).to.equal(marketBefore);
      expect((await p.market.owedOf(usd, operator)) - owedBefore.op).to.equal(want.operator);
      expect((await p.market.owedOf(usd, p.devs[0].address)) - owedBefore.dev).to.equal(want.refunds);
      expect((await p.market.owedOf(usd, p.treasury.address)) - owedBefore.treasury).to.equal(want.fees);

      // `rigel agent withdraw`'s write: the whole credit, to the operator, the market's balance down by it.
      const owed = await p.market.owedOf(usd, operator);
      await chain.withdraw(getAddress(usd));
      expect(await p.market.owedOf(usd, operator)).to.equal(0n);
      expect((await p.usd.balanceOf(operator)) - opBefore).to.equal(owed);
      expect(marketBefore - (await p.usd.balanceOf(await p.market.getAddress()))).to.equal(owed);
    } finally {
      await daemon.shutdown();
    }
  });

  it("runs shards assigned to it before accepting them and sends ONE acceptAndSubmit per shard", async function () {
    const p = await loadFixture(deployProtocol);
    const operator = p.ops[0].address;
    const { jobId } = await matmulJob(p, 2, [operator, operator]);
    const lockedBefore = (await p.staking.operatorInfo(operator)).lockedStake;
    const { daemon } = await testDaemon(p, { port: 8692 });
    await daemon.init();
    try {
      await runUntil(daemon, allSettled(p, jobId, 2));
      const accepted = await p.market.queryFilter(p.market.filters.ShardAccepted(jobId));
      const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      for (let s = 0; s < 2; s++) {
        const a = accepted.find((e) => Number(e.args.shard) === s)!;
        const b = submitted.find((e) => Number(e.args.shard) === s)!;
        // Accepted and submitted by the same transaction: acceptAndSubmit.
        expect(a.transactionHash).to.equal(b.transactionHash);
        const tx = await ethers.provider.getTransaction(a.transactionHash);
        expect(p.market.interface.parseTransaction(tx!)!.name).to.equal("acceptAndSubmit");
        expect(daemon.journal.history(jobId, s).map((h) => h.to)).to.deep.equal([
          "accepting",
          "running",
          "ran",
          "submitting",
          "submitted",
          "proving",
          "attested",
          "settling",
          "settled",
        ]);
      }
      // Collateral was locked at acceptAndSubmit and released at settlement.
      expect((await p.staking.operatorInfo(operator)).lockedStake).to.equal(lockedBefore);
    } finally {
      await daemon.shutdown();
    }
  });

  it("leaves settlement to the committee's relay for settleDelaySec, and ends the shard from the chain", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId } = await matmulJob(p, 1);
    const { daemon } = await testDaemon(p, { port: 8693, settleDelaySec: 3600 });
    await daemon.init();
    try {
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "attested");
      // Passes go by: the agent sends no settle of its own while the delay runs.
      for (let i = 0; i < 3; i++) {
        await daemon.tick();
        await daemon.idle();
      }
      expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Submitted));
      // The relay (here: anyone else with the quorum) settles it.
      const entry = daemon.journal.get(jobId, 0)!;
      if (entry.state !== "attested") throw new Error("not attested");
      const settleTx = await p.market.connect(p.devs[1]).settle(entry.data.attestation, entry.data.signatures);
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "settled");
      expect(daemon.journal.get(jobId, 0)!.data.endedOnChain).to.equal("Settled");
      const settled = await p.market.queryFilter(p.market.filters.ShardSettled(jobId));
      expect(settled.map((e) => e.transactionHash)).to.deep.equal([settleTx.hash]);
    } finally {
      await daemon.shutdown();
    }
  });

  it("withdraws automatically once the operator is owed autoWithdrawMin of the token it was paid in", async function () {
    const p = await loadFixture(deployProtocol);
    const usd = await p.usd.getAddress();
    const operator = p.ops[0].address;
    const { jobId } = await matmulJob(p, 1);
    const before = await p.usd.balanceOf(operator);
    const owedBefore = await p.market.owedOf(usd, operator);
    const { daemon } = await testDaemon(p, { port: 8694, autoWithdraw: { min: 1n, intervalSec: 0 } });
    await daemon.init();
    try {
      await runUntil(daemon, allSettled(p, jobId, 1));
      const credited = (await p.market.queryFilter(p.market.filters.ShardSettled(jobId)))[0].args.paid;
      expect(credited).to.be.greaterThan(0n);
      await runUntil(daemon, async () => (await p.market.owedOf(usd, operator)) === 0n);
      expect((await p.usd.balanceOf(operator)) - before).to.equal(owedBefore + credited);
      const withdrawn = await p.market.queryFilter(p.market.filters.Withdrawn(usd, operator));
      expect(withdrawn.map((e) => e.args.amount)).to.deep.equal([owedBefore + credited]);
    } finally {
      await daemon.shutdown();
    }
  });

  it("never withdraws below autoWithdrawMin", async function () {
    const p = await loadFixture(deployProtocol);
    const usd = await p.usd.getAddress();
    const operator = p.ops[0].address;
    const { jobId } = await matmulJob(p, 1);
    const { daemon } = await testDaemon(p, { port: 8695, autoWithdraw: { min: 10n ** 30n, intervalSec: 0 } });
    await daemon.init();
    try {
      await runUntil(daemon, allSettled(p, jobId, 1));
      for (let i = 0; i < 3; i++) {
        await daemon.tick();
        await daemon.idle();
      }
      expect(await p.market.owedOf(usd, operator)).to.be.greaterThan(0n);
      expect(await p.market.queryFilter(p.market.filters.Withdrawn(usd, operator))).to.have.length(0);
    } finally {
      await daemon.shutdown();
    }
  });
});

import { expect } from "chai";
import { resultUriOf } from "./helpers/resultUri";
import fs from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { downloadShardResults } from "../../sdk/agentApi/results";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { committeeDouble, hardhatAccount, runUntil, tempDataDir, testDaemon } from "../../fixtures/agentHarness";

const SHARD_SETTLED = 3n;

async function createMatmulJob(p: Protocol, over: { shards?: number; m?: number } = {}) {
  const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"ab".repeat(32)}`, m: over.m ?? 48, n: 32, k: 40 });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    shards: over.shards ?? 2,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return { jobId: await p.market.jobCount(), params };
}

describe("agent: matmul shards end to end (in-process chain, committee double)", function () {
  it("takes every shard, computes, submits once, proves, settles, and serves the results to the developer", async function () {
    const p = await loadFixture(deployProtocol);
    const operator = p.ops[0];
    const { jobId, params } = await createMatmulJob(p);
    const usd = await p.usd.getAddress();
    // Pull payments (PROTOCOL §20.1): settlement credits the parties; nothing leaves the market.
    const owed = async () => ({
      op: await p.market.owedOf(usd, operator.address),
      dev: await p.market.owedOf(usd, p.devs[0].address),
      treasury: await p.market.owedOf(usd, p.treasury.address),
      market: await p.usd.balanceOf(await p.market.getAddress()),
      escrow: await p.market.escrowOf(usd),
    });
    const usdBefore = await owed();
    const lockedBefore = (await p.staking.operatorInfo(operator.address)).lockedStake;

    const { daemon, oracle: gateway } = await testDaemon(p, { port: 8652 });
    const oracle = gateway as ReturnType<typeof committeeDouble>;
    await daemon.init();
    try {
      await runUntil(daemon, async () => {
        const states = await Promise.all([0, 1].map(async (s) => (await p.market.getShard(jobId, s)).state));
        return states.every((s) => s === SHARD_SETTLED);
      });

      // Money: per shard, pay = units × price, fee 2.5% to the treasury, the rest refunded.
      const value = BigInt(params.maxUnitsPerShard) * BigInt(params.maxPricePerUnit);
      let paid = 0n;
      let fees = 0n;
      for (const s of [0, 1]) {
        const shard = await p.market.getShard(jobId, s);
        expect(shard.operator).to.equal(operator.address);
        expect(shard.units).to.equal(1n);
        const pay = shard.units * BigInt(params.maxPricePerUnit);
        const fee = (pay * 250n) / 10_000n;
        paid += pay - fee;
        fees += fee;
      }
      const after = await owed();
      expect(after.op - usdBefore.op).to.equal(paid);
      expect(after.treasury - usdBefore.treasury).to.equal(fees);
      expect(after.dev - usdBefore.dev).to.equal(2n * value - paid - fees);
      expect(after.market).to.equal(usdBefore.market);
      expect(usdBefore.escrow - after.escrow).to.equal(2n * value);
      expect((await p.staking.operatorInfo(operator.address)).lockedStake).to.equal(lockedBefore);
      expect((await p.market.operatorRecord(operator.address)).settled).to.equal(2n);

      // Exactly one submission per shard, and the journal ended both as settled.
      const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      expect(submitted.map((e) => Number(e.args.shard)).sort()).to.deep.equal([0, 1]);
      for (const s of [0, 1]) {
        expect(daemon.journal.get(jobId, s)!.state).to.equal("settled");
        expect(daemon.journal.history(jobId, s).map((h) => h.to)).to.deep.equal([
          "accepting",
          "accepted",
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
      expect(oracle.calls).to.have.length(2);
      expect(oracle.calls.every((c) => c.rows!.length === 24)).to.equal(true);

      // Results: the developer downloads shard 1 and the files commit to the on-chain root.
      const shard1 = await p.market.getShard(jobId, 1);
      const uri1 = await resultUriOf(p, jobId, 1);
      expect(uri1).to.equal(`${daemon.http.url}/v1/results/${jobId}/1`);
      const out = tempDataDir("download");
      const got = await downloadShardResults(uri1, hardhatAccount(2), out, {
        expectedRoot: shard1.resultRoot as `0x${string}`,
      });
      expect(got.root).to.equal(shard1.resultRoot);
      expect(fs.statSync(path.join(out, "c.bin")).size).to.equal(24 * 32 * 4);
      // Browsers may ask from any origin (CORS preflight): the signature is the credential.
      const preflight = await fetch(uri1, { method: "OPTIONS" });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
      expect(preflight.headers.get("access-control-allow-headers")).to.equal(
        "x-rigel-address, x-rigel-timestamp, x-rigel-signature, x-rigel-nonce",
      );
      // Anyone else is refused.
      await downloadShardResults(uri1, hardhatAccount(3), tempDataDir("x")).then(
        () => expect.fail("a non-developer downloaded the results"),
        (err) => expect(err.message).to.match(/HTTP 403/),
      );
    } finally {
      await daemon.shutdown();
    }
  });

  it("drops a shard assigned to another operator unread and declines one priced below the policy", async function () {
    const p = await loadFixture(deployProtocol);
    const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"cd".repeat(32)}`, m: 8, n: 8, k: 8 });
    const base = { kind: 0, specHash: hashJobSpec(spec).hash, specURI: jobSpecDataUri(spec) };
    await p.market
      .connect(p.devs[0])
      .createJob(await jobParamsFor(await p.usd.getAddress(), { ...base, shardOperators: [p.ops[1].address] }));
    await p.market
      .connect(p.devs[0])
      .createJob(await jobParamsFor(await p.usd.getAddress(), { ...base, maxPricePerUnit: 10n }));
    const { daemon, chain } = await testDaemon(p, { port: 8653, policy: { minPricePerUnit: 1000n } });
    await daemon.init();
    try {
      await runUntil(daemon, () => (daemon.offers.counts().declined ?? 0) === 1, 10);
      // Assigned to ops[1] (ShardAssigned): gone as soon as the event is read, never decided (§20.7).
      expect(daemon.offers.counts()).to.deep.include({ gone: 1, declined: 1 });
      expect(daemon.journal.unfinished()).to.have.length(0);
      expect((await p.market.getShard(1n, 0)).state).to.equal(BigInt(ShardState.Open));
      expect((await p.market.getShard(2n, 0)).state).to.equal(BigInt(ShardState.Open));
      expect(ethers.isAddress(chain.address)).to.equal(true);
    } finally {
      await daemon.shutdown();
    }
  });
});

import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { network } from "hardhat";
import { custom } from "viem";
import { AgentChain } from "../../agent/chain/agentChain";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { deploymentOf, hardhatAccount, runUntil, testDaemon } from "../../fixtures/agentHarness";

const SETTLED = 3n;

async function createJob(p: Protocol, shards = 1) {
  const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"5e".repeat(32)}`, m: 16, n: 16, k: 16 });
  await p.market.connect(p.devs[0]).createJob(
    await jobParamsFor(await p.usd.getAddress(), {
      kind: 0,
      shards,
      specHash: hashJobSpec(spec).hash,
      specURI: jobSpecDataUri(spec),
    }),
  );
  return p.market.jobCount();
}

/** An AgentChain whose accept, submit and settle each reach the chain once and then "crash" before returning. */
class CrashAfterSend extends AgentChain {
  crashed: string[] = [];
  private once<T>(what: string, send: () => Promise<T>): Promise<T> {
    return send().then((result) => {
      if (this.crashed.includes(what)) return result;
      this.crashed.push(what);
      throw new Error(`simulated crash after ${what} was mined`);
    });
  }
  override accept(jobId: bigint, shard: number) {
    return this.once("accept", () => super.accept(jobId, shard));
  }
  override submit(...args: Parameters<AgentChain["submit"]>) {
    return this.once("submit", () => super.submit(...args));
  }
  override settle(...args: Parameters<AgentChain["settle"]>) {
    return this.once("settle", () => super.settle(...args));
  }
}

describe("agent: recovery (actions that reached the chain before the journal knew; an RPC that drops)", function () {
  it("never accepts, submits or settles twice when a step dies right after its transaction was mined", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await createJob(p);
    const chain = new CrashAfterSend({
      transport: custom(network.provider),
      account: hardhatAccount(5),
      deployment: await deploymentOf(p),
    });
    const { daemon, logs } = await testDaemon(p, { port: 8658, chain });
    await daemon.init();
    try {
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === SETTLED);
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)!.state === "settled", 5);
      expect(chain.crashed).to.deep.equal(["accept", "submit", "settle"]);
      expect(await p.market.queryFilter(p.market.filters.ShardAccepted(jobId))).to.have.length(1);
      expect(await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId))).to.have.length(1);
      expect(await p.market.queryFilter(p.market.filters.ShardSettled(jobId))).to.have.length(1);
      // The accept's crash is absorbed in the same step (it re-reads the shard: Accepted by us);
      // submit and settle fail their step and the next pass finds them done on-chain.
      expect(logs.filter((l) => l.includes("shard step failed")).length).to.equal(2);
    } finally {
      await daemon.shutdown();
    }
  });

  it("logs a dropped RPC clearly, keeps its state, and finishes the shard once the RPC is back", async function () {
    const p = await loadFixture(deployProtocol);
    let down = false;
    let refused = 0;
    const flaky = custom({
      async request(args: { method: string; params?: unknown }) {
        if (down) {
          refused++;
          throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
        }
        return network.provider.request(args as never);
      },
    });
    const chain = new AgentChain({ transport: flaky, account: hardhatAccount(5), deployment: await deploymentOf(p) });
    const { daemon, logs } = await testDaemon(p, { port: 8659, chain });
    await daemon.init();
    try {
      const jobId = await createJob(p, 2);
      down = true;
      for (let i = 0; i < 3; i++) await daemon.tick();
      expect(logs.filter((l) => l.includes("cannot read the chain")).length).to.equal(3);
      expect(daemon.journal.get(jobId, 0)).to.equal(undefined);
      down = false;
      // Drop it again in the middle of a shard's life.
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state !== undefined, 10);
      down = true;
      for (let i = 0; i < 3; i++) {
        await daemon.tick();
        await daemon.idle();
      }
      down = false;
      await runUntil(daemon, async () =>
        (await Promise.all([0, 1].map(async (s) => (await p.market.getShard(jobId, s)).state))).every(
          (s) => s === SETTLED,
        ),
      );
      expect(refused).to.be.greaterThan(3);
      expect(await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId))).to.have.length(2);
      for (const s of [0, 1]) expect(daemon.journal.get(jobId, s)!.state).to.equal("settled");
    } finally {
      await daemon.shutdown();
    }
  });
});

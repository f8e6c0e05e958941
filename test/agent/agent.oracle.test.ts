// Matmul shards end to end with the real oracle committee (three OracleNode instances in this
// process, each with its own SQLite store and HTTP API), on the in-process chain: the agent proves
// over HTTP with sdk/oracleApi, gathers 2-of-3 identical signatures and settles.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { network } from "hardhat";
import { custom, type Hex } from "viem";
import { createOracleGateway } from "../../agent/oracle/createOracleGateway";
import { createLogger } from "../../sdk/log/createLogger";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { dockerForTests, TEST_IMAGE } from "../sdk/executor/dockerTestEnv";
import { runUntil, testDaemon, type TestDaemonOptions } from "../../fixtures/agentHarness";
import { startTestCommittee, type TestCommittee } from "../../fixtures/oracleCommittee";

describe("agent: end to end with the real oracle nodes", function () {
  let committee: TestCommittee | undefined;
  afterEach(async () => {
    await committee?.stop();
    committee = undefined;
  });

  /** Three real oracle nodes on the test chain (stopped after each test) and an agent that uses them. */
  async function daemonWithRealCommittee(p: Protocol, over: Partial<TestDaemonOptions> = {}) {
    committee = await startTestCommittee({
      transport: custom(network.provider),
      chainId: 31337,
      market: (await p.market.getAddress()) as Hex,
      committee: (await p.committee.getAddress()) as Hex,
      startBlock: 0n,
      ports: [8667, 8668, 8669],
    });
    const urls = committee.urls.join(",");
    const silent = createLogger({ name: "t", level: "silent", destination: { write: () => undefined } });
    const { daemon } = await testDaemon(p, {
      port: 8651,
      ...over,
      oracle: (chain) => createOracleGateway({ urls, account: chain.account, chain, logger: silent }),
    });
    return daemon;
  }

  it("proves 3 shards to the committee over HTTP, settles each with the committee's signatures, and gets paid", async function () {
    const p = await loadFixture(deployProtocol);
    const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"0c".repeat(32)}`, m: 100, n: 48, k: 64 });
    const params = await jobParamsFor(await p.usd.getAddress(), {
      kind: 0,
      shards: 3,
      specHash: hashJobSpec(spec).hash,
      specURI: jobSpecDataUri(spec),
    });
    const daemon = await daemonWithRealCommittee(p);
    await p.market.connect(p.devs[0]).createJob(params);
    const jobId = await p.market.jobCount();
    const opBefore = await p.market.owedOf(await p.usd.getAddress(), p.ops[0].address);
    await daemon.init();
    try {
      await runUntil(
        daemon,
        async () =>
          (await Promise.all([0, 1, 2].map(async (s) => (await p.market.getShard(jobId, s)).state))).every(
            (s) => s === 3n,
          ),
        120,
      );
      let expected = 0n;
      for (const s of [0, 1, 2]) {
        const shard = await p.market.getShard(jobId, s);
        const pay = shard.units * BigInt(params.maxPricePerUnit);
        expected += pay - (pay * 250n) / 10_000n;
        const entry = daemon.journal.get(jobId, s)!;
        expect(entry.state).to.equal("settled");
        const attestation = entry.data.attestation as { verdict: number; expiry: bigint };
        expect(attestation.verdict).to.equal(1);
        // Every oracle signs expiry = submittedAt + verifyWindow (PROTOCOL §13.1).
        expect(attestation.expiry).to.equal(shard.submittedAt + 3_600n);
        // Every oracle that signed the identical struct is kept (t = 2 of these 3 would do).
        expect(entry.data.signatures as Hex[]).to.have.length(3);
      }
      // Credited, not sent (pull payments, PROTOCOL §20.1).
      expect((await p.market.owedOf(await p.usd.getAddress(), p.ops[0].address)) - opBefore).to.equal(expected);
      expect(await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId))).to.have.length(3);
    } finally {
      await daemon.shutdown();
    }
  });

  // PROTOCOL §20.10 with the real oracle nodes: the assigned shard is claimed over HTTP at each
  // oracle, proved against each oracle's beacon, and settled from Open (the 404 fallback of oracles
  // without /v1/claims is covered by agent.claims.test.ts).
  it("claims an assigned shard over HTTP at the real oracles: settled from Open, settled once", async function () {
    const p = await loadFixture(deployProtocol);
    const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"0d".repeat(32)}`, m: 16, n: 16, k: 16 });
    const daemon = await daemonWithRealCommittee(p, { claims: { enabled: true, timeoutSec: 600 } });
    await p.market.connect(p.devs[0]).createJob(
      await jobParamsFor(await p.usd.getAddress(), {
        kind: 0,
        shards: 1,
        specHash: hashJobSpec(spec).hash,
        specURI: jobSpecDataUri(spec),
        shardOperators: [p.ops[0].address],
      }),
    );
    const jobId = await p.market.jobCount();
    await daemon.init();
    try {
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Settled), 120);
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "settled", 5);
      const entry = daemon.journal.get(jobId, 0)!;
      expect(daemon.journal.history(jobId, 0).map((h) => h.to)).to.include("claiming");
      const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      expect(submitted).to.have.length(1);
      expect(submitted[0].args.resultRoot).to.equal(entry.data.root);
      // The oracles take claims: settled from Open, no accept-and-submit transaction, nothing locked.
      expect(entry.data.claimAbandoned).to.equal(undefined);
      expect(entry.data.claimed).to.equal(true);
      expect(submitted[0].args.resultURI).to.equal("");
      const accepted = await p.market.queryFilter(p.market.filters.ShardAccepted(jobId));
      expect(accepted.map((e) => e.args.collateral)).to.deep.equal([0n]);
      expect(accepted[0].blockNumber).to.equal(submitted[0].blockNumber);
    } finally {
      await daemon.shutdown();
    }
  });

  it("proves a container shard in receipt mode (attested, not verified) and settles it", async function () {
    const docker = await dockerForTests(this);
    const p = await loadFixture(deployProtocol);
    const spec = parseJobSpec({
      kind: "container",
      image: TEST_IMAGE,
      command: ["sh", "-c", "echo receipt > $RIGEL_OUTPUT/out.txt"],
      memoryMiB: 64,
      timeoutSec: 60,
    });
    const daemon = await daemonWithRealCommittee(p, { docker });
    await p.market.connect(p.devs[0]).createJob(
      await jobParamsFor(await p.usd.getAddress(), {
        kind: 1,
        verificationMode: 1,
        minVramMiB: 0,
        specHash: hashJobSpec(spec).hash,
        specURI: jobSpecDataUri(spec),
      }),
    );
    const jobId = await p.market.jobCount();
    await daemon.init();
    try {
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Settled), 120);
      const entry = daemon.journal.get(jobId, 0)!;
      expect((entry.data.attestation as { verdict: number }).verdict).to.equal(1);
      const shard = await p.market.getShard(jobId, 0);
      expect(shard.units).to.be.greaterThan(0n);
      expect((await p.market.operatorRecord(p.ops[0].address)).settled).to.equal(1n);
    } finally {
      await daemon.shutdown();
    }
  });
});

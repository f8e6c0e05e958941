// PROTOCOL §18.6 and §18.7 on the daemon (in-process chain, no Docker): what the host cannot run is
// declined before any accept, and a shard's results stay with the agent until it is settled.
import { expect } from "chai";
import { resultUriOf } from "./helpers/resultUri";
import os from "node:os";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { AgentChain } from "../../agent/chain/agentChain";
import type { OracleGateway } from "../../agent/oracle/oracleGateway";
import { downloadShardResults } from "../../sdk/agentApi/results";
import { requestNonce } from "../../sdk/auth/requestNonce";
import { signRequest } from "../../sdk/auth/signRequest";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { committeeDouble, hardhatAccount, runUntil, tempDataDir, testDaemon } from "../../fixtures/agentHarness";

async function createJob(p: Protocol, spec: Record<string, unknown>, kind: 0 | 1) {
  const parsed = parseJobSpec(spec);
  await p.market.connect(p.devs[0]).createJob(
    await jobParamsFor(await p.usd.getAddress(), {
      kind,
      shards: 1,
      minVramMiB: 0,
      ...(kind === 1 ? { verificationMode: 1 } : {}),
      specHash: hashJobSpec(parsed).hash,
      specURI: jobSpecDataUri(parsed),
    }),
  );
  return p.market.jobCount();
}

describe("agent: admission and results release on the daemon", function () {
  // Regression (PROTOCOL §18.6): the daemon accepted a 512-CPU container on a 2-CPU host (and a
  // GPU job on a host without one); it could never run them and each ended a slashed no-show.
  it("a spec this host cannot run is declined with its reason and never accepted", async function () {
    const p = await loadFixture(deployProtocol);
    const container = { kind: "container", image: "rigel/busybox:test", memoryMiB: 64, timeoutSec: 60 };
    const cpus = await createJob(p, { ...container, milliCpus: 512_000 }, 1);
    const gpus = await createJob(p, { ...container, gpus: 1 }, 1);
    // No Docker engine is given: the admission answers before the agent would look for one.
    const { daemon, logs } = await testDaemon(p, { port: 8671 });
    await daemon.init();
    try {
      await runUntil(daemon, () => (daemon.offers.counts().declined ?? 0) === 2, 10);
      const reasons = daemon.offers.recentDeclined(5).map((o) => [o.jobId, o.reason]);
      expect(reasons).to.have.deep.members([
        [cpus, `needs 512 CPUs, this host has ${os.availableParallelism()}`],
        [gpus, "needs 1 GPUs, this host has 0"],
      ]);
      expect(logs.filter((l) => l.includes("shard declined") && l.includes("needs 512 CPUs"))).to.have.length(1);
      for (const id of [cpus, gpus]) {
        expect((await p.market.getShard(id, 0)).state).to.equal(BigInt(ShardState.Open));
        expect(daemon.journal.get(id, 0)).to.equal(undefined);
      }
      // Later passes do not take them either.
      for (let i = 0; i < 3; i++) await daemon.tick();
      expect(daemon.journal.unfinished()).to.have.length(0);
    } finally {
      await daemon.shutdown();
    }
  });

  // Regression (PROTOCOL §18.7): the results endpoint served a shard's outputs as soon as it ran,
  // before any verdict or payment, so a developer could take the work and let the shard go unpaid.
  it("results before settlement are refused with 409 AGENT_RESULTS_NOT_RELEASED and the shard's state", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await createJob(p, { kind: "matmul-int8", seed: `0x${"ab".repeat(32)}`, m: 16, n: 16, k: 16 }, 0);
    let attest = false;
    const oracle = (chain: AgentChain): OracleGateway => {
      const double = committeeDouble(chain);
      return {
        attestShard: async (proof) => {
          if (!attest) throw new Error("no quorum yet");
          return double.attestShard(proof);
        },
      };
    };
    const { daemon } = await testDaemon(p, { port: 8672, oracle });
    await daemon.init();
    try {
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "proving");
      const shard = await p.market.getShard(jobId, 0);
      expect(shard.state).to.equal(BigInt(ShardState.Submitted));
      const uri = await resultUriOf(p, jobId, 0);
      const url = new URL(uri);
      const headers = await signRequest(hardhatAccount(2), {
        method: "GET",
        path: url.pathname,
        body: "",
        nonce: requestNonce(),
      });
      const res = await fetch(url, { headers });
      expect(res.status).to.equal(409);
      expect((await res.json()).error).to.deep.include({
        code: "AGENT_RESULTS_NOT_RELEASED",
        details: { jobId: jobId.toString(), shard: 0, state: "Submitted" },
      });
      await downloadShardResults(uri, hardhatAccount(2), tempDataDir("early")).then(
        () => expect.fail("results were released before settlement"),
        (err) => expect(err.message).to.match(/409/),
      );
      // Another signer is still told 403 first: the state is the developer's to see.
      const other = await fetch(url, {
        headers: await signRequest(hardhatAccount(3), {
          method: "GET",
          path: url.pathname,
          body: "",
          nonce: requestNonce(),
        }),
      });
      expect(other.status).to.equal(403);

      attest = true;
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Settled));
      const settled = await p.market.getShard(jobId, 0);
      const got = await downloadShardResults(uri, hardhatAccount(2), tempDataDir("late"), {
        expectedRoot: settled.resultRoot as `0x${string}`,
      });
      expect(got.root).to.equal(settled.resultRoot);
    } finally {
      await daemon.shutdown();
    }
  });

  // Regression (PROTOCOL §18.1): a shard nobody could verify (the oracles' own trouble, or a failed
  // run they did not reproduce) was proved again every pass for ever, its collateral locked until
  // someone else called expire; now the agent expires it itself once the verify window is over.
  it("a shard with no quorum by the end of the verify window is expired by its agent: refund, collateral back, no slash", async function () {
    const p = await loadFixture(deployProtocol);
    const operator = p.ops[0];
    const jobId = await createJob(p, { kind: "matmul-int8", seed: `0x${"cd".repeat(32)}`, m: 16, n: 16, k: 16 }, 0);
    const stakeBefore = await p.staking.operatorInfo(operator.address);
    const devBefore = await p.market.owedOf(await p.usd.getAddress(), p.devs[0].address);
    let asked = 0;
    const unverifiable = (): OracleGateway => ({
      async attestShard() {
        asked++;
        throw new Error("ORACLE_SPEC_UNREADABLE: the oracles cannot read the spec");
      },
    });
    const { daemon } = await testDaemon(p, { port: 8673, oracle: unverifiable });
    await daemon.init();
    try {
      await runUntil(daemon, () => asked > 0);
      expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Submitted));
      await time.increase(Number((await p.market.params()).verifyWindow) + 1);
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "expired");
      const shard = await p.market.getShard(jobId, 0);
      expect(shard.state).to.equal(BigInt(ShardState.Expired));
      const [expired] = await p.market.queryFilter(p.market.filters.ShardExpired(jobId));
      expect([expired.args.noShow, expired.args.slashed]).to.deep.equal([false, 0n]);
      const stakeAfter = await p.staking.operatorInfo(operator.address);
      expect(stakeAfter.selfStake).to.equal(stakeBefore.selfStake);
      expect(stakeAfter.lockedStake).to.equal(stakeBefore.lockedStake);
      const value =
        BigInt((await p.market.getJob(jobId)).maxUnitsPerShard) * (await p.market.getJob(jobId)).maxPricePerUnit;
      // The refund is credited to the developer (pull payments, PROTOCOL §20.1).
      expect((await p.market.owedOf(await p.usd.getAddress(), p.devs[0].address)) - devBefore).to.equal(value);
    } finally {
      await daemon.shutdown();
    }
  });
});

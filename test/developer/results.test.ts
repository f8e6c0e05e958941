import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { shardWorkspace } from "../../agent/shard/shardWorkspace";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { decodeInt32LE } from "../../sdk/pow/decodeInt32LE";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { runUntil, tempDataDir, testDaemon } from "../../fixtures/agentHarness";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { jobCli } from "./helpers/jobCliHarness";

const DEV = 2; // devs[0]
const OTHER = 3; // devs[1]
const SETTLED = 3n;
const M = 48;
const N = 32;
const ROWS_PER_SHARD = 12; // 4 even shards of 48 rows
const AGENT_PORT = 8920;
const DEAD_PORT = 8939; // nothing listens: an unreachable agent

/** A 4-shard matmul job by devs[0]: shards 0 and 1 for anyone, 2 for ops[1], 3 for ops[2]. */
async function createJob(p: Protocol): Promise<bigint> {
  const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"5a".repeat(32)}`, m: M, n: N, k: 40 });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    shards: 4,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
    shardOperators: [ethers.ZeroAddress, ethers.ZeroAddress, p.ops[1].address, p.ops[2].address],
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return p.market.jobCount();
}

/** The root of §3.3 over a c.bin window (int32 LE rows of N columns), computed here, not by the CLI. */
function rootOfCBin(bytes: Buffer): string {
  const rows = bytes.length / (N * 4);
  return commitRows(rowHashes(decodeInt32LE(bytes), rows, N)).root;
}

describe("rigel job results (developer/resultsCommand)", function () {
  it("downloads every submitted shard from the agent, checks it against the on-chain root, and reports the others", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await createJob(p);
    const run = await jobCli(p);
    const { daemon, dataDir } = await testDaemon(p, { port: AGENT_PORT });
    await daemon.init();
    const dirs = [dataDir];
    const tmp = (name: string) => {
      const d = tempDataDir(name);
      dirs.push(d);
      return d;
    };
    const outDir = tmp("results-out");
    try {
      await runUntil(daemon, async () => {
        const states = await Promise.all([0, 1].map(async (s) => (await p.market.getShard(jobId, s)).state));
        return states.every((s) => s === SETTLED);
      });
      // Shard 3: accepted and submitted by ops[2], whose agent does not answer.
      await p.market.connect(p.ops[2]).accept(jobId, 3);
      await p.market
        .connect(p.ops[2])
        .submit(jobId, 3, ethers.id("root-3"), 1, `http://127.0.0.1:${DEAD_PORT}/v1/results/${jobId}/3`);

      const { code, out } = await run(["results", String(jobId), "--out", outDir, "--json", "--timeout", "10"], DEV);
      expect(code, out.errors.join("\n")).to.equal(1);
      const r = JSON.parse(out.results[0]);
      expect(r.ok).to.equal(false);
      expect(r.dir).to.equal(path.join(outDir, `job-${jobId}`));
      expect(r.shards.map((s: { shard: number; ok: boolean }) => [s.shard, s.ok])).to.deep.equal([
        [0, true],
        [1, true],
        [2, false],
        [3, false],
      ]);
      for (const s of [0, 1]) {
        const onChain = await p.market.getShard(jobId, s);
        const got = r.shards[s];
        expect(got.state).to.equal("Settled");
        expect(got.root).to.equal(onChain.resultRoot);
        expect(got.rootOk).to.equal(true);
        const [submitted] = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId, s));
        expect(got.resultURI).to.equal(submitted.args.resultURI);
        expect(got.resultURI).to.match(new RegExp(`^http://127\\.0\\.0\\.1:${AGENT_PORT}/`));
        expect(got.files).to.deep.equal([{ path: "c.bin", size: ROWS_PER_SHARD * N * 4 }]);
        expect(got.bytes).to.equal(ROWS_PER_SHARD * N * 4);
        const file = path.join(outDir, `job-${jobId}`, `shard-${s}`, "c.bin");
        const bytes = fs.readFileSync(file);
        expect(bytes.equals(fs.readFileSync(shardWorkspace(dataDir, jobId, s).cBin))).to.equal(true);
        expect(rootOfCBin(bytes)).to.equal(onChain.resultRoot);
      }
      expect(r.shards[2].state).to.equal("Open");
      expect(r.shards[2].error.code).to.equal("RIGEL_RESULTS_NOT_SUBMITTED");
      expect(r.shards[3].state).to.equal("Submitted");
      expect(r.shards[3].error.code).to.equal("RESULTS_UNREACHABLE");
      expect(r.shards[3].error.message).to.include(`127.0.0.1:${DEAD_PORT}`);
      expect(fs.existsSync(path.join(outDir, `job-${jobId}`, "shard-2"))).to.equal(false);
      expect(fs.existsSync(path.join(outDir, `job-${jobId}`, "shard-3"))).to.equal(false);
      expect(out.errors.join("\n")).to.include("2 shard(s) without checked results");
      // Progress on stderr, per shard.
      expect(out.infos).to.include(`shard 0: downloading 1 file(s), ${ROWS_PER_SHARD * N * 4} bytes`);
      expect(out.infos).to.include(
        `shard 1: 1/1 file(s), ${ROWS_PER_SHARD * N * 4}/${ROWS_PER_SHARD * N * 4} bytes checked`,
      );

      // One shard, as text: exit 0.
      const one = await run(["results", String(jobId), "--shard", "0", "--out", tmp("results-one")], DEV);
      expect(one.code, one.out.errors.join("\n")).to.equal(0);
      expect(one.out.results[0]).to.match(/shard 0: 1 file\(s\), 1536 bytes, root ok \(0x[0-9a-f]{64}\)/);
      expect(one.out.results[0]).to.include("1 of 1 shard(s) downloaded and checked against the on-chain root");

      // A tampered file on the agent: its bytes no longer match the sha256 kept when the shard ran
      // (issue 18: the agent no longer re-hashes per request), and nothing is written.
      const served = shardWorkspace(dataDir, jobId, 1).cBin;
      const original = fs.readFileSync(served);
      const tampered = Buffer.from(original);
      tampered[5] ^= 0x01;
      fs.writeFileSync(served, tampered);
      const tamperDir = tmp("results-tampered");
      const bad = await run(["results", String(jobId), "--shard", "1", "--out", tamperDir, "--json"], DEV);
      expect(bad.code).to.equal(1);
      const badShard = JSON.parse(bad.out.results[0]).shards[0];
      expect(badShard.ok).to.equal(false);
      expect(badShard.error.code).to.equal("RESULTS_FILE_MISMATCH");
      expect(fs.existsSync(path.join(tamperDir, `job-${jobId}`, "shard-1", "c.bin"))).to.equal(false);
      fs.writeFileSync(served, original);

      // Only the developer's key gets results; an unknown shard is a usage error.
      const other = await run(["results", String(jobId), "--out", tmp("results-other")], OTHER);
      expect(other.code).to.equal(2);
      expect(other.out.errors[0]).to.include("only the job's developer");
      const noShard = await run(["results", String(jobId), "--shard", "4"], DEV);
      expect(noShard.code).to.equal(2);
      expect(noShard.out.errors[0]).to.include("has shards 0..3");
    } finally {
      await daemon.shutdown();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

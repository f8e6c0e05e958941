// The package's `downloadResults` (docs/PROTOCOL.md §17.1) against a real agent daemon on the
// in-process chain: a settled shard's files are downloaded and match the on-chain root; an Open
// shard and a submitted shard whose agent does not answer are reported, not thrown.
// Binds 127.0.0.1:8613 (run under `flock /tmp/rigel-port-tests.lock`).
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { mnemonicToAccount } from "viem/accounts";
import { shardWorkspace } from "../../../agent/shard/shardWorkspace";
import { downloadResults } from "../../../sdk/agentApi/downloadResults";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";
import { decodeInt32LE } from "../../../sdk/pow/decodeInt32LE";
import { jobSpecDataUri } from "../../../sdk/spec/jobSpecDataUri";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { runUntil, tempDataDir, testDaemon } from "../../../fixtures/agentHarness";
import { deployProtocol, jobParamsFor } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient } from "../market/helpers/marketClients";

const AGENT_PORT = 8613;
const DEAD_PORT = 8939; // nothing listens: an unreachable agent (test/README.md)
const SETTLED = 3n;
const N = 32;
const ROWS_PER_SHARD = 16; // 3 even shards of 48 rows
const developer = mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: 2 });

describe("downloadResults (sdk/agentApi, the package's job-level download)", function () {
  it("downloads a settled shard checked against its on-chain root and reports the shards without results", async function () {
    const p = await loadFixture(deployProtocol);
    const { market } = await addressesOf(p);
    expect(developer.address).to.equal(p.devs[0].address);
    const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"5b".repeat(32)}`, m: 48, n: N, k: 40 });
    // Shard 0 for anyone (the agent's ops[0] takes it); 1 and 2 reserved for ops[1] and ops[2].
    const params = await jobParamsFor(await p.usd.getAddress(), {
      kind: 0,
      shards: 3,
      specHash: hashJobSpec(spec).hash,
      specURI: jobSpecDataUri(spec),
      shardOperators: [ethers.ZeroAddress, p.ops[1].address, p.ops[2].address],
    });
    await p.market.connect(p.devs[0]).createJob(params);
    const jobId = await p.market.jobCount();
    const { daemon, dataDir } = await testDaemon(p, { port: AGENT_PORT });
    await daemon.init();
    const outDir = tempDataDir("sdk-download");
    try {
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === SETTLED);
      await p.market.connect(p.ops[2]).accept(jobId, 2);
      await p.market
        .connect(p.ops[2])
        .submit(jobId, 2, ethers.id("root-2"), 1, `http://127.0.0.1:${DEAD_PORT}/v1/results/${jobId}/2`);

      const progress: number[] = [];
      const r = await downloadResults(publicClient, {
        market,
        jobId,
        account: developer,
        outDir,
        timeoutMs: 10_000,
        onProgress: (shard, e) => progress.push(shard * 100 + e.filesDone),
      });
      expect(r.ok).to.equal(false);
      expect(r.dir).to.equal(path.join(outDir, `job-${jobId}`));
      const [s0, s1, s2] = r.shards;
      if (!s0.ok) throw new Error(`shard 0: ${s0.error.message}`);
      const onChain = await p.market.getShard(jobId, 0);
      expect(s0.state).to.equal("Settled");
      expect(s0.root).to.equal(onChain.resultRoot);
      const file = path.join(r.dir, "shard-0", "c.bin");
      expect(s0.files).to.deep.equal([file]);
      const bytes = fs.readFileSync(file);
      expect(bytes.length).to.equal(ROWS_PER_SHARD * N * 4);
      expect(bytes.equals(fs.readFileSync(shardWorkspace(dataDir, jobId, 0).cBin))).to.equal(true);
      // The root recomputed here from the downloaded bytes, not by the sdk.
      expect(commitRows(rowHashes(decodeInt32LE(bytes), ROWS_PER_SHARD, N)).root).to.equal(onChain.resultRoot);
      expect(progress).to.deep.equal([0, 1]);
      expect(s1).to.deep.include({ shard: 1, state: "Open", ok: false });
      expect(s1.ok === false && s1.error.code).to.equal("RESULTS_NONE");
      expect(s2).to.deep.include({ shard: 2, state: "Submitted", ok: false });
      expect(s2.ok === false && s2.error.code).to.equal("RESULTS_UNREACHABLE");
      expect(fs.existsSync(path.join(r.dir, "shard-1"))).to.equal(false);
      expect(fs.existsSync(path.join(r.dir, "shard-2"))).to.equal(false);
    } finally {
      await daemon.shutdown();
      for (const d of [dataDir, outDir]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

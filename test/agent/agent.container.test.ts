import { expect } from "chai";
import { resultUriOf } from "./helpers/resultUri";
import type Dockerode from "dockerode";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toBytes, type Hex } from "viem";
import type { AgentChain } from "../../agent/chain/agentChain";
import type { OracleGateway, ShardProof } from "../../agent/oracle/oracleGateway";
import { signShardAttestation } from "../../sdk/eip712/shardAttestation";
import { rigelDomain, Verdict, type ShardAttestation } from "../../sdk/eip712/types";
import { failedRunRoot } from "../../sdk/failedRun/failedRunRoot";
import type { FailedRunJson } from "../../sdk/oracleApi/types";
import { downloadShardResults } from "../../sdk/agentApi/results";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { dockerForTests, TEST_IMAGE } from "../sdk/executor/dockerTestEnv";
import { agentConfig } from "../../agent/config";
import { sandboxSettingsFromConfig } from "../../sdk/executor/sandboxConfig";
import {
  committeeDouble,
  containersIn,
  hardhatAccount,
  runUntil,
  tempDataDir,
  testDaemon as harnessDaemon,
  type TestDaemonOptions,
} from "../../fixtures/agentHarness";

const sha256 = (data: string) => `0x${createHash("sha256").update(data).digest("hex")}`;

async function createContainerJob(p: Protocol, fields: Record<string, unknown>, shards = 1) {
  const spec = parseJobSpec({ kind: "container", image: TEST_IMAGE, memoryMiB: 64, timeoutSec: 60, ...fields });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 1,
    verificationMode: spec.kind === "container" && spec.verification === "sampled" ? 0 : 1,
    shards,
    minVramMiB: 0,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return { jobId: await p.market.jobCount(), params };
}

describe("agent: container jobs on the real Docker engine", function () {
  let docker: Dockerode;
  let inputDir: string;
  const input = "rigel agent input\n";
  /** The data folders of this file's daemons: their containers are this file's to remove. */
  const dataDirs: string[] = [];
  const testDaemon = async (p: Protocol, over: TestDaemonOptions) => {
    const d = await harnessDaemon(p, over);
    dataDirs.push(d.dataDir);
    return d;
  };

  before(async function () {
    docker = await dockerForTests(this);
    inputDir = tempDataDir("inputs");
    fs.writeFileSync(path.join(inputDir, "data.txt"), input);
  });

  afterEach(async function () {
    if (!docker) return;
    for (const job of ["1", "2", "3", "4"]) {
      for (const c of await containersIn(docker, job, dataDirs))
        await docker.getContainer(c.id).remove({ force: true });
    }
  });

  const inputSpec = () => [
    { name: "data.txt", uri: pathToFileURL(path.join(inputDir, "data.txt")).href, sha256: sha256(input) },
  ];

  it("runs a job with read-only inputs, commits the outputs, settles, and serves the files", async function () {
    const p = await loadFixture(deployProtocol);
    const script = [
      "cat /rigel/inputs/data.txt > $RIGEL_OUTPUT/copy.txt",
      "if echo x >> /rigel/inputs/data.txt; then echo writable; else echo read-only; fi > $RIGEL_OUTPUT/inputs.txt",
      "echo done",
    ].join("\n");
    const { jobId, params } = await createContainerJob(p, { command: ["sh", "-c", script], inputs: inputSpec() });
    const opBefore = await p.market.owedOf(await p.usd.getAddress(), p.ops[0].address);
    const { daemon, logs } = await testDaemon(p, { port: 8654, docker, inputFileRoots: [inputDir] });
    await daemon.init();
    try {
      await runUntil(daemon, async () => (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Settled));
      const shard = await p.market.getShard(jobId, 0);
      const pay = shard.units * BigInt(params.maxPricePerUnit);
      // Credited, not sent (pull payments, PROTOCOL §20.1).
      expect((await p.market.owedOf(await p.usd.getAddress(), p.ops[0].address)) - opBefore).to.equal(
        pay - (pay * 250n) / 10_000n,
      );
      expect(daemon.journal.get(jobId, 0)!.state).to.equal("settled");
      expect(logs.some((l) => l.includes('"layer":"container"') && l.includes("done"))).to.equal(true);
      const out = tempDataDir("dl");
      const got = await downloadShardResults(await resultUriOf(p, jobId, 0), hardhatAccount(2), out, {
        expectedRoot: shard.resultRoot as `0x${string}`,
      });
      expect(got.manifest.commitment).to.equal("container-files");
      expect(fs.readFileSync(path.join(out, "output/copy.txt"), "utf8")).to.equal(input);
      expect(fs.readFileSync(path.join(out, "output/inputs.txt"), "utf8")).to.equal("read-only\n");
      expect(await containersIn(docker, jobId, dataDirs)).to.have.length(0);
    } finally {
      await daemon.shutdown();
    }
  });

  it("commits an itemised shard over its own items (local indices) and serves them", async function () {
    const p = await loadFixture(deployProtocol);
    const { jobId } = await createContainerJob(
      p,
      { command: ["sh", "-c", 'echo "item $RIGEL_ITEM" > $RIGEL_OUTPUT/out.txt'], items: ["a", "b", "c", "d", "e"] },
      2,
    );
    const { daemon } = await testDaemon(p, { port: 8655, docker });
    await daemon.init();
    try {
      await runUntil(daemon, async () =>
        (await Promise.all([0, 1].map(async (s) => (await p.market.getShard(jobId, s)).state))).every(
          (s) => s === BigInt(ShardState.Settled),
        ),
      );
      const shard = await p.market.getShard(jobId, 1);
      const out = tempDataDir("dl");
      const got = await downloadShardResults(await resultUriOf(p, jobId, 1), hardhatAccount(2), out, {
        expectedRoot: shard.resultRoot as `0x${string}`,
      });
      expect(got.manifest.commitment).to.equal("container-items");
      expect(got.manifest.items).to.equal(3); // items 2, 3, 4 of [⌊5/2⌋, 5)
      expect(fs.readFileSync(path.join(out, "items/0/out.txt"), "utf8")).to.equal("item c\n");
    } finally {
      await daemon.shutdown();
    }
  });

  // Regression (PROTOCOL §18.2): a container run that failed (the developer's code) was never
  // submitted, so the shard expired as a no-show and the operator was slashed for it. Now it is
  // submitted with root failedRunRoot({ item, status, exitCode }) and the units used, proved with
  // `failure`, and a DeveloperFault quorum settles it (paid for the time used).
  it("failed container runs are submitted and proved, not left to expire: non-zero exit, timeout, OOM kill, a failing item (local index)", async function () {
    const p = await loadFixture(deployProtocol);
    const exit = await createContainerJob(p, { command: ["sh", "-c", "echo boom >&2; exit 3"] });
    const slow = await createContainerJob(p, { command: ["sh", "-c", "sleep 600"], timeoutSec: 2 });
    const hungry = await createContainerJob(p, {
      command: ["sh", "-c", "head -c 268435456 /dev/zero | tail > /dev/null"],
      memoryMiB: 16,
    });
    // Items a..d over 2 shards: shard 1 runs global items 2 and 3; item 3 ("d", local 1) exits 7.
    const itemised = await createContainerJob(
      p,
      {
        command: ["sh", "-c", 'echo "$RIGEL_ITEM" > $RIGEL_OUTPUT/out.txt; [ "$RIGEL_ITEM" != d ] || exit 7'],
        items: ["a", "b", "c", "d"],
      },
      2,
    );
    const ids = [exit.jobId, slow.jobId, hungry.jobId, itemised.jobId];
    // The committee: Valid for a proof with outputs (committeeDouble); a failed run's proof is held
    // (no quorum) until `decide`, then signed DeveloperFault by two of the fixture's oracles.
    const failedProofs: ShardProof[] = [];
    let decide = false;
    const oracle = (chain: AgentChain): OracleGateway => {
      const valid = committeeDouble(chain);
      return {
        async attestShard(proof) {
          if (!proof.failure) return valid.attestShard(proof);
          failedProofs.push(proof);
          if (!decide) throw new Error("no quorum yet");
          const attestation = { ...(await valid.attestShard(proof)).attestation, verdict: Verdict.DeveloperFault };
          const domain = rigelDomain(chain.chainId, chain.contracts.OracleCommittee);
          const signatures = await Promise.all(
            [12, 13].map(async (i) => ({
              signer: hardhatAccount(i).address,
              signature: (await signShardAttestation(hardhatAccount(i), domain, attestation)) as Hex,
            })),
          );
          return { attestation, signatures };
        },
      };
    };
    const { daemon, chain, logs } = await testDaemon(p, { port: 8656, docker, oracle });
    // JobMarket on this branch does not yet take verdict 3: the agent's settle call is recorded here.
    const settled: ShardAttestation[] = [];
    const settle = chain.settle.bind(chain);
    chain.settle = async (attestation, signatures) => {
      if (attestation.verdict !== Verdict.DeveloperFault) return settle(attestation, signatures);
      settled.push(attestation);
      return { hash: `0x${"ee".repeat(32)}`, blockNumber: 0n };
    };
    await daemon.init();
    try {
      const proved = (id: bigint, s: number) => failedProofs.some((f) => f.jobId === id && f.shard === s);
      await runUntil(daemon, () => [0, 1, 2].every((i) => proved(ids[i], 0)) && proved(itemised.jobId, 1), 120);
      // Docker does not always flag a memory kill as OOMKilled (the killed child's parent exits 137,
      // seen under load): either way the run failed and is submitted as what the executor reported.
      const oom = daemon.journal.get(hungry.jobId, 0)!.data.failure!;
      expect(oom.status === "oomKilled" || (oom.status === "failed" && oom.exitCode === 137)).to.equal(true);
      const expected: [bigint, number, FailedRunJson][] = [
        [exit.jobId, 0, { item: null, status: "failed", exitCode: 3 }],
        [
          slow.jobId,
          0,
          { item: null, status: "timedOut", exitCode: daemon.journal.get(slow.jobId, 0)!.data.failure!.exitCode },
        ],
        [hungry.jobId, 0, { item: null, status: oom.status, exitCode: oom.exitCode }],
        [itemised.jobId, 1, { item: 1, status: "failed", exitCode: 7 }],
      ];
      for (const [id, s, failure] of expected) {
        const data = daemon.journal.get(id, s)!.data;
        expect(data.failure).to.deep.equal(failure);
        const onChain = await p.market.getShard(id, s);
        expect(onChain.state).to.equal(BigInt(ShardState.Submitted));
        expect(onChain.resultRoot).to.equal(failedRunRoot(failure));
        // Units: the container seconds its runs used (at least 1), capped at maxUnitsPerShard.
        const ms = data.receipt!.runs.reduce((sum, r) => sum + r.durationMs, 0);
        const used = BigInt(Math.max(1, Math.ceil(ms / 1000)));
        const cap = BigInt(exit.params.maxUnitsPerShard);
        expect(onChain.units).to.equal(used < cap ? used : cap);
        expect(data.units).to.equal(onChain.units);
        const proof = failedProofs.find((f) => f.jobId === id && f.shard === s)!;
        expect(proof).to.include({ kind: "container", root: onChain.resultRoot, units: onChain.units });
        expect(proof.failure).to.deep.equal(failure);
        expect(proof.items).to.equal(undefined);
        expect(proof.receipt).to.equal(undefined);
      }
      // The shard's first item ran before the failure (the other shard of the job settles Valid).
      expect(daemon.journal.get(itemised.jobId, 1)!.data.receipt!.runs.map((r) => r.item)).to.deep.equal([2, 3]);
      expect(logs.filter((l) => l.includes("submitting the failed run")).length).to.equal(4);

      // A DeveloperFault quorum is settled like a Valid one and ends the journal as developerFault.
      decide = true;
      await runUntil(daemon, () => expected.every(([id, s]) => daemon.journal.get(id, s)!.state === "developerFault"));
      await runUntil(
        daemon,
        async () => (await p.market.getShard(itemised.jobId, 0)).state === BigInt(ShardState.Settled),
      );
      expect(settled.map((a) => [a.jobId, a.shard, a.verdict])).to.have.deep.members(
        expected.map(([id, s]) => [id, s, Verdict.DeveloperFault]),
      );
      expect(daemon.journal.history(exit.jobId, 0).map((h) => h.to)).to.deep.equal([
        "accepting",
        "accepted",
        "running",
        "ran",
        "submitting",
        "submitted",
        "proving",
        "attested",
        "settling",
        "developerFault",
      ]);
    } finally {
      await daemon.shutdown();
    }
  });

  it("declines bad inputs with a clear error and leaves the shard open: sha256 mismatch, missing image, invalid spec, a file outside the allowed roots", async function () {
    const p = await loadFixture(deployProtocol);
    const wrongHash = await createContainerJob(p, {
      command: ["true"],
      inputs: [{ ...inputSpec()[0], sha256: sha256("something else") }],
    });
    const noImage = await createContainerJob(p, { image: "rigel/does-not-exist:never", command: ["true"] });
    const badText = JSON.stringify({ kind: "container", image: TEST_IMAGE, memoryMiB: 1 });
    await p.market.connect(p.devs[0]).createJob(
      await jobParamsFor(await p.usd.getAddress(), {
        kind: 1,
        minVramMiB: 0,
        specHash: keccak256(toBytes(badText)),
        specURI: `data:application/json;base64,${Buffer.from(badText).toString("base64")}`,
      }),
    );
    const invalid = await p.market.jobCount();
    // A file the spec may not read: outside the operator's allowed input directories (hash right).
    const elsewhere = path.join(tempDataDir("private"), "secret.txt");
    fs.writeFileSync(elsewhere, "operator's own file\n");
    const outside = await createContainerJob(p, {
      command: ["true"],
      inputs: [{ name: "s.txt", uri: pathToFileURL(elsewhere).href, sha256: sha256("operator's own file\n") }],
    });
    const { daemon, logs } = await testDaemon(p, { port: 8657, docker, inputFileRoots: [inputDir] });
    await daemon.init();
    try {
      await runUntil(daemon, () => (daemon.offers.counts().declined ?? 0) === 4, 10);
      const errors = logs.filter((l) => l.includes('"level":50') && l.includes("shard declined"));
      expect(errors.some((l) => l.includes("EXECUTOR_INPUT_HASH_MISMATCH") || l.includes("sha256"))).to.equal(true);
      expect(errors.some((l) => l.includes("rigel/does-not-exist:never"))).to.equal(true);
      expect(errors.some((l) => l.includes("memoryMiB"))).to.equal(true);
      expect(errors.some((l) => l.includes("outside the directories allowed"))).to.equal(true);
      for (const id of [wrongHash.jobId, noImage.jobId, invalid, outside.jobId]) {
        expect((await p.market.getShard(id, 0)).state).to.equal(BigInt(ShardState.Open));
        expect(daemon.journal.get(id, 0)).to.equal(undefined);
      }
    } finally {
      await daemon.shutdown();
    }
  });

  it("registry allow-list: with no registry listed (the default) a missing image is declined before the accept (SANDBOX_REGISTRY) and never pulled, even with pullImages", async function () {
    // The old rule: pullImages pulled any image a spec named, from any registry.
    const p = await loadFixture(deployProtocol);
    const missing = await createContainerJob(p, { image: "rigel/does-not-exist:never", command: ["true"] });
    const pulls: string[] = [];
    const spy = Object.create(docker) as Dockerode;
    spy.pull = (async (image: string) => {
      pulls.push(image);
      throw new Error("pull called");
    }) as unknown as Dockerode["pull"];
    const sandbox = sandboxSettingsFromConfig(agentConfig.load({ env: {} }));
    expect(sandbox.ceilings.registries).to.deep.equal([]);
    const { daemon, logs } = await testDaemon(p, { port: 8661, docker: spy, pullImages: true, sandbox });
    await daemon.init();
    try {
      await runUntil(daemon, () => (daemon.offers.counts().declined ?? 0) === 1, 10);
      const declined = logs.filter((l) => l.includes("shard declined")).map((l) => JSON.parse(l));
      expect(declined).to.have.length(1);
      expect(declined[0]).to.deep.include({ level: 30, code: "SANDBOX_REGISTRY" });
      expect(declined[0].reason).to.match(/rigel\/does-not-exist:never is not on this host and no registry is allowed/);
      expect(pulls).to.deep.equal([]);
      expect((await p.market.getShard(missing.jobId, 0)).state).to.equal(BigInt(ShardState.Open));
      expect(daemon.journal.get(missing.jobId, 0)).to.equal(undefined);
    } finally {
      await daemon.shutdown();
    }
  });
});

import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { zeroHash } from "viem";
import { downloadShardResults } from "../../sdk/agentApi/results";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { agentChainFor, hardhatAccount, runUntil, tempDataDir, testDaemon } from "../../fixtures/agentHarness";
import { createLogger } from "../../sdk/log/createLogger";
import { claimCommittee, claimGateway, type ClaimOracle, type ClaimOracleMode } from "./helpers/claimOracles";

// PROTOCOL §20.10 on the in-process chain: an assigned matmul shard that ran is claimed at each oracle
// (doubles of the claim API behind the real committee gateway), proved to each from its own beacon,
// and settled straight from Open; refusals, a timeout or a restart take the paths the spec names.

async function assignedJob(p: Protocol) {
  const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"5e".repeat(32)}`, m: 8, n: 8, k: 8 });
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    shards: 1,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
    shardOperators: [p.ops[0].address],
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return p.market.jobCount();
}

const CLAIMED_PATH = ["accepting", "running", "ran", "submitting", "claiming", "attested", "settling", "settled"];
const FALLBACK_PATH = [
  "accepting",
  "running",
  "ran",
  "submitting",
  "claiming",
  "submitting",
  "submitted",
  "proving",
  "attested",
  "settling",
  "settled",
];

const silent = createLogger({ name: "oracles", level: "silent", destination: { write: () => undefined } });

/**
 * A daemon for ops[0] whose committee answers claims as `modes` say (or as the given oracle doubles,
 * kept across a restart), claims on with `claimTimeoutSec` (default 600).
 */
async function claimDaemon(
  p: Protocol,
  port: number,
  over: {
    settleDelaySec?: number;
    modes?: ClaimOracleMode[];
    oracles?: ClaimOracle[];
    claims?: boolean;
    claimTimeoutSec?: number;
    dataDir?: string;
  } = {},
) {
  const chain = await agentChainFor(p, 5);
  const oracles = over.oracles ?? claimCommittee(chain, silent, over.modes).oracles;
  const made = await testDaemon(p, {
    port,
    chain,
    dataDir: over.dataDir,
    settleDelaySec: over.settleDelaySec,
    claims: { enabled: over.claims ?? true, timeoutSec: over.claimTimeoutSec ?? 600 },
    oracle: (c) => claimGateway(c, silent, oracles),
  });
  return { ...made, oracles };
}

const settledOnChain = (p: Protocol, jobId: bigint) => async () =>
  (await p.market.getShard(jobId, 0)).state === BigInt(ShardState.Settled);

describe("agent: claims, an assigned shard settled straight from Open (§20.10)", function () {
  it("claims at every oracle, proves to each from its own beacon, and settles from Open with no acceptAndSubmit", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await assignedJob(p);
    const { daemon, oracles } = await claimDaemon(p, 8701);
    await daemon.init();
    try {
      await runUntil(daemon, settledOnChain(p, jobId));
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "settled", 5);
      expect(daemon.journal.history(jobId, 0).map((h) => h.to)).to.deep.equal(CLAIMED_PATH);
      const entry = daemon.journal.get(jobId, 0)!;
      expect(entry.data.claimed).to.equal(true);
      expect(entry.data.submittedBlock).to.equal(undefined);

      // Each oracle got the claim of the run's root and units, and one proof from its own nonce's beacon.
      const nonces = oracles.map((o) => o.nonces.get(`${jobId}/0`));
      expect(new Set(nonces).size).to.equal(3);
      for (const o of oracles) {
        expect(o.claims).to.have.length(1);
        expect(o.claims[0]).to.include({ resultRoot: entry.data.root, units: entry.data.units!.toString() });
        expect(o.proofs).to.have.length(1);
        expect(o.proofs[0].claim).to.equal(true);
        expect(o.proofs[0].receipt).to.equal(undefined);
      }
      expect(oracles[0].proofs[0].rows).to.not.deep.equal(oracles[1].proofs[0].rows);

      // On-chain: one settle moved it Open → Settled; no root stored, an empty result URI.
      const accepted = await p.market.queryFilter(p.market.filters.ShardAccepted(jobId));
      const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      const settled = await p.market.queryFilter(p.market.filters.ShardSettled(jobId));
      expect(accepted).to.have.length(1);
      expect(submitted).to.have.length(1);
      expect(submitted[0].args.resultURI).to.equal("");
      expect(submitted[0].args.resultRoot).to.equal(entry.data.root);
      expect(new Set([accepted[0], submitted[0], settled[0]].map((e) => e.transactionHash)).size).to.equal(1);
      const tx = await ethers.provider.getTransaction(settled[0].transactionHash);
      expect(p.market.interface.parseTransaction(tx!)!.name).to.equal("settle");
      expect((await p.market.getShard(jobId, 0)).resultRoot).to.equal(zeroHash);

      // The results endpoint serves the shard (the journal's root: the chain stores none).
      const got = await downloadShardResults(
        `${daemon.http.url}/v1/results/${jobId}/0`,
        hardhatAccount(2),
        tempDataDir("dl"),
        {
          expectedRoot: entry.data.root!,
        },
      );
      expect(got.root).to.equal(entry.data.root);
    } finally {
      await daemon.shutdown();
    }
  });

  it("leaves a claimed shard to the committee's relay for settleDelaySec: waits while Open, ends when the chain settles it", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await assignedJob(p);
    const { daemon } = await claimDaemon(p, 8707, { settleDelaySec: 3600 });
    await daemon.init();
    try {
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "attested");
      for (let i = 0; i < 3; i++) {
        await daemon.tick();
        await daemon.idle();
      }
      expect(daemon.journal.get(jobId, 0)!.state).to.equal("attested");
      expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));
      // The relay (here: anyone else with the quorum) settles it from Open.
      const entry = daemon.journal.get(jobId, 0)!;
      if (entry.state !== "attested") throw new Error("not attested");
      await p.market.connect(p.devs[1]).settle(entry.data.attestation, entry.data.signatures);
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "settled");
      expect(daemon.journal.get(jobId, 0)!.data.endedOnChain).to.equal("Settled");
      expect(daemon.journal.history(jobId, 0).map((h) => h.to)).to.not.include("settling");
    } finally {
      await daemon.shutdown();
    }
  });

  for (const [name, modes] of [
    ["every oracle answers 404 (no claims there)", ["404", "404", "404"]],
    [
      "two oracles refuse with 422 ORACLE_NOT_ELIGIBLE / ORACLE_CLAIM_LATE",
      [{ refuse: "ORACLE_NOT_ELIGIBLE" }, "ok", { refuse: "ORACLE_CLAIM_LATE" }],
    ],
  ] as [string, ClaimOracleMode[]][]) {
    it(`falls back to acceptAndSubmit with the same root and units when ${name}`, async function () {
      const p = await loadFixture(deployProtocol);
      const jobId = await assignedJob(p);
      const { daemon, logs } = await claimDaemon(p, 8702, { modes });
      await daemon.init();
      try {
        await runUntil(daemon, settledOnChain(p, jobId));
        await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "settled", 5);
        expect(daemon.journal.history(jobId, 0).map((h) => h.to)).to.deep.equal(FALLBACK_PATH);
        const entry = daemon.journal.get(jobId, 0)!;
        expect(entry.data.claimAbandoned).to.match(/refused the claim/);
        const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
        expect(submitted).to.have.length(1);
        const tx = await ethers.provider.getTransaction(submitted[0].transactionHash);
        expect(p.market.interface.parseTransaction(tx!)!.name).to.equal("acceptAndSubmit");
        expect((await p.market.getShard(jobId, 0)).resultRoot).to.equal(entry.data.root);
        expect(logs.some((l) => l.includes("claim given up"))).to.equal(true);
      } finally {
        await daemon.shutdown();
      }
    });
  }

  it("falls back to acceptAndSubmit when no quorum comes within claimTimeoutSec", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await assignedJob(p);
    const { daemon } = await claimDaemon(p, 8703, {
      modes: ["unreachable", "unreachable", "ok"],
      claimTimeoutSec: 1,
    });
    await daemon.init();
    try {
      await runUntil(daemon, settledOnChain(p, jobId));
      await runUntil(daemon, () => daemon.journal.get(jobId, 0)?.state === "settled", 5);
      expect(daemon.journal.history(jobId, 0).map((h) => h.to)).to.deep.equal(FALLBACK_PATH);
      expect(daemon.journal.get(jobId, 0)!.data.claimAbandoned).to.match(/no quorum within claimTimeoutSec/);
    } finally {
      await daemon.shutdown();
    }
  });

  for (const [name, over] of [
    ["with claims off", { claims: false }],
    // The fixture's deadline is a day away: a claim timeout of a day leaves no time for a claim.
    ["when the deadline is within submitMarginSec + claimTimeoutSec", { claimTimeoutSec: 86_400 }],
  ] as const) {
    it(`never claims ${name}: acceptAndSubmit at once`, async function () {
      const p = await loadFixture(deployProtocol);
      const jobId = await assignedJob(p);
      const { daemon, oracles } = await claimDaemon(p, 8704, over);
      await daemon.init();
      try {
        await runUntil(daemon, settledOnChain(p, jobId));
        expect(daemon.journal.history(jobId, 0).map((h) => h.to)).to.not.include("claiming");
        expect(oracles.every((o) => o.claims.length === 0)).to.equal(true);
        const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
        const tx = await ethers.provider.getTransaction(submitted[0].transactionHash);
        expect(p.market.interface.parseTransaction(tx!)!.name).to.equal("acceptAndSubmit");
      } finally {
        await daemon.shutdown();
      }
    });
  }

  it("a restart in `claiming` resumes the claim: the oracles answer the same nonce, the shard settles once", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await assignedJob(p);
    const dataDir = tempDataDir("claim-restart");
    // First run: one oracle claims and signs, two cannot be reached: no quorum, the shard stays `claiming`.
    const first = await claimDaemon(p, 8705, { modes: ["ok", "unreachable", "unreachable"], dataDir });
    await first.daemon.init();
    try {
      await runUntil(first.daemon, () => first.daemon.journal.get(jobId, 0)?.state === "claiming", 20);
      for (let i = 0; i < 2; i++) {
        await first.daemon.tick();
        await first.daemon.idle();
      }
      expect(first.daemon.journal.get(jobId, 0)!.state).to.equal("claiming");
    } finally {
      await first.daemon.shutdown();
    }
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));
    const nonce = first.oracles[0].nonces.get(`${jobId}/0`);
    expect(first.oracles[0].proofs).to.have.length(1);
    // Second run, same journal, same oracles (now all up), a fresh process: the claim goes on.
    for (const o of first.oracles) o.mode = "ok";
    const second = await claimDaemon(p, 8706, { oracles: first.oracles, dataDir });
    await second.daemon.init();
    try {
      await runUntil(second.daemon, settledOnChain(p, jobId));
      await runUntil(second.daemon, () => second.daemon.journal.get(jobId, 0)?.state === "settled", 5);
      const path = second.daemon.journal.history(jobId, 0).map((h) => h.to);
      expect(path.filter((s) => s === "claiming")).to.have.length(1);
      expect(path).to.not.include("submitted");
      expect(await p.market.queryFilter(p.market.filters.ShardSettled(jobId))).to.have.length(1);
      // Oracle 0 answered the repeated claim with its first nonce, and the new proof was drawn from it.
      expect(first.oracles[0].nonces.get(`${jobId}/0`)).to.equal(nonce);
      expect(first.oracles[0].proofs.map((x) => x.rows)).to.satisfy(
        (rows: unknown[]) => rows.length === 1 || JSON.stringify(rows[0]) === JSON.stringify(rows[1]),
      );
    } finally {
      await second.daemon.shutdown();
    }
  });
});

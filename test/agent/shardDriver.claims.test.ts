import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { Hex } from "viem";
import { Journal, JOURNAL_MIGRATIONS } from "../../agent/journal/journal";
import type { RanFacts } from "../../agent/journal/shardData";
import { ShardDriver } from "../../agent/shard/shardDriver";
import { openDatabase } from "../../sdk/db/openDatabase";
import { failedRunRoot } from "../../sdk/failedRun/failedRunRoot";
import { createLogger } from "../../sdk/log/createLogger";
import { ShardState } from "../../sdk/market/enums";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { agentChainFor, tempDataDir } from "../../fixtures/agentHarness";
import { claimCommittee } from "./helpers/claimOracles";

// PROTOCOL §20.10 at the shard driver, no container engine needed: an assigned container shard whose
// run is already journaled (`submitting`, as after `ran`) is never claimed when its run failed or its
// job is in receipt mode: it goes on-chain with acceptAndSubmit, and the oracles see no claim.

const silent = createLogger({ name: "t", level: "silent", destination: { write: () => undefined } });
const h32 = (b: string) => `0x${b.repeat(32)}` as Hex;

async function containerJob(p: Protocol) {
  const spec = parseJobSpec({
    kind: "container",
    image: "busybox@sha256:" + "ab".repeat(32),
    command: ["true"],
    memoryMiB: 64,
    timeoutSec: 60,
  });
  await p.market.connect(p.devs[0]).createJob(
    await jobParamsFor(await p.usd.getAddress(), {
      kind: 1,
      verificationMode: 1,
      minVramMiB: 0,
      specHash: hashJobSpec(spec).hash,
      specURI: jobSpecDataUri(spec),
      shardOperators: [p.ops[0].address],
    }),
  );
  return { jobId: await p.market.jobCount(), spec };
}

async function driveJournaled(p: Protocol, facts: (spec: ReturnType<typeof parseJobSpec>) => RanFacts) {
  const { jobId, spec } = await containerJob(p);
  const chain = await agentChainFor(p, 5);
  const journal = new Journal(
    openDatabase({ file: `${tempDataDir("driver")}/journal.db`, migrations: JOURNAL_MIGRATIONS }),
  );
  const { gateway, oracles } = claimCommittee(chain, silent);
  const driver = new ShardDriver({
    chain,
    journal,
    oracle: gateway,
    logger: silent,
    dataDir: tempDataDir("driver-data"),
    publicUrl: "http://127.0.0.1:1",
    submitMarginSec: 5,
    submitter: { submit: async () => expect.fail("an Open shard is never batched") },
    matmulDevice: "cpu",
    claims: { enabled: true, timeoutSec: 60 },
  });
  journal.transition(jobId, 0, "accepting", {
    specURI: jobSpecDataUri(spec),
    specHash: hashJobSpec(spec).hash,
    kind: "container",
    computeFirst: true,
  });
  journal.transition(jobId, 0, "running", { runStartedAt: Date.now() });
  journal.transition(jobId, 0, "ran", facts(spec));
  const outcome = await driver.drive(jobId, 0);
  return { jobId, journal, oracles, outcome };
}

const run = (exitCode: number) => ({
  item: null,
  exitCode,
  startedAt: "2026-01-01T00:00:00Z",
  finishedAt: "2026-01-01T00:00:02Z",
  durationMs: 2000,
});

describe("agent/shard/shardDriver: what is never claimed (§20.10)", function () {
  for (const [name, facts] of [
    [
      "a receipt-mode container run",
      (): RanFacts => ({
        kind: "container",
        root: h32("12"),
        units: 2n,
        itemStart: null,
        itemEnd: null,
        itemHashList: [h32("01"), h32("02")],
        receipt: { imageId: "sha256:" + "cd".repeat(32), runs: [run(0)], root: h32("12") },
      }),
    ],
    [
      "a failed run",
      (): RanFacts => {
        const failure = { item: null, status: "failed", exitCode: 3 } as const;
        return {
          kind: "container",
          root: failedRunRoot(failure),
          units: 2n,
          itemStart: null,
          itemEnd: null,
          itemHashList: [],
          receipt: { imageId: "sha256:" + "cd".repeat(32), runs: [run(3)], root: failedRunRoot(failure) },
          failure,
        };
      },
    ],
  ] as const) {
    it(`${name}: acceptAndSubmit, no claim at any oracle`, async function () {
      const p = await loadFixture(deployProtocol);
      const { jobId, journal, oracles, outcome } = await driveJournaled(p, facts);
      expect(journal.history(jobId, 0).map((h) => h.to)).to.not.include("claiming");
      expect(oracles.every((o) => o.claims.length === 0 && o.proofs.length === 0)).to.equal(true);
      const submitted = await p.market.queryFilter(p.market.filters.ShardSubmitted(jobId));
      expect(submitted).to.have.length(1);
      const tx = await ethers.provider.getTransaction(submitted[0].transactionHash);
      expect(p.market.interface.parseTransaction(tx!)!.name).to.equal("acceptAndSubmit");
      expect(outcome.state).to.be.oneOf(["settled", "developerFault"]);
      expect((await p.market.getShard(jobId, 0)).state).to.be.oneOf([
        BigInt(ShardState.Settled),
        BigInt(ShardState.DeveloperFault),
      ]);
    });
  }
});

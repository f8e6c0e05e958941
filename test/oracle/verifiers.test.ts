// Verifier unit tests: honest and cheating provers.
import { expect } from "chai";
import { keccak256, toHex, type Hex } from "viem";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { revealRows } from "../../sdk/pow/reveal";
import { revealSample } from "../../sdk/pow/revealSample";
import { proveMatmulWindow } from "../../sdk/pow/rowWindow";
import { SAMPLE_SIZE, sampleIndices } from "../../sdk/pow/sample";
import type { MatmulInt8Spec } from "../../sdk/spec/jobSpecTypes";
import { matmulShardRows, matmulUnits } from "../../sdk/spec/shardWork";
import { checkReceipt } from "../../oracle/verify/checkReceipt";
import { verifyMatmulShard } from "../../oracle/verify/verifyMatmulShard";
import { verifyContainerItems } from "../../oracle/verify/verifyContainerItems";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { HttpError } from "../../sdk/errors/HttpError";
import { revealItemSample } from "../../sdk/itemSample/revealItemSample";
import { fakeExecutor } from "../../fixtures/faultScenario";

const spec: MatmulInt8Spec = {
  kind: "matmul-int8",
  version: 1,
  seed: `0x${"5a".repeat(32)}`,
  m: 96,
  n: 48,
  k: 40,
  rowStart: 0,
  rowEnd: 96,
};
const SHARDS = 3;
const SHARD = 1;
const beaconFor = (root: Hex) => keccak256(toHex(`beacon-${root}`));

/** Runs `check` and expects HTTP 400 ORACLE_SAMPLE_MISMATCH (no finding, nothing to sign). */
async function expectSampleMismatch(check: () => unknown): Promise<void> {
  let err: unknown;
  try {
    await check();
  } catch (e) {
    err = e;
  }
  expect(err, "expected a thrown HttpError").to.be.instanceOf(HttpError);
  expect((err as HttpError).status).to.equal(400);
  expect((err as HttpError).code).to.equal("ORACLE_SAMPLE_MISMATCH");
}

async function prove(corrupt?: (c: Int32Array) => void) {
  const range = matmulShardRows(spec, SHARDS, SHARD);
  const rows = range.end - range.start;
  const proof = await proveMatmulWindow(spec, { rowStart: range.start, rowEnd: range.end }, { threads: 1 });
  const c = proof.c.slice();
  corrupt?.(c);
  const commitment = corrupt ? commitRows(rowHashes(c, rows, spec.n)) : proof.commitment;
  const beacon = beaconFor(commitment.root);
  const revealed = revealSample({ c, m: rows, n: spec.n, commitment, beacon });
  return { c, rows, commitment, root: commitment.root, beacon, revealed };
}

describe("oracle verifiers", function () {
  describe("verifyMatmulShard", function () {
    it("accepts an honest shard, worth matmulUnits of its rows", async function () {
      const honest = await prove();
      const base = { spec, shards: SHARDS, shard: SHARD, root: honest.root, beacon: honest.beacon };
      const sampled = await verifyMatmulShard({ ...base, rows: honest.revealed });
      expect(sampled).to.deep.equal({
        verdict: "valid",
        reason: "verified",
        verified: true,
        workUnits: matmulUnits(honest.rows, spec.n, spec.k),
      });
    });

    it("samples the protocol's s rows, whatever s a prover chose (an oracle setting once broke honest proofs)", async function () {
      const honest = await prove();
      expect(honest.revealed).to.have.length(Math.min(SAMPLE_SIZE, honest.rows));
      const base = { spec, shards: SHARDS, shard: SHARD, root: honest.root, beacon: honest.beacon };
      const fewer = revealSample({
        c: honest.c,
        m: honest.rows,
        n: spec.n,
        commitment: honest.commitment,
        beacon: honest.beacon,
        s: 8,
      });
      await expectSampleMismatch(() => verifyMatmulShard({ ...base, rows: fewer }));
    });

    it("refuses a prover that skipped every other row (sampled rows)", async function () {
      const lazy = await prove((c) => {
        for (let i = 0; i < c.length / spec.n; i += 2) c.fill(0, i * spec.n, (i + 1) * spec.n);
      });
      const finding = await verifyMatmulShard({
        spec,
        shards: SHARDS,
        shard: SHARD,
        root: lazy.root,
        beacon: lazy.beacon,
        rows: lazy.revealed,
      });
      expect(finding).to.deep.equal({ verdict: "invalid", reason: "POW_WRONG_ROW", verified: true });
    });

    it("answers rows at indices that are not the beacon's sample with 400 ORACLE_SAMPLE_MISMATCH (nothing proven), a forged proof with Invalid", async function () {
      const honest = await prove();
      const other = revealRows(
        honest.c,
        spec.n,
        commitRows(rowHashes(honest.c, honest.rows, spec.n)),
        [0, 1, 2, 3, 4, 5, 6, 7],
      );
      const base = { spec, shards: SHARDS, shard: SHARD, root: honest.root, beacon: honest.beacon };
      await expectSampleMismatch(() => verifyMatmulShard({ ...base, rows: other }));
      const forged = honest.revealed.map((r, i) => (i === 0 ? { ...r, proof: [...r.proof].reverse() } : r));
      expect((await verifyMatmulShard({ ...base, rows: forged })).reason).to.equal("POW_BAD_PROOF");
      await expectSampleMismatch(() => verifyMatmulShard({ ...base, rows: honest.revealed.slice(1) }));
      // Another block hash, another beacon: honest rows for a beacon the oracle did not draw.
      const stale = revealSample({
        c: honest.c,
        m: honest.rows,
        n: spec.n,
        commitment: honest.commitment,
        beacon: keccak256(toHex("another block hash")),
      });
      await expectSampleMismatch(() => verifyMatmulShard({ ...base, rows: stale }));
    });
  });

  describe("checkReceipt (receipt mode: attested, not verified)", function () {
    const root = `0x${"ab".repeat(32)}` as Hex;
    const receipt = {
      imageDigest: `sha256:${"0".repeat(64)}`,
      exitCode: 0,
      startedAt: 1_000,
      finishedAt: 1_100,
      gpuSamples: [90, 95],
      outputsRoot: root,
    };
    it("accepts a consistent receipt, labelled not verified", function () {
      expect(checkReceipt(receipt, root, 1_200n)).to.deep.equal({
        verdict: "valid",
        reason: "receipt-consistent",
        verified: false,
      });
    });
    it("refuses another root, a failed exit, times out of order or after the submission", function () {
      expect(checkReceipt({ ...receipt, outputsRoot: `0x${"cd".repeat(32)}` }, root, 1_200n).reason).to.equal(
        "RECEIPT_ROOT_MISMATCH",
      );
      expect(checkReceipt({ ...receipt, exitCode: 1 }, root, 1_200n).reason).to.equal("RECEIPT_NONZERO_EXIT");
      expect(checkReceipt({ ...receipt, finishedAt: 900 }, root, 1_200n).reason).to.equal("RECEIPT_TIME_ORDER");
      expect(checkReceipt(receipt, root, 1_050n).reason).to.equal("RECEIPT_FINISHED_AFTER_SUBMISSION");
    });
  });
});

describe("oracle verifiers: container items (sampled mode), with a fake executor", function () {
  const spec = {
    kind: "container" as const,
    version: 1,
    image: "rigel/busybox:test",
    command: [],
    env: {},
    gpus: 0,
    memoryMiB: 64,
    milliCpus: 100,
    pidsLimit: 64,
    network: "none" as const,
    inputs: [],
    outputPath: "/rigel/output",
    timeoutSec: 10,
    items: Array.from({ length: 40 }, (_, i) => i),
    verification: "sampled" as const,
  };
  const SHARDS = 2;
  const SHARD = 1; // items [20, 40)
  const hashOf = (global: number) => keccak256(toHex(`item-${global}`));
  const tree = StandardMerkleTree.of(
    Array.from({ length: 20 }, (_, i) => [i, hashOf(20 + i)]),
    ["uint256", "bytes32"],
  );
  const root = tree.root as Hex;
  const beacon = keccak256(toHex("container-beacon"));
  const drawn = sampleIndices(beacon, 20);
  const honestItems = revealItemSample({ itemHashes: Array.from({ length: 20 }, (_, i) => hashOf(20 + i)), beacon });
  const fakeRun = (lie = false) =>
    (async (_docker: unknown, params: { onlyItems?: readonly number[] }) => ({
      status: "succeeded" as const,
      runs: [],
      itemHashes: new Map(params.onlyItems!.map((g) => [g, lie ? hashOf(g + 1000) : hashOf(g)])),
      commitment: null,
    })) as never;
  const base = {
    spec,
    jobId: 3n,
    shards: SHARDS,
    shard: SHARD,
    root,
    beacon,
    docker: {} as never,
    workDir: "/tmp",
    cacheDir: "/tmp",
  };

  it("accepts items whose re-run hashes match, re-running exactly the sampled global items", async function () {
    let ran: readonly number[] = [];
    const run = (async (d: unknown, params: { onlyItems?: readonly number[] }) => {
      ran = params.onlyItems!;
      return (fakeRun() as (d: unknown, p: unknown) => Promise<unknown>)(d, params);
    }) as never;
    expect((await verifyContainerItems({ ...base, items: honestItems, run })).verdict).to.equal("valid");
    expect(ran).to.deep.equal(drawn.map((i) => 20 + i));
  });

  it("finds Invalid for other outputs and a leaf outside the tree; rejects a wrong sample with 400", async function () {
    expect((await verifyContainerItems({ ...base, items: honestItems, run: fakeRun(true) })).reason).to.match(
      /^ITEM_OUTPUT_MISMATCH: item \d+ re-ran to 0x[0-9a-f]{64}, not 0x[0-9a-f]{64}$/,
    );
    const wrongSample = await verifyContainerItems({ ...base, items: honestItems.slice(1), run: fakeRun() }).then(
      () => undefined,
      (err: unknown) => err as HttpError,
    );
    expect(wrongSample?.status).to.equal(400);
    expect(wrongSample?.code).to.equal("ORACLE_SAMPLE_MISMATCH");
    const forged = honestItems.map((it, i) => (i === 0 ? { ...it, outputHash: hashOf(999) } : it));
    expect((await verifyContainerItems({ ...base, items: forged, run: fakeRun() })).reason).to.equal(
      `ITEM_BAD_PROOF: item ${drawn[0]} is not in the submitted root`,
    );
  });
  it("re-runs a mismatching or failing item once more: agreeing runs are Invalid, differing runs DeveloperFault", async function () {
    const item = drawn[0];
    const global = 20 + item;
    const cases: [Parameters<typeof fakeExecutor>[0], string, RegExp][] = [
      // Reproducibly another hash: the operator's is wrong.
      [(g) => (g === global ? hashOf(g + 1000) : hashOf(g!)), "invalid", /^ITEM_OUTPUT_MISMATCH: item \d+ re-ran to /],
      // Reproducibly failing an item the operator posted as succeeded.
      [
        (g) => (g === global ? { status: "failed", exitCode: 3 } : hashOf(g!)),
        "invalid",
        /^ITEM_RUN_FAILED: item \d+ exited with code 3$/,
      ],
      // The clock: another hash each run.
      [
        (g, n) => (g === global ? keccak256(toHex(`t${n}`)) : hashOf(g!)),
        "developerFault",
        /^ITEM_NOT_REPRODUCIBLE: item \d+ re-ran to 0x[0-9a-f]{64} on one re-run, re-ran to 0x[0-9a-f]{64} on the other$/,
      ],
      // Fails once, then succeeds.
      [
        (g, n) => (g === global && n === 1 ? { status: "oomKilled", exitCode: 137 } : hashOf(g!)),
        "developerFault",
        /^ITEM_NOT_REPRODUCIBLE: item \d+ was killed for memory on one re-run, re-ran to 0x[0-9a-f]{64} on the other$/,
      ],
    ];
    for (const [outcome, verdict, reason] of cases) {
      const executor = fakeExecutor(outcome);
      const finding = await verifyContainerItems({ ...base, items: honestItems, run: executor.run });
      expect(finding.verdict, reason.source).to.equal(verdict);
      expect(finding.reason).to.match(reason);
      expect(finding.reason).to.include(`item ${item} `);
      expect(executor.runs.get(global)).to.equal(2);
    }
    // All equal: one run per item, Valid.
    const honest = fakeExecutor((g) => hashOf(g!));
    expect((await verifyContainerItems({ ...base, items: honestItems, run: honest.run })).verdict).to.equal("valid");
    expect(honest.runs.get(global)).to.equal(1);
  });
});

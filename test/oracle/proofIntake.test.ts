// Proof intake and the missing-reveal sweep (PROTOCOL §18.3, §18.4): one regression test per attack
// that once turned the oracle's own trouble, or an outsider's requests, into an honest operator's
// MISSING_REVEAL; and the cheater who never proves is still signed Invalid.
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keccak256, toHex, type Hex } from "viem";
import type { OracleNode } from "../../oracle/oracleNode";
import { ProofArrivalStore } from "../../oracle/store/proofArrivalStore";
import { SubmissionStore } from "../../oracle/store/submissionStore";
import { OracleClient } from "../../sdk/oracleApi/client";
import { encodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { revealSample } from "../../sdk/pow/revealSample";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { matmulShardRows } from "../../sdk/spec/shardWork";
import { deployProtocol, jobParamsFor } from "../../fixtures/protocolFixture";
import {
  accountOf,
  computeAndSubmit,
  createMatmulJob,
  matmulSpec,
  startOracle,
  tempDir,
} from "../../fixtures/oracleHarness";
import {
  breakableClient,
  containerRequest,
  containerSpecOf,
  createContainerJob,
  heldVerifier,
  refusal,
  submitShard,
} from "../../fixtures/faultScenario";

/** Waits (on the event loop, no clock) until `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("oracle proof intake (PROTOCOL §18.3): no MISSING_REVEAL without the operator's fault", function () {
  let nodes: OracleNode[] = [];
  const track = (node: OracleNode) => {
    nodes.push(node);
    return node;
  };
  afterEach(async () => {
    for (const node of nodes) await node.shutdown();
    nodes = [];
  });

  it("fresh-key burst (regression): outsiders signing with throw-away keys get 403 before joining; the operator's own proof is signed", async function () {
    const p = await loadFixture(deployProtocol);
    // A strict per-signer rate limit: it never protected the operator (each outsider key is new).
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-burst"), { ratePerMinute: 30 }));
    await node.tick();
    const spec = matmulSpec("a1");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[0];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    await node.tick();
    let stop = false;
    const refused = new Map<string, number>();
    const outsider = async () => {
      while (!stop) {
        const key = privateKeyToAccount(generatePrivateKey());
        const err = await refusal(
          new OracleClient({ baseUrl: node.url, account: key }).submitProof({ ...sub.request, operator: key.address }),
        );
        refused.set(`${err.status} ${err.code}`, (refused.get(`${err.status} ${err.code}`) ?? 0) + 1);
      }
    };
    const burst = Array.from({ length: 6 }, outsider);
    await until(() => [...refused.values()].reduce((a, b) => a + b, 0) >= 12);
    const answer = await new OracleClient({ baseUrl: node.url, account: accountOf(op) }).submitProof(sub.request);
    stop = true;
    await Promise.all(burst);
    expect(answer.status).to.equal("signed");
    if (answer.status !== "signed") return;
    expect(answer.attestation.verdict).to.equal(1);
    expect(answer.reason).to.equal("verified");
    expect([...refused.keys()]).to.deep.equal(["403 ORACLE_WRONG_OPERATOR"]);
  });

  it("spec unreadable (regression): the in-time proof is recorded; no MISSING_REVEAL after the deadline", async function () {
    const p = await loadFixture(deployProtocol);
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-spec")));
    await node.tick();
    const spec = matmulSpec("a2");
    await p.market.connect(p.devs[0]).createJob(
      await jobParamsFor(await p.usd.getAddress(), {
        specHash: hashJobSpec(spec).hash,
        specURI: "http://127.0.0.1:9/nowhere/spec.json",
      }),
    );
    const jobId = await p.market.jobCount();
    const op = p.ops[1];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op) });
    const err = await refusal(client.submitProof(sub.request));
    expect([err.status, err.code]).to.deep.equal([422, "ORACLE_SPEC_UNREADABLE"]);
    await time.increase(601);
    await node.tick();
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);
  });

  it("RPC failure mid-verification (regression): no MISSING_REVEAL after the deadline; the retry after it is verified, not LATE", async function () {
    const p = await loadFixture(deployProtocol);
    let outage = false;
    // The outage hits the block-hash read of the beacon (a block by number), after the arrival.
    const publicClient = breakableClient({
      broken: (method, params) => outage && method === "eth_getBlockByNumber" && (params as unknown[])[0] !== "latest",
    });
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-rpc"), { publicClient }));
    await node.tick();
    const spec = matmulSpec("a3");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[2];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    await node.tick();
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op) });
    outage = true;
    const err = await refusal(client.submitProof(sub.request));
    expect([err.status, err.code]).to.deep.equal([503, "ORACLE_CHAIN_UNAVAILABLE"]);
    outage = false;
    await time.increase(601);
    await node.tick();
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);
    const answer = await client.submitProof(sub.request);
    expect(answer.status === "signed" && [answer.attestation.verdict, answer.reason]).to.deep.equal([1, "verified"]);
  });

  it("a proof waiting in the re-run queue across the deadline (regression): no MISSING_REVEAL; its Valid is signed", async function () {
    const p = await loadFixture(deployProtocol);
    const held = heldVerifier();
    const node = track(
      await startOracle(p, p.oracles[0], tempDir("intake-queue"), { containerVerifier: held.verifier }),
    );
    await node.tick();
    const jobId = await createContainerJob(p, containerSpecOf(2));
    const op = p.ops[1];
    const root = keccak256(toHex(`root-${jobId}`));
    await submitShard(p, op, jobId, root, 5n);
    const request = containerRequest(jobId, op, root, 5n, {
      items: [{ index: 0, outputHash: keccak256(toHex("out")), proof: [] }],
    });
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op), timeoutMs: 120_000 });
    const posted = client.submitProof(request);
    await until(() => held.waiting === 1);
    await time.increase(601);
    await node.tick();
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);
    held.release();
    const answer = await posted;
    expect(answer.status === "signed" && [answer.attestation.verdict, answer.reason]).to.deep.equal([1, "verified"]);
  });

  it("restart mid-verification (regression): a new node on the same database keeps the arrival and signs no MISSING_REVEAL", async function () {
    const p = await loadFixture(deployProtocol);
    const dir = tempDir("intake-restart");
    const held = heldVerifier();
    const first = track(await startOracle(p, p.oracles[0], dir, { containerVerifier: held.verifier }));
    await first.tick();
    const jobId = await createContainerJob(p, containerSpecOf(2));
    const op = p.ops[3];
    const root = keccak256(toHex(`root-${jobId}`));
    await submitShard(p, op, jobId, root, 5n);
    const request = containerRequest(jobId, op, root, 5n, {
      items: [{ index: 0, outputHash: keccak256(toHex("out")), proof: [] }],
    });
    const posted = new OracleClient({ baseUrl: first.url, account: accountOf(op), timeoutMs: 120_000 })
      .submitProof(request)
      .catch(() => undefined);
    await until(() => held.waiting === 1);
    const submittedAt = (await p.market.getShard(jobId, 0)).submittedAt;
    // The process dies mid-verification; a new one opens the same database.
    const second = track(await startOracle(p, p.oracles[0], dir, { containerVerifier: heldVerifier().verifier }));
    const arrival = new ProofArrivalStore(second.db!).get(jobId, 0);
    expect(arrival?.chainTime).to.be.a("bigint");
    expect(arrival!.chainTime! <= submittedAt + 600n).to.equal(true);
    await second.tick();
    await time.increase(601);
    await second.tick();
    expect(await new OracleClient({ baseUrl: second.url }).getAttestation(jobId, 0)).to.equal(undefined);
    held.release({ verdict: "valid", reason: "verified", verified: true });
    await posted;
  });

  it("availability: a node that started after the submission never signs MISSING_REVEAL for it; one that was up does", async function () {
    const p = await loadFixture(deployProtocol);
    const up = track(await startOracle(p, p.oracles[0], tempDir("intake-up")));
    await up.tick();
    const spec = matmulSpec("a4");
    const jobId = await createMatmulJob(p, spec, 1);
    await computeAndSubmit(p, p.ops[0], spec, jobId, 0, 1);
    await time.increase(5);
    const late = track(await startOracle(p, p.oracles[1], tempDir("intake-late")));
    await late.tick();
    await time.increase(601);
    await late.tick();
    await up.tick();
    expect(late.availableSince! > (await p.market.getShard(jobId, 0)).submittedAt).to.equal(true);
    expect(await new OracleClient({ baseUrl: late.url }).getAttestation(jobId, 0)).to.equal(undefined);
    expect((await new OracleClient({ baseUrl: up.url }).getAttestation(jobId, 0))?.reason).to.equal("MISSING_REVEAL");
  });

  it("availability: a failed pass (the chain unreadable) since the submission means no MISSING_REVEAL", async function () {
    const p = await loadFixture(deployProtocol);
    let outage = false;
    const node = track(
      await startOracle(p, p.oracles[0], tempDir("intake-outage"), {
        publicClient: breakableClient({ broken: () => outage }),
      }),
    );
    await node.tick();
    const spec = matmulSpec("a5");
    const jobId = await createMatmulJob(p, spec, 1);
    await computeAndSubmit(p, p.ops[0], spec, jobId, 0, 1);
    await node.tick();
    expect(node.availableSince).to.be.a("bigint");
    outage = true;
    await node.tick();
    expect(node.availableSince).to.equal(undefined);
    outage = false;
    await time.increase(601);
    await node.tick();
    await node.tick();
    expect(await new OracleClient({ baseUrl: node.url }).getAttestation(jobId, 0)).to.equal(undefined);
  });

  it("60 stuck submissions do not hide the 61st from the sweep (regression: only the 50 oldest were looked at)", async function () {
    const p = await loadFixture(deployProtocol);
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-page")));
    await node.tick();
    // Sixty older open submissions the sweep can never close (their shards read as Open on-chain).
    const store = new SubmissionStore(node.db!);
    for (let i = 0; i < 60; i++) {
      store.submitted({
        jobId: 1_000_000n + BigInt(i),
        shard: 0,
        operator: p.ops[0].address as Hex,
        root: keccak256(toHex(i)),
        units: 1n,
        block: 1n,
      });
    }
    const spec = matmulSpec("a6");
    const jobId = await createMatmulJob(p, spec, 1);
    await computeAndSubmit(p, p.ops[1], spec, jobId, 0, 1);
    await time.increase(601);
    const client = new OracleClient({ baseUrl: node.url });
    for (let pass = 0; pass < 3 && (await client.getAttestation(jobId, 0)) === undefined; pass++) await node.tick();
    expect((await client.getAttestation(jobId, 0))?.reason).to.equal("MISSING_REVEAL");
  });

  it("matmul rows at indices that are not the beacon's sample: 400 ORACLE_SAMPLE_MISMATCH, nothing signed; the right sample is Valid", async function () {
    const p = await loadFixture(deployProtocol);
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-sample")));
    await node.tick();
    const spec = matmulSpec("a7");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[0];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    const rows = matmulShardRows(spec, 1, 0);
    const m = rows.end - rows.start;
    const commitment = commitRows(rowHashes(sub.c, m, spec.n));
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op) });
    for (const [beacon, s] of [
      [keccak256(toHex("another block hash")), 32],
      [keccak256(toHex("another block hash")), 8],
    ] as const) {
      const wrong = revealSample({ c: sub.c, m, n: spec.n, commitment, beacon, s }).map(encodeRevealedRow);
      const err = await refusal(client.submitProof({ ...sub.request, rows: wrong }));
      expect([err.status, err.code]).to.deep.equal([400, "ORACLE_SAMPLE_MISMATCH"]);
    }
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);
    const answer = await client.submitProof(sub.request);
    expect(answer.status === "signed" && answer.attestation.verdict).to.equal(1);
  });

  it("a cheater is still caught: wrong-sample rows are not an arrival, so without a valid proof the sweep signs MISSING_REVEAL", async function () {
    const p = await loadFixture(deployProtocol);
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-cheat")));
    await node.tick();
    const spec = matmulSpec("a8");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[1];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op) });
    const err = await refusal(client.submitProof({ ...sub.request, rows: sub.request.rows!.slice(1) }));
    expect(err.code).to.equal("ORACLE_SAMPLE_MISMATCH");
    expect(new ProofArrivalStore(node.db!).get(jobId, 0)).to.equal(undefined);
    await time.increase(601);
    await node.tick();
    const decided = await client.getAttestation(jobId, 0);
    expect([decided?.attestation.verdict, decided?.reason]).to.deep.equal([2, "MISSING_REVEAL"]);
  });

  it("a proof first posted after the deadline (node up all along) is signed LATE_REVEAL", async function () {
    const p = await loadFixture(deployProtocol);
    const node = track(await startOracle(p, p.oracles[0], tempDir("intake-late-reveal")));
    await node.tick();
    const spec = matmulSpec("a9");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[2];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    await node.tick();
    await time.increase(601);
    const answer = await new OracleClient({ baseUrl: node.url, account: accountOf(op) }).submitProof(sub.request);
    expect(answer.status === "signed" && [answer.attestation.verdict, answer.reason]).to.deep.equal([2, "LATE_REVEAL"]);
  });
});

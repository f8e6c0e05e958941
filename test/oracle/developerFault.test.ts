// The developer-fault path at the oracle (PROTOCOL §18.2): non-reproducible sampled items and
// failed-run claims, through a real node, its real re-run queue and a fake executor. The attestation
// is checked as signed (verdict 3 is settled on-chain by the contracts' branch, not here).
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex } from "viem";
import type { OracleNode } from "../../oracle/oracleNode";
import { dockerItemVerifier } from "../../oracle/verify/dockerItemVerifier";
import { verifyContainerItems } from "../../oracle/verify/verifyContainerItems";
import { verifyFailedRun } from "../../oracle/verify/verifyFailedRun";
import { failedRunRoot } from "../../sdk/failedRun/failedRunRoot";
import { OracleClient } from "../../sdk/oracleApi/client";
import type { FailedRunJson } from "../../sdk/oracleApi/types";
import { Verdict } from "../../sdk/eip712/types";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { accountOf, startOracle, tempDir } from "../../fixtures/oracleHarness";
import {
  containerRequest,
  containerSpecOf,
  createContainerJob,
  fakeExecutor,
  itemsProof,
  refusal,
  submitShard,
} from "../../fixtures/faultScenario";

const honestHash = (item: number | null) => keccak256(toHex(`output-${item}`));

/** A node whose container verifier is the real one (queue, verifiers) over a fake executor. */
async function nodeWith(p: Protocol, executor: ReturnType<typeof fakeExecutor>, name: string): Promise<OracleNode> {
  const node = await startOracle(p, p.oracles[0], tempDir(name), {
    containerVerifier: dockerItemVerifier({
      docker: {} as never,
      workDir: tempDir(`${name}-work`),
      verifyItems: (q) => verifyContainerItems({ ...q, run: executor.run }),
      verifyFailure: (q) => verifyFailedRun({ ...q, run: executor.run }),
    }),
  });
  await node.tick();
  return node;
}

describe("oracle developer-fault path (PROTOCOL §18.2)", function () {
  let node: OracleNode | undefined;
  afterEach(async () => {
    await node?.shutdown();
    node = undefined;
  });

  /** A failed-run claim on shard 0 of a fresh job, submitted with root failedRunRoot(failure). */
  async function claim(
    p: Protocol,
    failure: FailedRunJson,
    opts: { items?: number; mode?: number; units?: bigint } = {},
  ) {
    const jobId = await createContainerJob(p, containerSpecOf(opts.items ?? 4), opts.mode ?? 0);
    const op = p.ops[1];
    const root = failedRunRoot(failure);
    const units = opts.units ?? 3n;
    await submitShard(p, op, jobId, root, units);
    const request = containerRequest(jobId, op, root, units, { failure });
    const client = new OracleClient({ baseUrl: node!.url, account: accountOf(op) });
    return { jobId, request, client };
  }

  it("non-reproducible sampled item (regression): two re-runs that differ are DeveloperFault ITEM_NOT_REPRODUCIBLE, not Invalid", async function () {
    const p = await loadFixture(deployProtocol);
    // Item 2 reads the clock: every run hashes differently.
    const executor = fakeExecutor((item, run) => (item === 2 ? keccak256(toHex(`clock-${run}`)) : honestHash(item)));
    node = await nodeWith(p, executor, "devfault-items");
    const jobId = await createContainerJob(p, containerSpecOf(4));
    const op = p.ops[0];
    // The operator's own run of item 2 hashed to yet another value.
    const proof = itemsProof([0, 1, 2, 3].map((i) => (i === 2 ? keccak256(toHex("clock-op")) : honestHash(i))));
    const beacon = await submitShard(p, op, jobId, proof.root, 7n);
    const answer = await new OracleClient({ baseUrl: node.url, account: accountOf(op) }).submitProof(
      containerRequest(jobId, op, proof.root, 7n, { items: proof.reveal(beacon) }),
    );
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    expect(answer.attestation.verdict).to.equal(Verdict.DeveloperFault);
    // min(submitted units, maxUnitsPerShard = 100): the same for every oracle.
    expect(answer.attestation.units).to.equal("7");
    expect(answer.reason).to.match(
      /^ITEM_NOT_REPRODUCIBLE: item 2 re-ran to 0x[0-9a-f]{64} on one re-run, re-ran to 0x[0-9a-f]{64} on the other$/,
    );
    expect(executor.runs.get(2)).to.equal(2);
  });

  it("a cheater is still caught: a wrong item hash that both re-runs reproduce is Invalid ITEM_OUTPUT_MISMATCH", async function () {
    const p = await loadFixture(deployProtocol);
    const executor = fakeExecutor((item) => honestHash(item));
    node = await nodeWith(p, executor, "devfault-cheat");
    const jobId = await createContainerJob(p, containerSpecOf(4));
    const op = p.ops[0];
    const proof = itemsProof([0, 1, 2, 3].map((i) => (i === 1 ? keccak256(toHex("made up")) : honestHash(i))));
    const beacon = await submitShard(p, op, jobId, proof.root, 7n);
    const answer = await new OracleClient({ baseUrl: node.url, account: accountOf(op) }).submitProof(
      containerRequest(jobId, op, proof.root, 7n, { items: proof.reveal(beacon) }),
    );
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    expect([answer.attestation.verdict, answer.attestation.units]).to.deep.equal([Verdict.Invalid, "0"]);
    expect(answer.reason).to.equal(
      `ITEM_OUTPUT_MISMATCH: item 1 re-ran to ${honestHash(1)}, not ${keccak256(toHex("made up"))}`,
    );
    expect(executor.runs.get(1)).to.equal(2);
  });

  it("failed-run claim, both re-runs fail: DeveloperFault ITEM_RUN_FAILED with the submitted units", async function () {
    const p = await loadFixture(deployProtocol);
    const executor = fakeExecutor((item) => (item === 1 ? { status: "failed", exitCode: 3 } : honestHash(item)));
    node = await nodeWith(p, executor, "devfault-claim-fails");
    const { request, client } = await claim(p, { item: 1, status: "failed", exitCode: 3 });
    const answer = await client.submitProof(request);
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    expect([answer.attestation.verdict, answer.attestation.units]).to.deep.equal([Verdict.DeveloperFault, "3"]);
    expect(answer.reason).to.equal("ITEM_RUN_FAILED: item 1 exited with code 3");
    expect(executor.runs.get(1)).to.equal(2);
  });

  it("failed-run claim, one re-run fails and one succeeds: DeveloperFault ITEM_NOT_REPRODUCIBLE", async function () {
    const p = await loadFixture(deployProtocol);
    const executor = fakeExecutor((item, run) =>
      run === 1 ? { status: "oomKilled", exitCode: 137 } : honestHash(item),
    );
    node = await nodeWith(p, executor, "devfault-claim-flaky");
    const { request, client } = await claim(p, { item: 0, status: "oomKilled", exitCode: 137 });
    const answer = await client.submitProof(request);
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    expect(answer.attestation.verdict).to.equal(Verdict.DeveloperFault);
    expect(answer.reason).to.equal(
      "ITEM_NOT_REPRODUCIBLE: item 0 was killed for memory on one re-run and succeeded on the other",
    );
  });

  it("failed-run claim that succeeds on both re-runs: 422 ORACLE_FAILURE_NOT_REPRODUCED, nothing signed, and no MISSING_REVEAL later", async function () {
    const p = await loadFixture(deployProtocol);
    node = await nodeWith(p, fakeExecutor(honestHash), "devfault-claim-works");
    const { jobId, request, client } = await claim(p, { item: 2, status: "failed", exitCode: 1 });
    const err = await refusal(client.submitProof(request));
    expect([err.status, err.code]).to.deep.equal([422, "ORACLE_FAILURE_NOT_REPRODUCED"]);
    await time.increase(601);
    await node.tick();
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);
  });

  it("an oracle timeout confirms a failure claim (DeveloperFault), in receipt mode too; on a sampled item it stays 503", async function () {
    const p = await loadFixture(deployProtocol);
    const executor = fakeExecutor((item) => (item === 0 ? { status: "timedOut", exitCode: 0 } : honestHash(item)));
    node = await nodeWith(p, executor, "devfault-timeout");
    const receipt = await claim(p, { item: 0, status: "timedOut", exitCode: 0 }, { mode: 1 });
    const answer = await receipt.client.submitProof(receipt.request);
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    expect([answer.attestation.verdict, answer.reason]).to.deep.equal([
      Verdict.DeveloperFault,
      "ITEM_RUN_FAILED: item 0 timed out",
    ]);
    // The same timeout on an item posted as succeeded is this node's trouble, not a verdict.
    const jobId = await createContainerJob(p, containerSpecOf(1));
    const op = p.ops[2];
    const proof = itemsProof([honestHash(0)]);
    const beacon = await submitShard(p, op, jobId, proof.root, 2n);
    const err = await refusal(
      new OracleClient({ baseUrl: node.url, account: accountOf(op) }).submitProof(
        containerRequest(jobId, op, proof.root, 2n, { items: proof.reveal(beacon) }),
      ),
    );
    expect([err.status, err.code]).to.deep.equal([503, "ORACLE_EXECUTOR_UNAVAILABLE"]);
  });

  it("a single-run job's failure claim (item null, receipt mode) re-runs the single run twice", async function () {
    const p = await loadFixture(deployProtocol);
    const executor = fakeExecutor((item) => (item === null ? { status: "failed", exitCode: 2 } : honestHash(item)));
    node = await nodeWith(p, executor, "devfault-single");
    const { request, client } = await claim(p, { item: null, status: "failed", exitCode: 2 }, { items: 0, mode: 1 });
    const answer = await client.submitProof(request);
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    expect([answer.attestation.verdict, answer.reason]).to.deep.equal([
      Verdict.DeveloperFault,
      "ITEM_RUN_FAILED: the run exited with code 2",
    ]);
    expect(executor.runs.get(null)).to.equal(2);
  });

  it("refuses a claim whose failedRunRoot is not the submitted root (400, field failure), or an item outside the shard", async function () {
    const p = await loadFixture(deployProtocol);
    node = await nodeWith(p, fakeExecutor(honestHash), "devfault-bad-claim");
    const { request, client } = await claim(p, { item: 1, status: "failed", exitCode: 3 });
    const err = await refusal(client.submitProof({ ...request, failure: { item: 1, status: "failed", exitCode: 4 } }));
    expect([err.status, err.code]).to.deep.equal([400, "ORACLE_BAD_FIELD"]);
    expect(err.details).to.deep.include({ field: "failure" });
    const outside = await claim(p, { item: 9, status: "failed", exitCode: 3 });
    const err2 = await refusal(outside.client.submitProof(outside.request));
    expect([err2.status, err2.code]).to.deep.equal([400, "ORACLE_BAD_FIELD"]);
    expect(err2.details).to.deep.include({ field: "failure.item" });
  });

  it("without the container executor a failure claim is 422 ORACLE_UNSUPPORTED", async function () {
    const p = await loadFixture(deployProtocol);
    node = await startOracle(p, p.oracles[0], tempDir("devfault-noexec"));
    const { request, client } = await claim(p, { item: 0, status: "failed", exitCode: 1 }, { mode: 1 });
    const err = await refusal(client.submitProof(request));
    expect([err.status, err.code]).to.deep.equal([422, "ORACLE_UNSUPPORTED"]);
  });
});

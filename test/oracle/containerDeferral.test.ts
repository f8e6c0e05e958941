// A container proof that arrives in time but that the node's executor cannot re-run (missing image,
// Docker down, ...) is the node's problem: HTTP 503, and the node never signs MISSING_REVEAL or
// LATE_REVEAL for that shard afterwards, across restarts too; once the executor works, it verifies.
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex, type Hex } from "viem";
import type { OracleNode } from "../../oracle/oracleNode";
import type { ContainerItemVerifier } from "../../oracle/proofService";
import { ExecutorUnavailableError } from "../../oracle/verify/executorUnavailableError";
import type { VerifierFinding } from "../../oracle/verify/verdict";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import type { ProofRequest } from "../../sdk/oracleApi/types";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { accountOf, startOracle, tempDir } from "../../fixtures/oracleHarness";

/** A container verifier double: broken (503) until healed, then Valid. */
function flakyVerifier() {
  const state = { broken: true, calls: 0 };
  const verifier: ContainerItemVerifier = {
    async verify(): Promise<VerifierFinding> {
      state.calls += 1;
      if (state.broken) throw new ExecutorUnavailableError("image rigel/busybox:test is not on this host");
      return { verdict: "valid", reason: "verified", verified: true };
    },
  };
  return { state, verifier };
}

async function submittedContainerShard(p: Protocol, op: Protocol["ops"][number]) {
  const spec = parseJobSpec({
    kind: "container",
    image: "rigel/busybox:test",
    command: ["true"],
    memoryMiB: 64,
    timeoutSec: 10,
    items: ["a", "b"],
    verification: "sampled",
  });
  await p.market.connect(p.devs[0]).createJob(
    await jobParamsFor(await p.usd.getAddress(), {
      kind: 1,
      verificationMode: 0,
      minVramMiB: 0,
      specHash: hashJobSpec(spec).hash,
      specURI: jobSpecDataUri(spec),
    }),
  );
  const jobId = await p.market.jobCount();
  await p.market.connect(op).accept(jobId, 0);
  const root = keccak256(toHex(`root-${jobId}`));
  await p.market.connect(op).submit(jobId, 0, root, 5n, "");
  const request: ProofRequest = {
    jobId: jobId.toString(),
    shard: 0,
    operator: op.address as Hex,
    resultRoot: root,
    units: "5",
    kind: "container",
    items: [{ index: 0, outputHash: keccak256(toHex("out")), proof: [] }],
  };
  return { jobId, request };
}

describe("oracle: container proofs deferred for the node's own executor trouble", function () {
  let node: OracleNode | undefined;
  afterEach(async () => {
    await node?.shutdown();
    node = undefined;
  });

  it("answers 503, signs no MISSING_REVEAL or LATE_REVEAL after the deadline (also after a restart), verifies once healed", async function () {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[1];
    const dir = tempDir("oracle-deferral");
    const flaky = flakyVerifier();
    node = await startOracle(p, p.oracles[0], dir, { containerVerifier: flaky.verifier });
    const { jobId, request } = await submittedContainerShard(p, op);
    // One client throughout, as the operator's agent keeps one per oracle: its retry after the 503
    // is stamped past the first post even within the same second (a fresh client once signed the
    // identical request, refused as replayed: test/oracle/retryInSameSecond.test.ts).
    const client = new OracleClient({ baseUrl: node.url, account: accountOf(op) });

    const err = await client.submitProof(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(OracleRequestError);
    expect((err as OracleRequestError).status).to.equal(503);
    expect((err as OracleRequestError).code).to.equal("ORACLE_EXECUTOR_UNAVAILABLE");

    // Past the reveal window (600 s in the harness): the sweep signs nothing for this shard.
    await time.increase(601);
    await node.tick();
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);
    // The deferral is on disk: a restarted node (at the same address) does not sign MISSING_REVEAL either.
    const port = Number(new URL(node.url).port);
    await node.shutdown();
    node = await startOracle(p, p.oracles[0], dir, { containerVerifier: flaky.verifier, port });
    await node.tick();
    expect(await client.getAttestation(jobId, 0)).to.equal(undefined);

    // The executor works again: the operator's retry is verified, not refused as late.
    flaky.state.broken = false;
    const answer = await client.submitProof(request);
    expect(answer.status).to.equal("signed");
    if (answer.status !== "signed") return;
    expect(answer.reason).to.equal("verified");
    expect(answer.attestation.verdict).to.equal(1);
    expect(flaky.state.calls).to.equal(2);
  });

  it("a shard whose proof never came is still signed MISSING_REVEAL (no deferral without a proof)", async function () {
    const p = await loadFixture(deployProtocol);
    const op = p.ops[1];
    const flaky = flakyVerifier();
    node = await startOracle(p, p.oracles[0], tempDir("oracle-deferral"), { containerVerifier: flaky.verifier });
    await node.tick(); // available (reading the chain) before the submission: PROTOCOL §18.3
    const { jobId } = await submittedContainerShard(p, op);
    await time.increase(601);
    await node.tick();
    const decided = await new OracleClient({ baseUrl: node.url }).getAttestation(jobId, 0);
    expect(decided?.reason).to.equal("MISSING_REVEAL");
    expect(flaky.state.calls).to.equal(0);
  });
});

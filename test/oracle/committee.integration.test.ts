// Three oracle nodes (threshold 2) on the in-process Hardhat network, the operator driven with the sdk.
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { shardAttestationFromJson, type SignedShardAttestation } from "../../sdk/oracleApi/types";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import { DecisionStore } from "../../oracle/store/decisionStore";
import { shardSubject } from "../../oracle/attest/shardSigner";
import { hashShardAttestation } from "../../sdk/eip712/shardAttestation";
import { rigelDomain } from "../../sdk/eip712/types";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import {
  accountOf,
  computeAndSubmit,
  createMatmulJob,
  matmulSpec,
  proveToAll,
  startOracle,
  tempDir,
} from "../../fixtures/oracleHarness";

async function settleWith(p: Protocol, answers: SignedShardAttestation[]) {
  const att = shardAttestationFromJson(answers[0].attestation);
  for (const a of answers) expect(a.attestation).to.deep.equal(answers[0].attestation);
  const sigs = sortSignaturesBySigner(answers.slice(0, 2).map((a) => ({ signer: a.signer, signature: a.signature })));
  return p.market.connect(p.devs[1]).settle(att, sigs);
}

describe("oracle committee: three nodes, threshold 2, on the in-process chain", function () {
  let p: Protocol;
  let nodes: OracleNode[];
  let dirs: string[];

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    dirs = p.oracles.map((_, i) => tempDir(`oracle-${i}`));
    nodes = [];
    for (let i = 0; i < 3; i++) nodes.push(await startOracle(p, p.oracles[i], dirs[i]));
  });

  afterEach(async function () {
    for (const node of nodes) await node.shutdown();
  });

  const urls = () => nodes.map((n) => n.url);

  it("a valid shard gets identical Valid attestations from all three and settles", async function () {
    const spec = matmulSpec("11");
    const jobId = await createMatmulJob(p, spec, 2);
    const op = p.ops[0];
    const sub = await computeAndSubmit(p, op, spec, jobId, 1, 2);
    const answers = await proveToAll(urls(), accountOf(op), sub.request);
    expect(answers).to.have.length(3);
    for (const a of answers) {
      expect(a.attestation.verdict).to.equal(1);
      expect(a.verified).to.equal(true);
      expect(a.attestation.units).to.equal(sub.units.toString());
    }
    const shardBefore = await p.market.getShard(jobId, 1);
    expect(BigInt(answers[0].attestation.expiry)).to.equal(shardBefore.submittedAt + 3_600n);
    const usd = await p.usd.getAddress();
    const owedBefore = await p.market.owedOf(usd, op.address);
    const usdBefore = await p.usd.balanceOf(op.address);
    const lockedBefore = (await p.staking.operatorInfo(op.address)).lockedStake;
    await expect(settleWith(p, answers)).to.emit(p.market, "ShardSettled");
    const pay = sub.units * 1_000_000n;
    const fee = (pay * 250n) / 10_000n;
    // Credited, not sent (pull payments, PROTOCOL §20.1).
    expect((await p.market.owedOf(usd, op.address)) - owedBefore).to.equal(pay - fee);
    expect(await p.usd.balanceOf(op.address)).to.equal(usdBefore);
    expect(lockedBefore - (await p.staking.operatorInfo(op.address)).lockedStake).to.equal(shardBefore.collateral);
    expect((await p.market.getShard(jobId, 1)).state).to.equal(3n);
  });

  it("a cheating shard (lazy rows) gets Invalid from all three; settling slashes the collateral", async function () {
    const spec = matmulSpec("22");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[1];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1, { corruptEvery: 2 });
    const answers = await proveToAll(urls(), accountOf(op), sub.request);
    expect(answers).to.have.length(3);
    for (const a of answers) {
      expect(a.attestation.verdict).to.equal(2);
      expect(a.attestation.units).to.equal("0");
      expect(a.reason).to.equal("POW_WRONG_ROW");
    }
    const collateral = (await p.market.getShard(jobId, 0)).collateral;
    const stakeBefore = (await p.staking.operatorInfo(op.address)).selfStake;
    await expect(settleWith(p, answers)).to.emit(p.market, "ShardFailed");
    expect(stakeBefore - (await p.staking.operatorInfo(op.address)).selfStake).to.equal(collateral);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(4n);
  });

  it("with one node down the other two still settle", async function () {
    const live = urls().slice(0, 2);
    await nodes[2].shutdown();
    const spec = matmulSpec("33");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[0];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    const answers = await proveToAll(live.concat(["http://127.0.0.1:8649"]), accountOf(op), sub.request);
    expect(answers).to.have.length(2);
    await expect(settleWith(p, answers)).to.emit(p.market, "ShardSettled");
  });

  it("a node restarted mid-verification neither re-signs differently nor loses the job", async function () {
    const spec = matmulSpec("44");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[2];
    const sub = await computeAndSubmit(p, op, spec, jobId, 0, 1);
    // Node 0 decided Valid and crashed before its signature left: the decision is on disk, unsigned.
    const first = await proveToAll([nodes[1].url], accountOf(op), sub.request);
    const decided = shardAttestationFromJson(first[0].attestation);
    const domain = rigelDomain(31337, (await p.committee.getAddress()) as Hex);
    const store = new DecisionStore(nodes[0].db!);
    store.decide(
      shardSubject(decided.market, jobId, 0),
      "shard",
      hashShardAttestation(domain, decided),
      JSON.stringify({ ...first[0], signer: p.oracles[0].address, signature: undefined }),
    );
    await nodes[0].shutdown();
    nodes[0] = await startOracle(p, p.oracles[0], dirs[0]);
    // After the restart the operator (now cheating) sends a corrupted sample: the node keeps its decision.
    const bad = structuredClone(sub.request);
    bad.rows![0].row = Buffer.alloc(Buffer.from(bad.rows![0].row, "base64").length).toString("base64");
    const answer = await new OracleClient({ baseUrl: nodes[0].url, account: accountOf(op) }).submitProof(bad);
    if (answer.status !== "signed") throw new Error("expected a signed answer");
    const again = [answer];
    expect(again).to.have.length(1);
    expect(again[0].attestation).to.deep.equal(first[0].attestation);
    expect(again[0].signer).to.equal(p.oracles[0].address);
    const fetched = await new OracleClient({ baseUrl: nodes[0].url }).getAttestation(jobId, 0);
    expect(fetched?.signature).to.equal(again[0].signature);
    await expect(settleWith(p, [again[0], first[0]])).to.emit(p.market, "ShardSettled");
  });

  it("a missing reveal gets Invalid from every node and the relay settles it on-chain", async function () {
    await nodes[0].shutdown();
    nodes[0] = await startOracle(p, p.oracles[0], dirs[0], {
      relay: true,
      peers: [nodes[1].url, nodes[2].url],
      batchMaxDelayMs: 0, // a batch closes in the pass that decides its shard (PROTOCOL §20.6)
    });
    const spec = matmulSpec("55");
    const jobId = await createMatmulJob(p, spec, 1);
    const op = p.ops[3];
    await computeAndSubmit(p, op, spec, jobId, 0, 1);
    for (const node of nodes) await node.tick();
    expect(await new OracleClient({ baseUrl: nodes[1].url }).getAttestation(jobId, 0)).to.equal(undefined);
    await time.increase(601);
    await nodes[1].tick();
    await nodes[2].tick();
    const stakeBefore = (await p.staking.operatorInfo(op.address)).selfStake;
    const collateral = (await p.market.getShard(jobId, 0)).collateral;
    await nodes[0].tick();
    const decided = await new OracleClient({ baseUrl: nodes[0].url }).getAttestation(jobId, 0);
    expect(decided?.reason).to.equal("MISSING_REVEAL");
    expect((await p.market.getShard(jobId, 0)).state).to.equal(4n);
    expect(stakeBefore - (await p.staking.operatorInfo(op.address)).selfStake).to.equal(collateral);
  });

  it("refuses a proof that still names fullResultUri (the Freivalds door is closed, PROTOCOL §3.11) with 400", async function () {
    const spec = matmulSpec("88", 128, 32, 32);
    const jobId = await createMatmulJob(p, spec, 1);
    const honest = await computeAndSubmit(p, p.ops[0], spec, jobId, 0, 1);
    const client = new OracleClient({ baseUrl: nodes[0].url, account: accountOf(p.ops[0]) });
    const stale = { ...honest.request, fullResultUri: "file:///tmp/c.bin" } as typeof honest.request;
    const err = await client.submitProof(stale).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OracleRequestError);
    expect((err as OracleRequestError).status).to.equal(400);
    expect((err as OracleRequestError).code).to.equal("ORACLE_BAD_FIELD");
    expect((err as OracleRequestError).details).to.deep.include({ field: "fullResultUri" });
    const [valid] = await proveToAll([nodes[0].url], accountOf(p.ops[0]), honest.request);
    expect(valid.attestation.verdict).to.equal(1);
  });

  it("a proof for another operator's shard is refused with 403", async function () {
    const spec = matmulSpec("66");
    const jobId = await createMatmulJob(p, spec, 1);
    const sub = await computeAndSubmit(p, p.ops[0], spec, jobId, 0, 1);
    const thief = p.ops[1];
    const client = new OracleClient({ baseUrl: nodes[0].url, account: accountOf(thief) });
    const err = await client.submitProof({ ...sub.request, operator: thief.address as Hex }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OracleRequestError);
    expect((err as OracleRequestError).status).to.equal(403);
    expect((err as OracleRequestError).code).to.equal("ORACLE_WRONG_OPERATOR");
  });
});

// Claims end to end (PROTOCOL §20.10) on the in-process chain with the deployed protocol: an
// assigned single-shard matmul job is claimed at three oracle nodes (threshold 2), proved to each
// with that node's claim beacon, signed Valid with expiry = the job's deadline, and settled straight
// from Open with `settle`; a relay settles one in a verdict batch; a conflicting claim is 409, a
// claim by another operator 403, and an invalid proof 422 with nothing signed.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { decodeFunctionData, type Hex } from "viem";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { ShardState, Verdict } from "../../sdk/market/enums";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import {
  shardAttestationFromJson,
  type ClaimRequest,
  type ProofRequest,
  type SignedShardAttestation,
} from "../../sdk/oracleApi/types";
import { claimBeacon } from "../../sdk/pow/beacon";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { encodeRevealedRow } from "../../sdk/pow/revealedRowWire";
import { revealSample } from "../../sdk/pow/revealSample";
import { proveMatmulWindow } from "../../sdk/pow/rowWindow";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import type { MatmulInt8Spec } from "../../sdk/spec/jobSpecTypes";
import { matmulShardRows, matmulUnits } from "../../sdk/spec/shardWork";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol, jobParamsFor, type Protocol } from "../../fixtures/protocolFixture";
import { PARAMS } from "../../fixtures/marketConstants";
import { accountOf, matmulSpec, startOracle, tempDir, viemPublicClient } from "../../fixtures/oracleHarness";

const PRICE = 1_000_000n; // jobParamsFor's maxPricePerUnit
const MAX_UNITS = 100n; // jobParamsFor's maxUnitsPerShard
const CLAIMED_UNITS = 50n;

/** Creates a single-shard matmul job assigned to `op`; returns its id and deadline. */
async function createAssignedJob(p: Protocol, spec: MatmulInt8Spec, op: HardhatEthersSigner) {
  const params = await jobParamsFor(await p.usd.getAddress(), {
    kind: 0,
    verificationMode: 0,
    shards: 1,
    specHash: hashJobSpec(spec).hash,
    specURI: jobSpecDataUri(spec),
    shardOperators: [op.address],
  });
  const receipt = await (await p.market.connect(p.devs[0]).createJob(params)).wait();
  const log = receipt!.logs.map((l) => p.market.interface.parseLog(l)).find((l) => l?.name === "JobCreated");
  return { jobId: log!.args.jobId as bigint, deadline: BigInt(params.deadline) };
}

/** The operator's result of the job's only shard (optionally a lazy one), not submitted anywhere. */
async function computeShard(spec: MatmulInt8Spec, cheat: { corruptEvery?: number } = {}) {
  const range = matmulShardRows(spec, 1, 0);
  const rows = range.end - range.start;
  const proof = await proveMatmulWindow(
    { seed: spec.seed, m: spec.m, n: spec.n, k: spec.k },
    { rowStart: range.start, rowEnd: range.end },
    { threads: 1 },
  );
  let { c, commitment } = proof;
  if (cheat.corruptEvery) {
    c = c.slice();
    for (let i = 0; i < rows; i += cheat.corruptEvery) c.fill(0, i * spec.n, (i + 1) * spec.n);
    commitment = commitRows(rowHashes(c, rows, spec.n));
  }
  return { c, commitment, rows, units: matmulUnits(rows, spec.n, spec.k) };
}

describe("oracle claims: an assigned shard settled straight from Open (PROTOCOL §20.10)", function () {
  let p: Protocol;
  let nodes: OracleNode[];

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    nodes = [];
  });

  afterEach(async function () {
    for (const node of nodes) await node.shutdown();
  });

  async function startNodes(over: Parameters<typeof startOracle>[3][] = []) {
    for (let i = 0; i < 3; i++) nodes.push(await startOracle(p, p.oracles[i], tempDir(`claims-${i}`), over[i] ?? {}));
  }

  /** Claims the shard at `url` and proves it with that node's beacon; returns both answers. */
  async function claimAndProve(
    url: string,
    op: HardhatEthersSigner,
    spec: MatmulInt8Spec,
    jobId: bigint,
    shard: Awaited<ReturnType<typeof computeShard>>,
    units = shard.units,
  ) {
    const client = new OracleClient({ baseUrl: url, account: accountOf(op), timeoutMs: 60_000 });
    const claim: ClaimRequest = {
      jobId: jobId.toString(),
      shard: 0,
      operator: op.address as Hex,
      resultRoot: shard.commitment.root,
      units: units.toString(),
      kind: "matmul-int8",
    };
    const claimed = await client.claim(claim);
    const rows = revealSample({
      c: shard.c,
      m: shard.rows,
      n: spec.n,
      commitment: shard.commitment,
      beacon: claimed.beacon,
    });
    const proof: ProofRequest = { ...claim, rows: rows.map(encodeRevealedRow), claim: true };
    return { client, claim, claimed, proof, answer: () => client.submitProof(proof) };
  }

  async function refusal(call: Promise<unknown>): Promise<OracleRequestError> {
    try {
      await call;
    } catch (err) {
      if (err instanceof OracleRequestError) return err;
      throw err;
    }
    throw new Error("expected the oracle to refuse");
  }

  it("claimed at three nodes, proved to each with its own beacon, signed Valid (expiry = deadline) and settled from Open", async function () {
    await startNodes();
    const op = p.ops[0];
    const spec = matmulSpec("51");
    const { jobId, deadline } = await createAssignedJob(p, spec, op);
    const shard = await computeShard(spec);
    const market = (await p.market.getAddress()) as Hex;

    const answers: SignedShardAttestation[] = [];
    const nonces = new Set<string>();
    const runs = [];
    for (const node of nodes) {
      // More units than the work is worth: the attestation counts the matmul work (§13.1).
      const run = await claimAndProve(node.url, op, spec, jobId, shard, CLAIMED_UNITS);
      runs.push(run);
      expect(run.claimed.expiry).to.equal(deadline.toString());
      expect(run.claimed.beacon).to.equal(
        claimBeacon({
          chainId: 31337,
          jobMarket: market,
          jobId,
          shard: 0,
          root: shard.commitment.root,
          nonce: run.claimed.nonce,
        }),
      );
      nonces.add(run.claimed.nonce);
      // The same claim again: the same answer (the nonce is drawn once, stored).
      expect(await run.client.claim(run.claim)).to.deep.equal(run.claimed);
      // Another root for the claimed shard: refused.
      const conflict = await refusal(run.client.claim({ ...run.claim, units: (CLAIMED_UNITS + 1n).toString() }));
      expect([conflict.status, conflict.code], conflict.message + JSON.stringify(conflict.details)).to.deep.equal([
        409,
        "ORACLE_CLAIM_CONFLICT",
      ]);
      const answer = await run.answer();
      if (answer.status !== "signed") throw new Error("expected a signed answer");
      answers.push(answer);
    }
    expect(nonces.size).to.equal(3);
    const units = [CLAIMED_UNITS, MAX_UNITS, shard.units].reduce((a, b) => (a < b ? a : b));
    expect(units).to.equal(shard.units);
    for (const a of answers) {
      expect(a.attestation).to.deep.equal(answers[0].attestation);
      expect(a.attestation.verdict).to.equal(Verdict.Valid);
      expect(a.attestation.expiry).to.equal(deadline.toString());
      expect(a.attestation.units).to.equal(units.toString());
      expect(a.attestation.resultRoot).to.equal(shard.commitment.root);
    }
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));

    const usd = await p.usd.getAddress();
    const owedBefore = await p.market.owedOf(usd, op.address);
    const lockedBefore = (await p.staking.operatorInfo(op.address)).lockedStake;
    const sigs = sortSignaturesBySigner(answers.slice(0, 2).map((a) => ({ signer: a.signer, signature: a.signature })));
    await expect(p.market.connect(p.devs[1]).settle(shardAttestationFromJson(answers[0].attestation), sigs)).to.emit(
      p.market,
      "ShardSettled",
    );
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Settled));
    const pay = units * PRICE;
    const fee = (pay * BigInt(PARAMS.feeBps)) / 10_000n;
    expect((await p.market.owedOf(usd, op.address)) - owedBefore).to.equal(pay - fee);
    // No collateral was ever locked.
    expect((await p.staking.operatorInfo(op.address)).lockedStake).to.equal(lockedBefore);
    // The key-safety check (§18.5) reads the settle call: every node's log holds its claim signature.
    for (const node of nodes) {
      await node.tick();
      expect(node.guard!.halted()).to.equal(undefined);
    }

    // Settled: the same claim again is answered from the store, and its proof gets the stored decision
    // (the same client: a second client would sign the identical request in the same second, a replay).
    expect(await runs[0].client.claim(runs[0].claim)).to.deep.equal(runs[0].claimed);
    const stored = await runs[0].answer();
    expect(stored.status === "signed" && stored.signature).to.equal(answers[0].signature);
  });

  it("a claim by an operator the shard is not assigned to is 403; a shard without an assignment is 409", async function () {
    await startNodes();
    const spec = matmulSpec("52");
    const { jobId } = await createAssignedJob(p, spec, p.ops[0]);
    const shard = await computeShard(spec);
    const other = p.ops[1];
    const client = new OracleClient({ baseUrl: nodes[0].url, account: accountOf(other) });
    const claim: ClaimRequest = {
      jobId: jobId.toString(),
      shard: 0,
      operator: other.address as Hex,
      resultRoot: shard.commitment.root,
      units: shard.units.toString(),
      kind: "matmul-int8",
    };
    const wrong = await refusal(client.claim(claim));
    expect([wrong.status, wrong.code]).to.deep.equal([403, "ORACLE_WRONG_OPERATOR"]);
    // Nothing stored: the assigned operator's claim is still the first.
    expect(await refusal(client.claim({ ...claim, shard: 1 }))).to.include({
      status: 409,
      code: "ORACLE_SHARD_MISMATCH",
    });
    // A proof with claim: true without a claim is 409.
    const proof = await refusal(client.submitProof({ ...claim, rows: [], claim: true }));
    expect([proof.status, proof.code]).to.deep.equal([409, "ORACLE_SHARD_MISMATCH"]);
  });

  it("a claimed proof with other root or units than the claim's is 409; once the shard left Open, 409 and nothing signed", async function () {
    await startNodes();
    const op = p.ops[0];
    const spec = matmulSpec("57");
    const { jobId } = await createAssignedJob(p, spec, op);
    const shard = await computeShard(spec);
    const run = await claimAndProve(nodes[0].url, op, spec, jobId, shard);
    const units = await refusal(run.client.submitProof({ ...run.proof, units: (shard.units + 1n).toString() }));
    expect([units.status, units.code]).to.deep.equal([409, "ORACLE_SHARD_MISMATCH"]);
    // The operator takes the on-chain path instead: the shard is Accepted, no longer claimable.
    await p.market.connect(op).accept(jobId, 0);
    const left = await refusal(run.answer());
    expect([left.status, left.code]).to.deep.equal([409, "ORACLE_SHARD_MISMATCH"]);
    expect(await new OracleClient({ baseUrl: nodes[0].url }).getAttestation(jobId, 0)).to.equal(undefined);
  });

  it("an invalid proof of a claim is refused 422 and nothing is signed; asked again, the same refusal", async function () {
    await startNodes();
    const op = p.ops[1];
    const spec = matmulSpec("53");
    const { jobId } = await createAssignedJob(p, spec, op);
    const lazy = await computeShard(spec, { corruptEvery: 2 });
    const run = await claimAndProve(nodes[0].url, op, spec, jobId, lazy);
    const refused = await refusal(run.answer());
    expect([refused.status, refused.code]).to.deep.equal([422, "ORACLE_CLAIM_REFUSED"]);
    expect(refused.details).to.include({ reason: "POW_WRONG_ROW" });
    const again = await refusal(run.answer());
    expect([again.status, again.code, again.details.reason]).to.deep.equal([
      422,
      "ORACLE_CLAIM_REFUSED",
      "POW_WRONG_ROW",
    ]);
    expect(await new OracleClient({ baseUrl: nodes[0].url }).getAttestation(jobId, 0)).to.equal(undefined);
    expect(nodes[0].guard!.log.digestOf(`shard:${(await p.market.getAddress()).toLowerCase()}:${jobId}:0`)).to.equal(
      undefined,
    );
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));
  });

  it("a relay settles claimed shards in one settleVerdicts batch, the peers co-signing leaves of Open shards", async function () {
    const peerNodes = [];
    for (const i of [1, 2]) peerNodes.push(await startOracle(p, p.oracles[i], tempDir(`claims-peer-${i}`)));
    const relay = await startOracle(p, p.oracles[0], tempDir("claims-relay"), {
      relay: true,
      relayValid: true,
      peers: peerNodes.map((n) => n.url),
      batchMaxSize: 2,
      batchMaxDelayMs: 600_000,
    });
    nodes.push(relay, ...peerNodes);
    const jobs = [];
    for (const [i, seed] of ["54", "55"].entries()) {
      const op = p.ops[i];
      const spec = matmulSpec(seed);
      const { jobId } = await createAssignedJob(p, spec, op);
      jobs.push({ jobId, op, spec, shard: await computeShard(spec) });
    }
    for (const j of jobs) {
      for (const node of [...peerNodes, relay]) {
        const answer = await (await claimAndProve(node.url, j.op, j.spec, j.jobId, j.shard)).answer();
        expect(answer.status).to.equal("signed");
      }
    }
    await relay.batcher!.poll();
    const client = viemPublicClient();
    for (const j of jobs) expect((await p.market.getShard(j.jobId, 0)).state).to.equal(BigInt(ShardState.Settled));
    const logs = [];
    for (const j of jobs) logs.push(...(await p.market.queryFilter(p.market.filters.ShardSettled(j.jobId))));
    const txs = new Set(logs.map((l) => l.transactionHash));
    expect(txs.size).to.equal(1);
    const tx = await client.getTransaction({ hash: [...txs][0] as Hex });
    expect(decodeFunctionData({ abi: jobMarketAbi, data: tx.input }).functionName).to.equal("settleVerdicts");
  });

  it("a relay whose peers do not co-sign batches settles a claimed Open shard alone with settle", async function () {
    const peerNodes = [];
    for (const i of [1, 2]) peerNodes.push(await startOracle(p, p.oracles[i], tempDir(`claims-single-${i}`)));
    const relay = await startOracle(p, p.oracles[0], tempDir("claims-single-relay"), {
      relay: true,
      relayValid: true,
      peers: peerNodes.map((n) => n.url),
      batchMaxSize: 1,
      batchMaxDelayMs: 600_000,
    });
    nodes.push(relay, ...peerNodes);
    const relayPeers = relay.batcher as unknown as { p: { peers: { cosign: () => Promise<never> }[] } };
    for (const peer of relayPeers.p.peers) peer.cosign = () => Promise.reject(new Error("404 NOT_FOUND"));
    const op = p.ops[2];
    const spec = matmulSpec("56");
    const { jobId } = await createAssignedJob(p, spec, op);
    const shard = await computeShard(spec);
    // The peers decide first; the relay's own decision fills its batch of one.
    for (const node of [...peerNodes, relay]) await (await claimAndProve(node.url, op, spec, jobId, shard)).answer();
    await relay.batcher!.poll();
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Settled));
    const [log] = await p.market.queryFilter(p.market.filters.ShardSettled(jobId));
    const tx = await viemPublicClient().getTransaction({ hash: log.transactionHash as Hex });
    expect(decodeFunctionData({ abi: jobMarketAbi, data: tx.input }).functionName).to.equal("settle");
  });

  it("a relay restarted with a claim decided but not settled offers it again: its claim sweep settles it in a batch", async function () {
    const peerNodes = [];
    for (const i of [1, 2]) peerNodes.push(await startOracle(p, p.oracles[i], tempDir(`claims-restart-${i}`)));
    nodes.push(...peerNodes);
    const relayDir = tempDir("claims-restart-relay");
    const relayOptions = {
      relay: true,
      relayValid: true,
      peers: peerNodes.map((n) => n.url),
      batchMaxDelayMs: 600_000,
    };
    // The first relay queues the decided claim (its batch would close in ten minutes) and stops.
    const first = await startOracle(p, p.oracles[0], relayDir, { ...relayOptions, batchMaxSize: 100 });
    const op = p.ops[1];
    const spec = matmulSpec("57");
    const { jobId } = await createAssignedJob(p, spec, op);
    const shard = await computeShard(spec);
    for (const node of [...peerNodes, first]) {
      expect((await (await claimAndProve(node.url, op, spec, jobId, shard)).answer()).status).to.equal("signed");
    }
    expect(first.batcher!.holds(jobId, 0)).to.equal(true);
    await first.shutdown();
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Open));

    // Restarted on the same data: one pass of the node finds the claim in its store and settles it.
    // Old rule: only submissions were swept; the claim stayed Open until another relay or the agent.
    const relay = await startOracle(p, p.oracles[0], relayDir, { ...relayOptions, batchMaxSize: 1 });
    nodes.push(relay);
    const usd = await p.usd.getAddress();
    const held = await p.usd.balanceOf(await p.market.getAddress());
    const owedBefore = await p.market.owedOf(usd, op.address);
    await relay.tick();
    await relay.batcher!.flush();
    expect((await p.market.getShard(jobId, 0)).state).to.equal(BigInt(ShardState.Settled));
    const [log] = await p.market.queryFilter(p.market.filters.ShardSettled(jobId));
    const tx = await viemPublicClient().getTransaction({ hash: log.transactionHash as Hex });
    expect(decodeFunctionData({ abi: jobMarketAbi, data: tx.input }).functionName).to.equal("settleVerdicts");
    // The operator's pay is credited in the market (pull payments): no payment token left it.
    const pay = shard.units * PRICE;
    const fee = (pay * BigInt(PARAMS.feeBps)) / 10_000n;
    expect(await p.usd.balanceOf(await p.market.getAddress())).to.equal(held);
    expect((await p.market.owedOf(usd, op.address)) - owedBefore).to.equal(pay - fee);
    // Done with: the next pass offers nothing, and the claim is no longer open in the store.
    await relay.tick();
    expect(relay.batcher!.holds(jobId, 0)).to.equal(false);
    expect(relay.db!.prepare("SELECT done FROM claims WHERE job_id = ?").get(jobId.toString())).to.deep.equal({
      done: 1,
    });
  });
});

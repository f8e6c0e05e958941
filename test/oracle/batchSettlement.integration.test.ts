// Batched settlement end to end (PROTOCOL §20.6): three oracle nodes on the in-process chain,
// threshold 2, the first one relaying. Three shards of one job are proved to every node; the relay's
// batch closes by size and ONE settleVerdicts transaction settles all three, every credit exact.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { decodeFunctionData, type Hex } from "viem";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { hashVerdictBatch } from "../../sdk/eip712/verdictBatch";
import { rigelDomain, type VerdictBatch } from "../../sdk/eip712/types";
import { ShardState } from "../../sdk/market/enums";
import { batchSubject } from "../../oracle/attest/batchSigner";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { PARAMS } from "../../fixtures/marketConstants";
import {
  accountOf,
  computeAndSubmit,
  createMatmulJob,
  matmulSpec,
  proveToAll,
  startOracle,
  tempDir,
  viemPublicClient,
} from "../../fixtures/oracleHarness";

const PRICE = 1_000_000n; // jobParamsFor's maxPricePerUnit
const MAX_UNITS = 100n; // jobParamsFor's maxUnitsPerShard
const V = PRICE * MAX_UNITS;

describe("oracle committee: batched settlement, three nodes, 2-of-3 (PROTOCOL §20.6)", function () {
  let p: Protocol;
  let nodes: OracleNode[];

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    nodes = [];
  });

  afterEach(async function () {
    for (const node of nodes) await node.shutdown();
  });

  async function startCommittee(over: { batchMaxSize: number }) {
    const peers = [];
    for (const i of [1, 2]) peers.push(await startOracle(p, p.oracles[i], tempDir(`batch-peer-${i}`)));
    const relay = await startOracle(p, p.oracles[0], tempDir("batch-relay"), {
      relay: true,
      relayValid: true,
      peers: peers.map((n) => n.url),
      batchMaxSize: over.batchMaxSize,
      batchMaxDelayMs: 600_000, // never by delay here: the size closes it
    });
    nodes.push(relay, ...peers);
    return { relay, peers };
  }

  async function balances() {
    const usd = await p.usd.getAddress();
    const op = p.ops[0].address;
    return {
      opOwed: await p.market.owedOf(usd, op),
      devOwed: await p.market.owedOf(usd, p.devs[0].address),
      treasuryOwed: await p.market.owedOf(usd, p.treasury.address),
      owedTotal: await p.market.owedTotal(usd),
      escrow: await p.market.escrowOf(usd),
      marketUsd: await p.usd.balanceOf(await p.market.getAddress()),
      opUsd: await p.usd.balanceOf(op),
      devUsd: await p.usd.balanceOf(p.devs[0].address),
      locked: (await p.staking.operatorInfo(op)).lockedStake,
    };
  }

  it("three shards proved to every node settle in ONE settleVerdicts transaction, with every credit and balance exact", async function () {
    const { relay, peers } = await startCommittee({ batchMaxSize: 3 });
    const spec = matmulSpec("31");
    const jobId = await createMatmulJob(p, spec, 3);
    const subs = [];
    for (let shard = 0; shard < 3; shard++) subs.push(await computeAndSubmit(p, p.ops[0], spec, jobId, shard, 3));
    const collateral = await Promise.all(subs.map(async (s) => (await p.market.getShard(jobId, s.shard)).collateral));
    const before = await balances();
    const client = viemPublicClient();
    const relayAddress = p.oracles[0].address as Hex;
    const nonceBefore = await client.getTransactionCount({ address: relayAddress });

    // The peers decide first, the relay last: its third decision fills the batch (size 3) and closes it.
    const units: bigint[] = [];
    for (const sub of subs) {
      const answers = await proveToAll([...peers.map((n) => n.url), relay.url], accountOf(p.ops[0]), sub.request);
      expect(answers).to.have.length(3);
      units.push(BigInt(answers[0].attestation.units));
    }
    await relay.batcher!.poll();

    // ONE transaction from the relay, a settleVerdicts over all three leaves.
    expect(await client.getTransactionCount({ address: relayAddress })).to.equal(nonceBefore + 1);
    const settledLogs = await p.market.queryFilter(p.market.filters.ShardSettled(jobId));
    expect(settledLogs).to.have.length(3);
    const txs = new Set(settledLogs.map((l) => l.transactionHash));
    expect(txs.size).to.equal(1);
    const tx = await client.getTransaction({ hash: [...txs][0] as Hex });
    const call = decodeFunctionData({ abi: jobMarketAbi, data: tx.input });
    expect(call.functionName).to.equal("settleVerdicts");
    const [batch, signatures, verdicts] = call.args as unknown as [VerdictBatch, Hex[], { shard: number }[]];
    expect(verdicts.map((v) => v.shard)).to.deep.equal([0, 1, 2]);
    expect(signatures).to.have.length(2);
    // The relay logged its statement before signing it.
    const domain = rigelDomain(31337, (await p.committee.getAddress()) as Hex);
    expect(relay.guard!.log.digestOf(batchSubject(batch.market, batch.verdictsRoot))).to.equal(
      hashVerdictBatch(domain, batch),
    );
    for (const s of subs) expect((await p.market.getShard(jobId, s.shard)).state).to.equal(BigInt(ShardState.Settled));

    // Money: credited, nothing transferred (pull payments, §20.1).
    const pays = units.map((u) => u * PRICE);
    const fees = pays.map((pay) => (pay * BigInt(PARAMS.feeBps)) / 10_000n);
    const after = await balances();
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    expect(after.opOwed - before.opOwed).to.equal(sum(pays) - sum(fees));
    expect(after.devOwed - before.devOwed).to.equal(3n * V - sum(pays));
    expect(after.treasuryOwed - before.treasuryOwed).to.equal(sum(fees));
    expect(after.owedTotal - before.owedTotal).to.equal(3n * V);
    expect(before.escrow - after.escrow).to.equal(3n * V);
    expect(after.marketUsd).to.equal(before.marketUsd);
    expect(after.marketUsd).to.equal(after.escrow + after.owedTotal);
    expect(after.opUsd).to.equal(before.opUsd);
    expect(after.devUsd).to.equal(before.devUsd);
    expect(before.locked - after.locked).to.equal(collateral.reduce((a, b) => a + b, 0n));
    for (const [i, log] of settledLogs.entries()) {
      expect(log.args.paid).to.equal(pays[i] - fees[i]);
      expect(log.args.fee).to.equal(fees[i]);
      expect(log.args.refund).to.equal(V - pays[i]);
    }

    // Every shard is marked relayed on the relay: the sweep offers none again.
    await relay.tick();
    expect(await client.getTransactionCount({ address: relayAddress })).to.equal(nonceBefore + 1);

    // The chain check (§18.5) reads settleVerdicts: the relay's log holds its statement, so it signs on;
    // a node on the same key with an empty log (a restored backup) halts on seeing it.
    expect(relay.guard!.halted()).to.equal(undefined);
    const stale = await startOracle(p, p.oracles[0], tempDir("batch-stale"));
    nodes.push(stale);
    await stale.tick();
    expect(stale.guard!.halted()).to.include({
      subject: batchSubject(batch.market, batch.verdictsRoot),
      digest: hashVerdictBatch(domain, batch),
    });
  });

  it("a relay whose peers do not co-sign batches (the route missing) still settles every shard by the single path", async function () {
    const { relay, peers } = await startCommittee({ batchMaxSize: 2 });
    // Peers of an older version, without the batch route: every co-sign call fails as a 404 would.
    const relayPeers = relay.batcher as unknown as { p: { peers: { cosign: () => Promise<never> }[] } };
    for (const peer of relayPeers.p.peers) peer.cosign = () => Promise.reject(new Error("404 NOT_FOUND"));
    const spec = matmulSpec("32");
    const jobId = await createMatmulJob(p, spec, 2);
    const subs = [];
    for (let shard = 0; shard < 2; shard++) subs.push(await computeAndSubmit(p, p.ops[0], spec, jobId, shard, 2));
    const client = viemPublicClient();
    const nonceBefore = await client.getTransactionCount({ address: p.oracles[0].address as Hex });
    for (const sub of subs) await proveToAll([...peers.map((n) => n.url), relay.url], accountOf(p.ops[0]), sub.request);
    await relay.batcher!.poll();
    // Two single settle transactions.
    expect(await client.getTransactionCount({ address: p.oracles[0].address as Hex })).to.equal(nonceBefore + 2);
    const settledLogs = await p.market.queryFilter(p.market.filters.ShardSettled(jobId));
    expect(new Set(settledLogs.map((l) => l.transactionHash)).size).to.equal(2);
    for (const l of settledLogs) {
      const tx = await client.getTransaction({ hash: l.transactionHash as Hex });
      expect(decodeFunctionData({ abi: jobMarketAbi, data: tx.input }).functionName).to.equal("settle");
    }
  });
});

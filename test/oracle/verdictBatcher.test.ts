// The relay's batch coordinator (PROTOCOL §20.6), with its ports faked: peers that sign, lack leaves
// or refuse; the chain's settleVerdicts and single settle recorded; time driven by a manual clock
// (no wall-clock sleep).
import { expect } from "chai";
import path from "node:path";
import { keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { rigelDomain, Verdict, type ShardVerdict, type VerdictBatch } from "../../sdk/eip712/types";
import { hashVerdictBatch, recoverVerdictBatchSigner, signVerdictBatch } from "../../sdk/eip712/verdictBatch";
import { createLogger } from "../../sdk/log/createLogger";
import { verdictsRoot } from "../../sdk/market/verdictTree";
import type { VerdictBatchCosignResult } from "../../sdk/oracleApi/client";
import { shardVerdictFromJson, type SignedShardAttestation, type VerdictBatchRequest } from "../../sdk/oracleApi/types";
import { BatchSigner, batchSubject } from "../../oracle/attest/batchSigner";
import { SignedDigestLog } from "../../oracle/attest/signedDigestLog";
import { SigningGuard } from "../../oracle/attest/signingGuard";
import { VerdictBatcher, type BatchLeaf, type BatchPeer, type BatchTimers } from "../../oracle/relay/verdictBatcher";
import { openOracleDatabase } from "../../oracle/store/oracleDatabase";
import { tempDir } from "../../fixtures/oracleHarness";

const market = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const domain = rigelDomain(31337, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
const [me, peerA, peerB] = [1, 2, 3].map((i) => privateKeyToAccount(toHex(i * 0x1234567, { size: 32 })));
const operator = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as const;
const CHAIN_NOW = 1_000_000n;

function leafAt(i: number, expiry = CHAIN_NOW + 3600n): BatchLeaf {
  const verdict: ShardVerdict = {
    jobId: BigInt(10 + i),
    shard: 0,
    operator,
    resultRoot: keccak256(toHex(`r${i}`)),
    verdict: Verdict.Valid,
    units: 100n,
  };
  const own = { status: "signed", signer: me.address } as unknown as SignedShardAttestation;
  return { verdict, own, expiry };
}

/** A clock and timers that move only when the test says so (`earlyMs`: timers fire that much early, as Node's may). */
class ManualClock implements BatchTimers {
  t = 0;
  constructor(private readonly earlyMs = 0) {}
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = () => this.t;
  set(fn: () => void, ms: number) {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clear(handle: unknown) {
    this.timers.delete(handle as number);
  }
  get armed() {
    return this.timers.size;
  }
  /** Moves time on and fires what falls due. */
  advance(ms: number) {
    this.t += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at - this.earlyMs <= this.t) {
        this.timers.delete(id);
        timer.fn();
      }
    }
  }
}

/** A peer that signs whatever it is asked, lacks the given shards, or refuses (a node without the route). */
function peer(account: typeof peerA, behaviour: { lacks?: bigint[]; refuses?: boolean } = {}) {
  const requests: VerdictBatchRequest[] = [];
  const p: BatchPeer & { requests: VerdictBatchRequest[] } = {
    url: `http://peer-${account.address}`,
    requests,
    async cosign(request): Promise<VerdictBatchCosignResult> {
      requests.push(request);
      if (behaviour.refuses) throw new Error("404 NOT_FOUND");
      const missing = request.verdicts.filter((v) => behaviour.lacks?.includes(BigInt(v.jobId)));
      if (missing.length > 0)
        return { status: "missing", missing: missing.map((m) => ({ jobId: m.jobId, shard: m.shard })) };
      const verdicts = request.verdicts.map(shardVerdictFromJson);
      const batch: VerdictBatch = {
        market: request.market,
        verdictsRoot: verdictsRoot(verdicts),
        count: verdicts.length,
        expiry: BigInt(request.expiry),
      };
      return {
        status: "signed",
        signer: account.address,
        signature: await signVerdictBatch(account, domain, batch),
        root: batch.verdictsRoot,
      };
    },
  };
  return p;
}

function setup(opts: {
  peers: BatchPeer[];
  maxSize?: number;
  maxDelayMs?: number;
  singleQuorum?: boolean;
  inactive?: string[];
  maxRetries?: number;
  /** settleVerdicts throws this many times first (a simulation that reverts). */
  failSends?: number;
  /** Timers fire this many ms before their time. */
  timersEarlyMs?: number;
}) {
  const clock = new ManualClock(opts.timersEarlyMs);
  let failSends = opts.failSends ?? 0;
  const dir = tempDir("batcher");
  const db = openOracleDatabase(":memory:");
  const log = new SignedDigestLog(path.join(dir, "signed.jsonl"));
  const guard = new SigningGuard(log, db);
  const sent: { batch: VerdictBatch; signatures: Hex[]; verdicts: ShardVerdict[] }[] = [];
  const singles: BatchLeaf[] = [];
  const relayed: BatchLeaf[] = [];
  const observed: { leaves: number[]; latency: number[] } = { leaves: [], latency: [] };
  const batcher = new VerdictBatcher({
    market,
    domain,
    signer: new BatchSigner(me, domain, guard),
    peers: opts.peers,
    threshold: async () => 2,
    isActiveSigner: async (signer) => !(opts.inactive ?? []).includes(signer),
    chainTime: async () => CHAIN_NOW,
    settleVerdicts: async (batch, signatures, verdicts) => {
      if (failSends-- > 0) throw new Error('The contract function "settleVerdicts" reverted: FailedCall()');
      sent.push({ batch, signatures, verdicts });
      return keccak256(toHex(sent.length));
    },
    settleSingle: async (leaf) => {
      singles.push(leaf);
      return opts.singleQuorum ?? true;
    },
    onRelayed: (leaves) => relayed.push(...leaves),
    maxSize: opts.maxSize ?? 100,
    maxDelayMs: opts.maxDelayMs ?? 2000,
    maxRetries: opts.maxRetries,
    now: clock.now,
    timers: clock,
    metrics: {
      batchLeaves: { observe: (v: number) => void observed.leaves.push(v) },
      batchLatencySeconds: { observe: (v: number) => void observed.latency.push(v) },
      settlements: { inc: () => undefined },
    },
    logger: createLogger({ name: "batcher-test", level: "silent" }),
  });
  return { clock, batcher, sent, singles, relayed, observed, log };
}

describe("oracle relay: the verdict batcher (PROTOCOL §20.6)", function () {
  it("closes a batch by size: the 5th leaf of maxSize 5 sends one settleVerdicts at once, with a quorum over the same root", async function () {
    const a = peer(peerA);
    const t = setup({ peers: [a, peer(peerB)], maxSize: 5 });
    for (let i = 0; i < 4; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    t.batcher.add(leafAt(4));
    await t.batcher.poll();
    expect(t.sent).to.have.length(1);
    const { batch, signatures, verdicts } = t.sent[0];
    expect(verdicts.map((v) => v.jobId)).to.deep.equal([10n, 11n, 12n, 13n, 14n]);
    expect(batch).to.deep.include({
      market,
      count: 5,
      expiry: CHAIN_NOW + 3600n,
      verdictsRoot: verdictsRoot(verdicts),
    });
    expect(signatures).to.have.length(2);
    const signers = await Promise.all(signatures.map((s) => recoverVerdictBatchSigner(domain, batch, s)));
    expect(signers.map((s) => BigInt(s))).to.deep.equal(signers.map((s) => BigInt(s)).sort((x, y) => (x < y ? -1 : 1)));
    expect(t.relayed.map((l) => l.verdict.jobId)).to.deep.equal([10n, 11n, 12n, 13n, 14n]);
    expect(t.observed.leaves).to.deep.equal([5]);
    // This node's own statement went through its signed-digest log first.
    expect(t.log.digestOf(batchSubject(market, batch.verdictsRoot))).to.equal(hashVerdictBatch(domain, batch));
    expect(t.batcher.size).to.equal(0);
  });

  it("closes a batch by delay: maxDelayMs after its oldest leaf, not before, whatever arrives in between", async function () {
    const t = setup({ peers: [peer(peerA)], maxDelayMs: 2000 });
    t.batcher.add(leafAt(0));
    t.clock.advance(1500);
    t.batcher.add(leafAt(1));
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    t.clock.advance(499);
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    t.clock.advance(1);
    await t.batcher.poll();
    expect(t.sent).to.have.length(1);
    expect(t.sent[0].verdicts).to.have.length(2);
    expect(t.observed.latency).to.deep.equal([2]);
    // The next leaf opens a new batch with its own timer.
    t.batcher.add(leafAt(2));
    expect(t.clock.armed).to.equal(1);
    t.clock.advance(2000);
    await t.batcher.poll();
    expect(t.sent).to.have.length(2);
  });

  it("a timer that fires a millisecond early does not stop the relay (old rule: no batch closed again)", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 3, maxDelayMs: 1000, timersEarlyMs: 1 });
    t.batcher.add(leafAt(0));
    t.clock.advance(999); // the timer fires; the leaf is not due yet, so nothing closes
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    t.clock.advance(1); // the timer re-armed for the leaf's time closes it
    await t.batcher.poll();
    expect(t.sent.map((b) => b.verdicts.length)).to.deep.equal([1]);
    // And the relay goes on: a full batch closes at once, a lone leaf by its delay.
    for (let i = 1; i <= 3; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    t.batcher.add(leafAt(4));
    t.clock.advance(1000);
    await t.batcher.poll();
    expect(t.sent.map((b) => b.verdicts.length)).to.deep.equal([1, 3, 1]);
    expect(t.batcher.size).to.equal(0);
  });

  it("a batch whose settleVerdicts fails goes back to the queue and is settled by the next batch (old rule: its leaves were dropped)", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 5, maxDelayMs: 1000, failSends: 1 });
    for (let i = 0; i < 3; i++) t.batcher.add(leafAt(i));
    t.clock.advance(1000);
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    expect(t.relayed).to.have.length(0);
    for (let i = 0; i < 3; i++) expect(t.batcher.holds(BigInt(10 + i), 0), `leaf ${i} kept`).to.equal(true);
    t.clock.advance(1000);
    await t.batcher.poll();
    expect(t.sent).to.have.length(1);
    expect(t.sent[0].verdicts.map((v) => v.jobId)).to.deep.equal([10n, 11n, 12n]);
    expect(t.relayed).to.have.length(3);
    expect(t.singles).to.have.length(0);
    expect(t.batcher.size).to.equal(0);
  });

  it("a batch that keeps failing takes the single path after maxRetries (nothing is dropped)", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 2, maxDelayMs: 1000, failSends: 100, maxRetries: 2 });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(1));
    for (let round = 0; round < 3; round++) {
      await t.batcher.poll();
      t.clock.advance(1000);
    }
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    expect(t.singles.map((l) => l.verdict.jobId)).to.deep.equal([10n, 11n]);
    expect(t.relayed).to.have.length(2);
    expect(t.batcher.size).to.equal(0);
  });

  it("the batch's expiry is its earliest leaf's (so the statement outlives none of them)", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 3 });
    t.batcher.add(leafAt(0, CHAIN_NOW + 5000n));
    t.batcher.add(leafAt(1, CHAIN_NOW + 900n));
    t.batcher.add(leafAt(2, CHAIN_NOW + 7000n));
    await t.batcher.poll();
    expect(t.sent[0].batch.expiry).to.equal(CHAIN_NOW + 900n);
  });

  it("below the quorum (threshold 2, no peer signs), nothing is sent as a batch: each leaf takes the single path", async function () {
    const t = setup({ peers: [peer(peerA, { refuses: true }), peer(peerB, { refuses: true })], maxSize: 3 });
    for (let i = 0; i < 3; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    expect(t.sent).to.have.length(0);
    expect(t.singles.map((l) => l.verdict.jobId)).to.deep.equal([10n, 11n, 12n]);
    expect(t.relayed).to.have.length(3);
  });

  it("the single path without a quorum either: the leaves are not marked relayed, and come back when offered again", async function () {
    const t = setup({ peers: [peer(peerA, { refuses: true })], maxSize: 2, singleQuorum: false });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(1));
    await t.batcher.poll();
    expect(t.relayed).to.have.length(0);
    expect(t.batcher.holds(10n, 0)).to.equal(false);
    t.batcher.add(leafAt(0));
    expect(t.batcher.holds(10n, 0)).to.equal(true);
  });

  it("a peer that lacks a leaf: that leaf is held back, the rest asked once more and settled in one batch; the held leaf goes in a later batch once the peer has decided it", async function () {
    const behaviour = { lacks: [11n] };
    const a = peer(peerA, behaviour);
    const t = setup({ peers: [a], maxSize: 3, maxDelayMs: 1000 });
    for (let i = 0; i < 3; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    // The batch without it, then the held leaf asked for alone (another peer might hold it).
    expect(a.requests).to.have.length(3);
    expect(a.requests[1].verdicts.map((v) => v.jobId)).to.deep.equal(["10", "12"]);
    expect(a.requests[2].verdicts.map((v) => v.jobId)).to.deep.equal(["11"]);
    expect(t.sent).to.have.length(1);
    expect(t.sent[0].verdicts.map((v) => v.jobId)).to.deep.equal([10n, 12n]);
    expect(t.relayed.map((l) => l.verdict.jobId)).to.deep.equal([10n, 12n]);
    // Old rule: the held leaf was released and settled alone (one `settle` each, ~1.4 s apart under load).
    expect(t.singles).to.have.length(0);
    expect(t.batcher.holds(11n, 0)).to.equal(true); // back in the queue, not settled alone
    behaviour.lacks = [];
    t.clock.advance(999);
    await t.batcher.poll();
    expect(t.sent).to.have.length(1); // not before maxDelayMs
    t.clock.advance(1);
    await t.batcher.poll();
    expect(t.sent).to.have.length(2);
    expect(t.sent[1].verdicts.map((v) => v.jobId)).to.deep.equal([11n]);
    expect(t.singles).to.have.length(0);
    expect(t.batcher.holds(11n, 0)).to.equal(false);
  });

  it("leaves the co-signing peer lacks but another peer holds go in a second batch of the same close (old rule: back to the queue)", async function () {
    const a = peer(peerA, { lacks: [11n] });
    const b = peer(peerB, { lacks: [10n] });
    const t = setup({ peers: [a, b], maxSize: 3, maxDelayMs: 1000 });
    for (let i = 0; i < 3; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    expect(t.sent.map((x) => x.verdicts.map((v) => v.jobId))).to.deep.equal([[10n, 12n], [11n]]);
    expect(t.relayed.map((l) => l.verdict.jobId)).to.have.members([10n, 11n, 12n]);
    expect(t.singles).to.have.length(0);
    expect(t.batcher.size).to.equal(0);
    for (const x of t.sent) {
      const signers = await Promise.all(x.signatures.map((sig) => recoverVerdictBatchSigner(domain, x.batch, sig)));
      expect(signers).to.have.length(2);
    }
  });

  it("a leaf the peers never decide comes back at most maxRetries times, then takes the single path", async function () {
    const a = peer(peerA, { lacks: [11n] });
    const t = setup({ peers: [a], maxSize: 2, maxDelayMs: 1000, maxRetries: 2 });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(1));
    await t.batcher.poll();
    expect(t.sent.map((s) => s.verdicts.map((v) => v.jobId))).to.deep.equal([[10n]]);
    expect(t.batcher.holds(11n, 0)).to.equal(true); // back in the queue once
    t.clock.advance(1000);
    await t.batcher.poll();
    expect(t.singles).to.have.length(0);
    expect(t.batcher.holds(11n, 0)).to.equal(true); // twice
    t.clock.advance(1000);
    await t.batcher.poll();
    expect(t.singles.map((l) => l.verdict.jobId)).to.deep.equal([11n]);
    expect(t.batcher.holds(11n, 0)).to.equal(false);
    expect(t.sent).to.have.length(1);
  });

  it("2-of-3: only what the peer lacking the fewest leaves lacks is dropped (a lagging third peer does not shrink the batch)", async function () {
    const lagging = peer(peerA, { lacks: [11n, 12n] });
    const b = peer(peerB, { lacks: [12n] });
    const t = setup({ peers: [lagging, b], maxSize: 3 });
    for (let i = 0; i < 3; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    // Old rule: the union [11, 12] was dropped, and a batch of one leaf sent.
    expect(t.sent).to.have.length(1);
    expect(t.sent[0].verdicts.map((v) => v.jobId)).to.deep.equal([10n, 11n]);
    expect(t.batcher.holds(12n, 0)).to.equal(true);
  });

  it("one peer suffices for 2-of-3: a second peer that refuses or lacks leaves changes nothing", async function () {
    const t = setup({ peers: [peer(peerA, { refuses: true }), peer(peerB)], maxSize: 2 });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(1));
    await t.batcher.poll();
    expect(t.sent).to.have.length(1);
    expect(t.singles).to.have.length(0);
  });

  it("a leaf near the end of its verify window goes alone at once, by the single path, without waiting for the batch", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 100 });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(1, CHAIN_NOW + 30n)); // 30 s left: urgent (≤ 60 s)
    await t.batcher.poll();
    // The batcher did not know the chain time yet: the first close learns it, the urgent leaf goes alone.
    t.clock.advance(2000);
    await t.batcher.poll();
    expect(t.singles.map((l) => l.verdict.jobId)).to.deep.equal([11n]);
    expect(t.sent).to.have.length(1);
    expect(t.sent[0].verdicts.map((v) => v.jobId)).to.deep.equal([10n]);
    // Now that it knows the chain's time, an urgent leaf closes at once, with no timer.
    t.batcher.add(leafAt(2, CHAIN_NOW + 10n));
    await t.batcher.poll();
    expect(t.singles.map((l) => l.verdict.jobId)).to.deep.equal([11n, 12n]);
  });

  it("a co-signer that is no longer an active committee member does not count (its signature would revert the whole batch)", async function () {
    const t = setup({ peers: [peer(peerA), peer(peerB)], maxSize: 2, inactive: [peerA.address] });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(1));
    await t.batcher.poll();
    expect(t.sent).to.have.length(1);
    const signers = await Promise.all(
      t.sent[0].signatures.map((s) => recoverVerdictBatchSigner(domain, t.sent[0].batch, s)),
    );
    expect(signers).to.not.include(peerA.address);
    expect(signers).to.include(peerB.address);
    const alone = setup({ peers: [peer(peerA)], maxSize: 1, inactive: [peerA.address] });
    alone.batcher.add(leafAt(0));
    await alone.batcher.poll();
    expect(alone.sent).to.have.length(0);
    expect(alone.singles).to.have.length(1);
  });

  it("a shard is held once: adding it again while it waits is a no-op", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 2 });
    t.batcher.add(leafAt(0));
    t.batcher.add(leafAt(0));
    expect(t.batcher.size).to.equal(1);
    await t.batcher.flush();
    expect(t.sent[0].verdicts).to.have.length(1);
  });

  it("more than maxSize leaves go out in several batches of at most maxSize, oldest first", async function () {
    const t = setup({ peers: [peer(peerA)], maxSize: 4, maxDelayMs: 1000 });
    for (let i = 0; i < 10; i++) t.batcher.add(leafAt(i));
    await t.batcher.poll();
    t.clock.advance(1000);
    await t.batcher.poll();
    expect(t.sent.map((s) => s.verdicts.length)).to.deep.equal([4, 4, 2]);
    expect(t.sent[0].verdicts[0].jobId).to.equal(10n);
  });
});

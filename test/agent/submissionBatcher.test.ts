import { expect } from "chai";
import type { Hex } from "viem";
import { SubmissionBatcher, type Submission, type SubmissionSender } from "../../agent/chain/submissionBatcher";

const sub = (jobId: number, shard = 0): Submission => ({
  jobId: BigInt(jobId),
  shard,
  resultRoot: `0x${jobId.toString(16).padStart(64, "0")}` as Hex,
  units: 1n,
  resultURI: `http://agent/v1/results/${jobId}/${shard}`,
});

/** A sender that records each transaction; `failMany` makes every submitMany throw, `failOne` one shard's submit. */
function recordingSender(o: { failMany?: boolean; failOne?: bigint } = {}) {
  const sent: { kind: "many" | "one"; jobs: bigint[]; at: number }[] = [];
  let block = 100n;
  const sender: SubmissionSender = {
    async submitMany(subs) {
      sent.push({ kind: "many", jobs: subs.map((s) => s.jobId), at: Date.now() });
      if (o.failMany) throw new Error("MarketBadShardState");
      return { hash: `0x${"aa".repeat(32)}`, blockNumber: ++block };
    },
    async submit(s) {
      sent.push({ kind: "one", jobs: [s.jobId], at: Date.now() });
      if (s.jobId === o.failOne) throw new Error("MarketNotOperator");
      return { hash: `0x${"bb".repeat(32)}`, blockNumber: ++block };
    },
  };
  return { sender, sent };
}

describe("agent: SubmissionBatcher (submitMany by size or delay)", function () {
  it("closes a batch at maxBatch shards: one submitMany, every shard resolved with its block", async function () {
    const { sender, sent } = recordingSender();
    const b = new SubmissionBatcher({ sender, maxBatch: 3, maxDelayMs: 60_000 });
    const txs = await Promise.all([1, 2, 3].map((j) => b.submit(sub(j))));
    expect(sent).to.have.length(1);
    expect(sent[0].kind).to.equal("many");
    expect(sent[0].jobs).to.deep.equal([1n, 2n, 3n]);
    expect(txs.map((t) => t.blockNumber)).to.deep.equal([101n, 101n, 101n]);
    expect(txs.every((t) => t.batchSize === 3)).to.equal(true);
  });

  it("closes a smaller batch maxDelayMs after its oldest shard (nothing waits longer)", async function () {
    const { sender, sent } = recordingSender();
    const b = new SubmissionBatcher({ sender, maxBatch: 100, maxDelayMs: 150 });
    const t0 = Date.now();
    const first = b.submit(sub(1));
    await new Promise((r) => setTimeout(r, 50));
    const second = b.submit(sub(2));
    await Promise.all([first, second]);
    expect(sent).to.have.length(1);
    expect(sent[0].jobs).to.deep.equal([1n, 2n]);
    // The timer runs from the oldest shard, not the newest: sent ~150 ms after the first.
    expect(sent[0].at - t0).to.be.at.least(140);
  });

  it("sends a single waiting shard alone with submit, not submitMany", async function () {
    const { sender, sent } = recordingSender();
    const b = new SubmissionBatcher({ sender, maxBatch: 10, maxDelayMs: 20 });
    const tx = await b.submit(sub(7));
    expect(sent.map((s) => [s.kind, s.jobs])).to.deep.equal([["one", [7n]]]);
    expect(tx.batchSize).to.equal(1);
  });

  it("sends an urgent shard (near its deadline) alone at once, without waiting for the batch", async function () {
    const { sender, sent } = recordingSender();
    const b = new SubmissionBatcher({ sender, maxBatch: 10, maxDelayMs: 60_000 });
    void b.submit(sub(1));
    const urgent = await b.submit(sub(2), { urgent: true });
    expect(urgent.batchSize).to.equal(1);
    expect(sent.map((s) => s.kind)).to.deep.equal(["one"]);
    expect(b.waiting).to.equal(1);
    await b.flush();
    expect(sent.map((s) => s.jobs)).to.deep.equal([[2n], [1n]]);
  });

  it("retries each shard alone when the batch fails; only the bad shard rejects", async function () {
    const { sender, sent } = recordingSender({ failMany: true, failOne: 2n });
    const b = new SubmissionBatcher({ sender, maxBatch: 3, maxDelayMs: 60_000 });
    const results = await Promise.allSettled([1, 2, 3].map((j) => b.submit(sub(j))));
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    expect(sent.map((s) => s.kind)).to.deep.equal(["many", "one", "one", "one"]);
    expect(sent.slice(1).flatMap((s) => s.jobs)).to.have.members([1n, 2n, 3n]);
  });

  it("shares one pending promise when the same shard is asked twice", async function () {
    const { sender, sent } = recordingSender();
    const b = new SubmissionBatcher({ sender, maxBatch: 2, maxDelayMs: 60_000 });
    const a1 = b.submit(sub(1));
    const a2 = b.submit(sub(1));
    expect(a1).to.equal(a2);
    expect(b.waiting).to.equal(1);
    await Promise.all([a1, b.submit(sub(2))]);
    expect(sent).to.have.length(1);
  });

  it("splits an arrival larger than maxBatch into full batches sent at once", async function () {
    const { sender, sent } = recordingSender();
    const b = new SubmissionBatcher({ sender, maxBatch: 2, maxDelayMs: 60_000 });
    const all = [1, 2, 3, 4, 5].map((j) => b.submit(sub(j)));
    await Promise.all(all.slice(0, 4));
    expect(sent.map((s) => s.jobs)).to.deep.equal([
      [1n, 2n],
      [3n, 4n],
    ]);
    await b.flush();
    await all[4];
    expect(sent.map((s) => s.jobs)[2]).to.deep.equal([5n]);
  });
});

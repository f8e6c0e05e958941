// An assigned shard nobody accepted reopens to others after the market's grace (PROTOCOL §20.9): the
// agent skips another operator's shard before `assignmentsReopenAt` and admits it from then on.
import { expect } from "chai";
import { decideShard, type ShardOffer, type ShardPolicy } from "../../agent/policy/shardPolicy";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";

const ME = "0x00000000000000000000000000000000000000aa" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const GIB = 2 ** 30;

const policy: ShardPolicy = { kinds: ["matmul-int8"], minPricePerUnit: 0n, paymentTokens: [], maxConcurrentShards: 2 };

function offer(over: Partial<ShardOffer>): ShardOffer {
  return {
    operator: ME,
    spec: parseJobSpec({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 64, n: 64, k: 64 }),
    shard: 0,
    job: {
      paymentToken: OTHER,
      maxPricePerUnit: 100n,
      maxUnitsPerShard: 10n,
      minVramMiB: 0,
      minOpsPerSec: 0n,
      deadline: 10_000n,
      shards: 1,
    },
    assigned: OTHER,
    capacity: { opsPerSec: 10n, vramMiB: 1024, validUntil: 20_000n },
    localVramMiB: 2048,
    freeStake: 500n,
    collateral: 500n,
    jailedUntil: 0n,
    running: 0,
    host: { cpus: 2, gpus: 0, memoryBytes: 8 * GIB, freeDiskBytes: 20 * GIB },
    gpusInUse: 0,
    now: 1_000n,
    submitMarginSec: 30n,
    ...over,
  };
}

describe("agent/policy: shards assigned to another operator, before and after the reopen time", () => {
  it("reopens at 1,600: skipped at 1,599 (says until when), admitted at 1,600 and later", () => {
    expect(decideShard(policy, offer({ reopensAt: 1_600n, now: 1_599n }))).to.deep.equal({
      take: false,
      reason: `assigned to ${OTHER} until 1600`,
    });
    expect(decideShard(policy, offer({ reopensAt: 1_600n, now: 1_600n }))).to.deep.equal({ take: true });
    expect(decideShard(policy, offer({ reopensAt: 1_600n, now: 5_000n }))).to.deep.equal({ take: true });
  });

  it("a market without the rule (no reopen time, or 0): never ours", () => {
    expect(decideShard(policy, offer({ now: 9_000n }))).to.deep.equal({ take: false, reason: `assigned to ${OTHER}` });
    expect(decideShard(policy, offer({ reopensAt: 0n, now: 9_000n }))).to.deep.equal({
      take: false,
      reason: `assigned to ${OTHER}`,
    });
  });

  it("admitted after the reopen time, it still meets every other rule (price below the minimum: declined)", () => {
    const strict = { ...policy, minPricePerUnit: 101n };
    expect(decideShard(strict, offer({ reopensAt: 1_600n, now: 2_000n }))).to.deep.equal({
      take: false,
      reason: "price 100 below the minimum 101",
    });
  });
});

import { expect } from "chai";
import { zeroAddress } from "viem";
import { decideShard, type ShardOffer, type ShardPolicy } from "../../agent/policy/shardPolicy";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";

const ME = "0x00000000000000000000000000000000000000aa" as const;
const TOKEN = "0x00000000000000000000000000000000000000cc" as const;
const GIB = 2 ** 30;
const policy: ShardPolicy = {
  kinds: ["llm-inference"],
  minPricePerUnit: 1n,
  paymentTokens: [],
  maxConcurrentShards: 1,
};
const file = (n: string) => ({ uri: `file:///m/${n}`, sha256: n.padEnd(64, "0").replace(/[^0-9a-f]/g, "a") });
const llm = (items: string[], maxNewTokens = 8): JobSpec =>
  parseJobSpec({
    kind: "llm-inference",
    model: { config: file("c"), weights: file("d"), vocab: file("e"), merges: file("f") },
    items,
    maxNewTokens,
  });

function offer(over: Partial<ShardOffer> = {}, host: Partial<ShardOffer["host"]> = {}): ShardOffer {
  return {
    operator: ME,
    spec: llm(["Hello", "world"]),
    shard: 0,
    job: {
      paymentToken: TOKEN,
      maxPricePerUnit: 10n,
      // The token bound of ["Hello", "world"] with maxNewTokens 8: (5 + 8) + (5 + 8) = 26.
      maxUnitsPerShard: 26n,
      minVramMiB: 0,
      minOpsPerSec: 0n,
      deadline: 10_000n,
      shards: 1,
    },
    assigned: zeroAddress,
    llmModel: { nPositions: 128 },
    capacity: { opsPerSec: 10n, vramMiB: 0, validUntil: 20_000n },
    localVramMiB: 0,
    freeStake: 500n,
    collateral: 500n,
    jailedUntil: 0n,
    running: 0,
    host: { cpus: 2, gpus: 0, memoryBytes: 8 * GIB, freeDiskBytes: 20 * GIB, llmRuntime: { runnable: true }, ...host },
    gpusInUse: 0,
    now: 1_000n,
    submitMarginSec: 30n,
    ...over,
  };
}

describe("agent/policy/decideShard: llm-inference admission (PROTOCOL §19.7)", () => {
  it("takes a shard the runtime and the model's context can run, paid for its token bound", () => {
    expect(decideShard(policy, offer())).to.deep.equal({ take: true });
  });

  it("declines when the runtime does not run here or was not probed", () => {
    expect(
      decideShard(policy, offer({}, { llmRuntime: { runnable: false, reason: 'python3 -c "import numpy" failed' } })),
    ).to.deep.equal({
      take: false,
      reason: 'the inference runtime does not run here: python3 -c "import numpy" failed',
    });
    expect(decideShard(policy, offer({}, { llmRuntime: undefined }))).to.deep.equal({
      take: false,
      reason: "the inference runtime was not probed on this host",
    });
  });

  it("declines when the model's config was not read", () => {
    expect(decideShard(policy, offer({ llmModel: undefined }))).to.deep.equal({
      take: false,
      reason: "the model's config.json was not read",
    });
  });

  it("declines a prompt longer in bytes than the context (it may not fit: not the developer's proven fault); prompt + maxNewTokens past the context is taken (the runtime cuts)", () => {
    const spec = llm(["a".repeat(129), "b"], 8);
    expect(decideShard(policy, offer({ spec }, {}))).to.deep.equal({
      take: false,
      reason: "item 0's prompt is 129 bytes, more than the model's context of 128 tokens may hold",
    });
    // 128 bytes + 8 new tokens > 128 positions: generation stops at the context, checked the same way by the oracle.
    const fits = llm(["a".repeat(128)], 8);
    const o = offer({ spec: fits });
    expect(decideShard(policy, { ...o, job: { ...o.job, maxUnitsPerShard: 136n } })).to.deep.equal({ take: true });
  });

  it("declines a shard whose token bound exceeds maxUnitsPerShard (it could be paid for less than it generates)", () => {
    const o = offer();
    expect(decideShard(policy, { ...o, job: { ...o.job, maxUnitsPerShard: 25n } })).to.deep.equal({
      take: false,
      reason: "the shard's items may take 26 tokens, the job pays at most 25 per shard",
    });
  });

  it("declines a shard whose worst-case proof exceeds what the committee accepts (it could go unproven and be slashed)", () => {
    // 32 items of 1-byte prompts and 500 new tokens: 32 × (501 × 64 + 4096) = 1,157,120 bytes > 1 MiB.
    const big = llm(new Array(32).fill("a"), 500);
    const o = offer({ spec: big });
    const job = { ...o.job, maxUnitsPerShard: 32n * 501n };
    expect(decideShard(policy, { ...o, job })).to.deep.equal({
      take: false,
      reason: "the shard's proof may take 1157120 bytes, the committee accepts 1048576",
    });
    expect(decideShard({ ...policy, maxProofBytes: 1_157_120 }, { ...o, job })).to.deep.equal({ take: true });
    // 400 new tokens: 32 × (401 × 64 + 4096) = 952,320 bytes fit.
    const fits = llm(new Array(32).fill("a"), 400);
    expect(
      decideShard(policy, { ...offer({ spec: fits }), job: { ...o.job, maxUnitsPerShard: 32n * 401n } }),
    ).to.deep.equal({
      take: true,
    });
  });

  it("checks only the offered shard's items", () => {
    const spec = llm(["a".repeat(200), "ok"], 8);
    const o = offer({ spec, shard: 1 });
    expect(decideShard(policy, { ...o, job: { ...o.job, shards: 2, maxUnitsPerShard: 10n } })).to.deep.equal({
      take: true,
    });
  });
});

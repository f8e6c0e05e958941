import { expect } from "chai";
import type { Hex } from "viem";
import { JobCache, type ImmutableJob } from "../../agent/shard/jobCache";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";

const HASH = `0x${"cd".repeat(32)}` as Hex;
const spec = { kind: "matmul-int8", version: 1, seed: HASH, m: 4, n: 4, k: 4, rowStart: 0, rowEnd: 4 } as JobSpec;

/** A source that counts its reads and fails the first `failures` of each kind. */
function countingSource(failures = 0) {
  const reads = { job: 0, spec: 0 };
  return {
    reads,
    source: {
      job: async (jobId: bigint) => {
        reads.job += 1;
        if (reads.job <= failures) throw new Error("rpc down");
        return { shards: 2, specHash: HASH, deadline: jobId } as unknown as ImmutableJob;
      },
      spec: async () => {
        reads.spec += 1;
        if (reads.spec <= failures) throw new Error("spec server down");
        return spec;
      },
    },
  };
}

describe("agent/shard/JobCache", () => {
  it("reads a job and its spec once, however many shards and steps ask (regression: four fetches per shard)", async () => {
    const { reads, source } = countingSource();
    const cache = new JobCache(source);
    const asks = [];
    for (let step = 0; step < 8; step++) asks.push(cache.job(7n), cache.spec(7n, "data:,", HASH));
    await Promise.all(asks);
    expect(reads).to.deep.equal({ job: 1, spec: 1 });
    expect((await cache.job(7n)).deadline).to.equal(7n);
  });

  it("forgets a failed read, so the next step tries again", async () => {
    const { reads, source } = countingSource(1);
    const cache = new JobCache(source);
    await cache.job(1n).then(
      () => expect.fail("should fail"),
      (err: Error) => expect(err.message).to.equal("rpc down"),
    );
    await cache.spec(1n, "data:,", HASH).catch(() => undefined);
    expect(await cache.spec(1n, "data:,", HASH)).to.equal(spec);
    expect((await cache.job(1n)).shards).to.equal(2);
    expect(reads).to.deep.equal({ job: 2, spec: 2 });
  });

  it("holds at most `limit` jobs, dropping the one read longest ago", async () => {
    const { reads, source } = countingSource();
    const cache = new JobCache(source, 2);
    await cache.job(1n);
    await cache.job(2n);
    await cache.job(3n);
    expect(reads.job).to.equal(3);
    await cache.job(3n);
    await cache.job(2n);
    expect(reads.job).to.equal(3);
    await cache.job(1n);
    expect(reads.job).to.equal(4);
  });
});

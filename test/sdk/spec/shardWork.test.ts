import { expect } from "chai";
import fc from "fast-check";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import {
  containerShardItems,
  evenSplit,
  matmulShardRows,
  matmulUnits,
  ShardWorkError,
} from "../../../sdk/spec/shardWork";
import type { ContainerJobSpec, MatmulInt8Spec } from "../../../sdk/spec/jobSpecTypes";

const SEED = `0x${"11".repeat(32)}`;

describe("sdk/spec/shardWork", () => {
  it("splits evenly, covering every unit exactly once with non-empty parts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 64 }), (total, s) => {
        const shards = Math.min(s, total);
        let next = 0;
        for (let i = 0; i < shards; i++) {
          const r = evenSplit(total, shards, i);
          expect(r.start).to.equal(next);
          expect(r.end).to.be.greaterThan(r.start);
          expect(r.end - r.start).to.be.within(Math.floor(total / shards), Math.ceil(total / shards));
          next = r.end;
        }
        expect(next).to.equal(total);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses more shards than work, and a shard outside the job", () => {
    expect(() => evenSplit(3, 4, 0)).to.throw(ShardWorkError, /cannot split 3 into 4/);
    expect(() => evenSplit(10, 2, 2)).to.throw(ShardWorkError, /shard 2 is not in \[0, 2\)/);
  });

  it("matmul shards split the spec's own row range, in absolute rows", () => {
    const spec = parseJobSpec({
      kind: "matmul-int8",
      seed: SEED,
      m: 100,
      n: 8,
      k: 8,
      rowStart: 10,
      rowEnd: 20,
    }) as MatmulInt8Spec;
    expect(matmulShardRows(spec, 3, 0)).to.deep.equal({ start: 10, end: 13 });
    expect(matmulShardRows(spec, 3, 2)).to.deep.equal({ start: 16, end: 20 });
  });

  it("itemised container jobs split items; a single run is one shard", () => {
    const items = parseJobSpec({
      kind: "container",
      image: "rigel/busybox:test",
      items: [1, 2, 3, 4, 5],
    }) as ContainerJobSpec;
    expect(containerShardItems(items, 2, 1)).to.deep.equal({ start: 2, end: 5 });
    const single = parseJobSpec({ kind: "container", image: "rigel/busybox:test" }) as ContainerJobSpec;
    expect(containerShardItems(single, 1, 0)).to.equal(undefined);
    expect(() => containerShardItems(single, 2, 0)).to.throw(ShardWorkError, /one shard/);
  });

  it("matmul units are 10^9 multiply-adds, rounded up, at least one", () => {
    expect(matmulUnits(1, 1, 1)).to.equal(1n);
    expect(matmulUnits(1000, 1000, 1000)).to.equal(1n);
    expect(matmulUnits(1001, 1000, 1000)).to.equal(2n);
    expect(matmulUnits(8192, 8192, 8192)).to.equal(550n);
  });
});

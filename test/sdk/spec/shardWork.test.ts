import { expect } from "chai";
import fc from "fast-check";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import {
  containerShardItems,
  evenSplit,
  matmulShardRows,
  matmulUnits,
  ShardWorkError,
  shardWorkRange,
} from "../../../sdk/spec/shardWork";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { SpecValidationError } from "../../../sdk/spec/SpecValidationError";
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

  describe("uneven split (spec.split)", () => {
    const matmul = (split?: number[]) =>
      parseJobSpec({
        kind: "matmul-int8",
        seed: SEED,
        m: 100,
        n: 8,
        k: 8,
        rowStart: 10,
        rowEnd: 20,
        split,
      }) as MatmulInt8Spec;

    it("gives each shard its own row range, in absolute rows, covering the range once", () => {
      const spec = matmul([5, 1, 4]);
      expect([0, 1, 2].map((i) => matmulShardRows(spec, 3, i))).to.deep.equal([
        { start: 10, end: 15 },
        { start: 15, end: 16 },
        { start: 16, end: 20 },
      ]);
      expect(shardWorkRange(spec, 3, 1)).to.deep.equal({ start: 15, end: 16 });
    });

    it("covers the work exactly once for any split", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 64 }), (split) => {
          const total = split.reduce((a, b) => a + b, 0);
          const spec = parseJobSpec({ kind: "matmul-int8", seed: SEED, m: total, n: 2, k: 2, split }) as MatmulInt8Spec;
          let next = 0;
          split.forEach((size, i) => {
            const r = matmulShardRows(spec, split.length, i);
            expect(r).to.deep.equal({ start: next, end: next + size });
            next = r.end;
          });
          expect(next).to.equal(total);
        }),
        { numRuns: 100 },
      );
    });

    it("splits items of container jobs", () => {
      const spec = parseJobSpec({
        kind: "container",
        image: "rigel/busybox:test",
        items: [1, 2, 3, 4, 5],
        split: [4, 1],
      }) as ContainerJobSpec;
      expect(containerShardItems(spec, 2, 0)).to.deep.equal({ start: 0, end: 4 });
      expect(containerShardItems(spec, 2, 1)).to.deep.equal({ start: 4, end: 5 });
    });

    it("refuses a shard count other than the split's", () => {
      expect(() => matmulShardRows(matmul([5, 5]), 3, 0)).to.throw(ShardWorkError, /into 2 shards, not 3/);
      expect(() => matmulShardRows(matmul([5, 5]), 2, 2)).to.throw(ShardWorkError, /shard 2 is not in/);
    });

    it("is part of the canonical form, so the spec hash covers it; absent keeps the old hash", () => {
      const plain = hashJobSpec(matmul());
      expect(plain.canonical).to.not.include("split");
      const a = hashJobSpec(matmul([5, 5]));
      const b = hashJobSpec(matmul([6, 4]));
      expect(a.canonical).to.include('"split":[5,5]');
      expect(a.hash).to.not.equal(b.hash);
      expect(a.hash).to.not.equal(plain.hash);
    });

    it("rejects sizes that are not ≥ 1, do not sum to the work, are too many, or lack items", () => {
      const issues = (input: Record<string, unknown>) => {
        try {
          parseJobSpec(input);
        } catch (err) {
          return (err as SpecValidationError).issues;
        }
        throw new Error("expected a SpecValidationError");
      };
      const base = { kind: "matmul-int8", seed: SEED, m: 10, n: 2, k: 2 };
      expect(issues({ ...base, split: [5, 0, 5] })).to.deep.equal([
        { path: "split[1]", message: "must be an integer ≥ 1 (every shard gets some work)" },
      ]);
      expect(issues({ ...base, split: [5, 4] })).to.deep.equal([
        { path: "split", message: "must sum to the job's work (10), not 9" },
      ]);
      expect(issues({ ...base, m: 100, split: new Array(65).fill(1) })[0].path).to.equal("split");
      expect(issues({ ...base, split: [] })[0].message).to.match(/1 to 64 shard sizes/);
      expect(issues({ kind: "container", image: "rigel/busybox:test", split: [1] })).to.deep.include({
        path: "split",
        message: "needs `items`: a container job without items is one run",
      });
      expect(issues({ kind: "container", image: "rigel/busybox:test", items: [1, 2], split: [1, 2] })).to.deep.equal([
        { path: "split", message: "must sum to the job's work (2), not 3" },
      ]);
    });
  });
});

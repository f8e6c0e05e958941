import { expect } from "chai";
import { exactTokenPlan } from "../../../sdk/planner/exactTokenPlan";
import { planMaxUnitsForSpec } from "../../../sdk/planner/plannerJobForSpec";
import type { Plan } from "../../../sdk/planner/types";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

const H = (c: string) => `0x${c.repeat(64)}`;
const file = (name: string, c: string) => ({ uri: `file:///m/${name}`, sha256: H(c) });
const spec = parseJobSpec({
  kind: "llm-inference",
  model: {
    architecture: "gpt2",
    config: file("config.json", "1"),
    weights: file("model.safetensors", "2"),
    vocab: file("vocab.json", "3"),
    merges: file("merges.txt", "4"),
  },
  // UTF-8 bytes 1, 30, 2, 3; maxNewTokens 4 → bounds 5, 34, 6, 7.
  items: ["a", "a much longer prompt than most", "é", "xyz"],
  maxNewTokens: 4,
  decoding: { mode: "greedy" },
});
const PRICE = 2_000_000_000_000_000n;

/** A plan as the planner makes it: every item weighs the heaviest bound (34 tokens). */
function heaviestPlan(split: number[]): Plan {
  let start = 0;
  const shards = split.map((items, shard) => {
    const s = { shard, operator: `0x${String(shard + 1).repeat(40)}`, start, end: start + items, items };
    start += items;
    return { ...s, units: BigInt(items) * 34n, cost: BigInt(items) * 34n * PRICE, seconds: 1 };
  });
  const max = shards.reduce((m, s) => (s.units > m ? s.units : m), 0n);
  return {
    objective: "fastest",
    shards,
    split,
    cost: shards.reduce((x, s) => x + s.cost, 0n),
    makespanSec: 1,
    maxUnitsPerShard: max,
    escrow: BigInt(shards.length) * max * PRICE,
    relaxed: { cost: 0, makespanSec: 1 },
    exact: true,
    decisions: [],
  } as unknown as Plan;
}

describe("sdk/planner exactTokenPlan and planMaxUnitsForSpec", () => {
  it("replaces the heaviest-prompt weights with each shard's own token bound", () => {
    const plan = heaviestPlan([2, 2]);
    // The planner's view: 2 × 34 = 68 tokens per shard, escrow 2 × 68 × price.
    expect(plan.maxUnitsPerShard).to.equal(68n);
    const exact = exactTokenPlan(spec, plan, PRICE);
    expect(exact.shards.map((s) => s.units)).to.deep.equal([39n, 13n]);
    expect(exact.shards.map((s) => s.cost)).to.deep.equal([39n * PRICE, 13n * PRICE]);
    expect(exact.maxUnitsPerShard).to.equal(39n);
    expect(exact.cost).to.equal(52n * PRICE);
    expect(exact.escrow).to.equal(2n * 39n * PRICE);
    expect(planMaxUnitsForSpec(spec, plan)).to.equal(39n);
    // One shard of everything: 5 + 34 + 6 + 7 = 52.
    expect(planMaxUnitsForSpec(spec, heaviestPlan([4]))).to.equal(52n);
  });

  it("leaves other kinds' plans as they are", () => {
    const matmul = parseJobSpec({ kind: "matmul-int8", seed: H("5"), m: 4, n: 4, k: 4 });
    const plan = heaviestPlan([2, 2]);
    expect(exactTokenPlan(matmul, plan, PRICE)).to.equal(plan);
    expect(planMaxUnitsForSpec(matmul, plan)).to.equal(68n);
  });
});

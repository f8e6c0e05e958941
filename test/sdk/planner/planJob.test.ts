import { expect } from "chai";
import fc from "fast-check";
import { PlannerInfeasibleError, PlannerInputError } from "../../../sdk/planner/errors";
import { planJob } from "../../../sdk/planner/planJob";
import type { Plan, PlannerJob, PlannerOperator } from "../../../sdk/planner/types";

const NOW = 1_700_000_000;

function op(i: number, over: Partial<PlannerOperator> = {}): PlannerOperator {
  return {
    address: `0x${(i + 1).toString(16).padStart(40, "0")}`,
    registered: true,
    opsPerSec: 100,
    vramMiB: 24_576,
    capacityValidUntil: NOW + 3600,
    jailedUntil: 0,
    freeStake: 10n ** 21n,
    settled: 0,
    failed: 0,
    noShows: 0,
    ...over,
  };
}

/** A work-metered job: one unit per item, so cost = items × price. */
function job(over: Partial<PlannerJob> = {}): PlannerJob {
  return {
    totalWork: 1000,
    opsPerItem: 1,
    metering: { kind: "work", workPerItem: 1n, workPerUnit: 1n },
    vramMiB: 16_384,
    maxPricePerUnit: 10n,
    maxShards: 64,
    objective: "fastest",
    budget: 10n ** 9n,
    now: NOW,
    ...over,
  };
}

function checkPlanShape(plan: Plan, j: PlannerJob): void {
  expect(plan.split.reduce((a, b) => a + b, 0)).to.equal(j.totalWork);
  expect(plan.shards.length).to.be.within(1, j.maxShards);
  let next = 0;
  for (const s of plan.shards) {
    expect(s.start).to.equal(next);
    expect(s.items)
      .to.equal(s.end - s.start)
      .and.to.be.greaterThan(0);
    next = s.end;
  }
  expect(plan.cost).to.equal(plan.shards.reduce((a, s) => a + s.cost, 0n));
  expect(plan.escrow).to.equal(BigInt(plan.shards.length) * plan.maxUnitsPerShard * j.maxPricePerUnit);
  expect(new Set(plan.shards.map((s) => s.operator)).size).to.equal(plan.shards.length);
}

/**
 * Brute force, written independently of the planner: every subset of at most K operators; within
 * one, the least cost for a makespan T is the fractional knapsack (cheapest first, each up to r·T),
 * and the least makespan for a budget is found by bisection on T.
 */
function bruteForce(
  ops: { rate: number; kappa: number }[],
  w: number,
  k: number,
  objective: "fastest" | "cheapest",
  limit: number,
): number | undefined {
  const minCost = (set: { rate: number; kappa: number }[], t: number): number => {
    let left = w;
    let cost = 0;
    for (const o of [...set].sort((a, b) => a.kappa - b.kappa)) {
      const take = Math.min(left, o.rate * t);
      cost += take * o.kappa;
      left -= take;
    }
    return left > 1e-9 * w ? Infinity : cost;
  };
  let best: number | undefined;
  for (let mask = 1; mask < 1 << ops.length; mask++) {
    const set = ops.filter((_, i) => mask & (1 << i));
    if (set.length > k) continue;
    let value: number;
    if (objective === "cheapest") {
      value = minCost(set, limit);
    } else {
      let lo = w / set.reduce((s, o) => s + o.rate, 0);
      let hi = lo;
      if (minCost(set, lo) > limit * (1 + 1e-12)) {
        hi = w / Math.min(...set.map((o) => o.rate));
        if (minCost(set, hi) > limit * (1 + 1e-12)) continue;
        for (let it = 0; it < 200; it++) {
          const mid = (lo + hi) / 2;
          if (minCost(set, mid) <= limit * (1 + 1e-12)) hi = mid;
          else lo = mid;
        }
      }
      value = hi;
    }
    if (value !== Infinity && (best === undefined || value < best)) best = value;
  }
  return best;
}

describe("sdk/planner/planJob", () => {
  it("splits in proportion to attested throughput, so shards finish together", () => {
    const ops = [op(0, { opsPerSec: 300 }), op(1, { opsPerSec: 100 }), op(2, { opsPerSec: 600 })];
    const j = job({ totalWork: 1000 });
    const plan = planJob({ job: j, operators: ops });
    checkPlanShape(plan, j);
    expect(plan.shards.map((s) => [s.operator, s.items])).to.deep.equal([
      [ops[2].address, 600],
      [ops[0].address, 300],
      [ops[1].address, 100],
    ]);
    expect(plan.shards.map((s) => s.seconds)).to.deep.equal([1, 1, 1]);
    expect(plan.makespanSec).to.equal(1);
    expect(plan.relaxed.makespanSec).to.be.closeTo(1, 1e-12);
    expect(plan.cost).to.equal(10_000n);
    expect(plan.maxUnitsPerShard).to.equal(600n);
    expect(plan.escrow).to.equal(3n * 600n * 10n);
    expect(plan.exact).to.equal(true);
    expect(plan.decisions.every((d) => d.taken && d.code === "taken")).to.equal(true);
  });

  it("lowers an operator's throughput by its failure record", () => {
    const ops = [op(0, { opsPerSec: 100, settled: 9, failed: 1 }), op(1, { opsPerSec: 100, settled: 10 })];
    const plan = planJob({ job: job({ totalWork: 2100 }), operators: ops });
    // Reliability (9+1)/(9+1+1) = 10/11 against 1: shares 1000 and 1100.
    expect(plan.shards.map((s) => [s.operator, s.items])).to.deep.equal([
      [ops[1].address, 1100],
      [ops[0].address, 1000],
    ]);
    expect(plan.decisions[0].effectiveItemsPerSec).to.be.closeTo(1000 / 11, 1e-9);
  });

  it("applies every hard filter and says which one left each operator out", () => {
    const ops = [
      op(0),
      op(1, { registered: false }),
      op(2, { opsPerSec: 0, capacityValidUntil: 0 }),
      op(3, { capacityValidUntil: NOW - 1 }),
      op(4, { jailedUntil: NOW + 10 }),
      op(5, { vramMiB: 8192 }),
      op(6, { opsPerSec: 10 }),
      op(7, { pricePerUnit: 11n }),
      op(8, { freeStake: 5n }),
      op(9),
    ];
    const j = job({
      minOpsPerSec: 50,
      collateralPerShard: 6n,
      exclude: [ops[9].address.toUpperCase().replace("0X", "0x")],
    });
    const plan = planJob({ job: j, operators: ops });
    expect(plan.decisions.map((d) => d.code)).to.deep.equal([
      "taken",
      "not-registered",
      "no-capacity",
      "capacity-expired",
      "jailed",
      "vram",
      "min-ops",
      "price",
      "stake",
      "excluded",
    ]);
    expect(plan.shards).to.have.length(1);
    expect(plan.decisions[5].reason).to.equal("8192 MiB of VRAM is below the 16384 MiB a shard needs");
    // A jail that has ended and capacity valid exactly now pass.
    const ok = planJob({ job: job(), operators: [op(0, { jailedUntil: NOW, capacityValidUntil: NOW })] });
    expect(ok.shards).to.have.length(1);
  });

  it("leaves out an operator whose attested GPU model the job does not accept, with the reason", () => {
    const ops = [
      op(0, { gpuModelName: "NVIDIA H100 80GB HBM3" }),
      op(1, { gpuModelName: "RTX 4090" }),
      op(2),
      op(3, { gpuModelName: "h100" }),
    ];
    const plan = planJob({ job: job({ gpuModels: ["H100"] }), operators: ops });
    expect(plan.decisions.map((d) => [d.code, d.taken])).to.deep.equal([
      ["taken", true],
      ["gpu-model", false],
      ["gpu-model", false],
      ["taken", true],
    ]);
    expect(plan.decisions[1].reason).to.equal("needs an H100; has an RTX 4090");
    expect(plan.decisions[2].reason).to.equal("needs an H100; has no attested GPU model");
    expect(plan.shards.map((s) => s.operator)).to.deep.equal([ops[0].address, ops[3].address]);
    // No requirement: every model (or none) is taken.
    expect(planJob({ job: job(), operators: ops }).shards).to.have.length(4);
    // Only wrong models: no plan, and the constraint is the operators.
    expect(() => planJob({ job: job({ gpuModels: ["B200"] }), operators: ops }))
      .to.throw(PlannerInfeasibleError)
      .with.property("constraint", "operators");
  });

  it("breaks ties deterministically: equal operators share equally, in input order", () => {
    const ops = [op(0), op(1), op(2)];
    const plan = planJob({ job: job({ totalWork: 10 }), operators: ops });
    expect(plan.split).to.deep.equal([4, 3, 3]);
    expect(plan.shards.map((s) => s.operator)).to.deep.equal(ops.map((o) => o.address));
    expect(planJob({ job: job({ totalWork: 10 }), operators: ops })).to.deep.equal(plan);
  });

  it("takes the K fastest when more operators would help than the job has shards", () => {
    const ops = [10, 50, 30, 40, 20].map((r, i) => op(i, { opsPerSec: r }));
    const plan = planJob({ job: job({ totalWork: 900, maxShards: 3 }), operators: ops });
    expect(plan.shards.map((s) => s.operator)).to.deep.equal([ops[1], ops[3], ops[2]].map((o) => o.address));
    expect(plan.split).to.deep.equal([375, 300, 225]);
    expect(plan.exact).to.equal(true);
    expect(plan.decisions[0].code).to.equal("shard-limit");
  });

  it("never makes more shards than items", () => {
    const plan = planJob({ job: job({ totalWork: 2 }), operators: [op(0), op(1), op(2)] });
    expect(plan.split).to.deep.equal([1, 1]);
  });

  it("cheapest within a deadline fills the cheapest operators first (time-metered jobs)", () => {
    // GPU-second metering: a unit is a second, so a slow GPU costs more per item at the same price.
    const ops = [op(0, { opsPerSec: 100 }), op(1, { opsPerSec: 50 }), op(2, { opsPerSec: 25 })];
    const j = job({
      totalWork: 150,
      opsPerItem: 100,
      metering: { kind: "time" },
      objective: "cheapest",
      budget: undefined,
      deadlineSec: 100,
    });
    const plan = planJob({ job: j, operators: ops });
    checkPlanShape(plan, j);
    // Fastest (cheapest per item) takes 100 items in 100 s; the next takes the remaining 50.
    expect(plan.shards.map((s) => [s.operator, s.items, s.units])).to.deep.equal([
      [ops[0].address, 100, 100n],
      [ops[1].address, 50, 100n],
    ]);
    expect(plan.cost).to.equal(2000n);
    expect(plan.decisions[2].code).to.equal("not-needed");
  });

  it("matches brute force on small fleets (feasibility and optimality of the relaxation)", () => {
    const arb = fc.record({
      rates: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
      prices: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 5, maxLength: 5 }),
      work: fc.integer({ min: 50, max: 5000 }),
      k: fc.integer({ min: 1, max: 5 }),
      fastest: fc.boolean(),
      slack: fc.double({ min: 0.3, max: 3, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ rates, prices, work, k, fastest, slack }) => {
        const ops = rates.map((r, i) => op(i, { opsPerSec: r, pricePerUnit: BigInt(prices[i]) }));
        const simple = rates.map((r, i) => ({ rate: r, kappa: prices[i] }));
        const base = job({ totalWork: work, maxShards: k });
        const meanPrice = prices.slice(0, rates.length).reduce((a, b) => a + b, 0) / rates.length;
        const j: PlannerJob = fastest
          ? { ...base, objective: "fastest", budget: BigInt(Math.round(work * meanPrice * slack)) }
          : { ...base, objective: "cheapest", budget: undefined, deadlineSec: (work / Math.max(...rates)) * slack };
        const limit = fastest ? Number(j.budget) : (j.deadlineSec as number);
        const optimum = bruteForce(simple, work, Math.min(k, work), j.objective, limit);
        let plan: Plan;
        try {
          plan = planJob({ job: j, operators: ops });
        } catch (err) {
          expect(err).to.be.instanceOf(PlannerInfeasibleError);
          // Infeasible only when brute force finds nothing, or rounding to whole units overshoots.
          if (optimum !== undefined) expect((err as PlannerInfeasibleError).message).to.match(/rounded|rounding/);
          return;
        }
        expect(optimum, "planner found a plan brute force calls infeasible").to.not.equal(undefined);
        checkPlanShape(plan, j);
        const got = fastest ? plan.relaxed.makespanSec : plan.relaxed.cost;
        // Never better than the optimum; equal when the planner claims exactness.
        expect(got).to.be.at.least((optimum as number) * (1 - 1e-6));
        if (plan.exact) expect(got).to.be.closeTo(optimum as number, (optimum as number) * 1e-6);
        if (fastest) expect(plan.cost <= (j.budget as bigint)).to.equal(true);
        else expect(plan.makespanSec).to.be.at.most((j.deadlineSec as number) * (1 + 1e-9));
      }),
      { numRuns: 300 },
    );
  });

  it("rounds to the best whole-item split (brute force over every integer split)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        (rates, work) => {
          const plan = planJob({
            job: job({ totalWork: work }),
            operators: rates.map((r, i) => op(i, { opsPerSec: r })),
          });
          let best = Infinity;
          const rec = (i: number, left: number, worst: number) => {
            if (i === rates.length - 1) {
              best = Math.min(best, Math.max(worst, left / rates[i]));
              return;
            }
            for (let n = 0; n <= left; n++) rec(i + 1, left - n, Math.max(worst, n / rates[i]));
          };
          rec(0, work, 0);
          expect(plan.makespanSec).to.be.closeTo(best, 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("names the constraint when no plan exists", () => {
    const infeasible = (j: PlannerJob, ops: PlannerOperator[]) => {
      try {
        planJob({ job: j, operators: ops });
      } catch (err) {
        expect(err).to.be.instanceOf(PlannerInfeasibleError);
        return err as PlannerInfeasibleError;
      }
      throw new Error("expected PlannerInfeasibleError");
    };
    const none = infeasible(job(), []);
    expect(none.constraint).to.equal("operators");
    expect(none.message).to.equal("no operator passes the hard filters (0 given)");
    const vram = infeasible(job(), [op(0, { vramMiB: 1 }), op(1, { jailedUntil: NOW + 1 })]);
    expect(vram.message).to.equal("no operator passes the hard filters (2 given: 1 vram, 1 jailed)");
    const budget = infeasible(job({ budget: 9_999n }), [op(0)]);
    expect(budget.constraint).to.equal("budget");
    expect(budget.message).to.match(/budget 9999 is below the least possible cost ≈ 10000/);
    const deadline = infeasible(job({ objective: "cheapest", budget: undefined, deadlineSec: 9, maxShards: 1 }), [
      op(0),
      op(1),
    ]);
    expect(deadline.constraint).to.equal("deadline");
    expect(deadline.message).to.match(/deadline 9 s cannot be met: the 1 fastest eligible operators need ≈ 10.0 s/);
  });

  it("refuses malformed jobs and duplicate operators", () => {
    expect(() => planJob({ job: job({ totalWork: 0 }), operators: [op(0)] })).to.throw(PlannerInputError, /totalWork/);
    expect(() => planJob({ job: job({ maxShards: 65 }), operators: [op(0)] })).to.throw(PlannerInputError, /maxShards/);
    expect(() => planJob({ job: job({ budget: undefined }), operators: [op(0)] })).to.throw(
      PlannerInputError,
      /budget/,
    );
    expect(() => planJob({ job: job({ objective: "cheapest" }), operators: [op(0)] })).to.throw(
      PlannerInputError,
      /deadline/,
    );
    expect(() => planJob({ job: job(), operators: [op(0), op(0)] })).to.throw(PlannerInputError, /listed twice/);
  });
});

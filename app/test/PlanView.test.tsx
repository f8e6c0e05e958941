import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { PlannerInfeasibleError, PlannerInputError } from "../../sdk/planner/errors";
import { planJob } from "../../sdk/planner/planJob";
import type { PlannerJob, PlannerOperator } from "../../sdk/planner/types";
import { PlanView } from "../src/components/PlanView";

const E18 = 10n ** 18n;
const op = (i: number, opsPerSec: number, over: Partial<PlannerOperator> = {}): PlannerOperator => ({
  address: `0x${i.toString(16).padStart(40, "0")}`,
  registered: true,
  opsPerSec,
  vramMiB: 24_576,
  capacityValidUntil: 10_000,
  jailedUntil: 0,
  freeStake: 1000n * E18,
  settled: 0,
  failed: 0,
  noShows: 0,
  ...over,
});
// 1000 rows of 1000×1000: 2e9 operations and 1e6 multiply-adds a row, metered in 10^9 multiply-adds.
const JOB: PlannerJob = {
  totalWork: 1000,
  opsPerItem: 2e9,
  metering: { kind: "work", workPerItem: 1_000_000n, workPerUnit: 1_000_000_000n },
  vramMiB: 16_384,
  maxPricePerUnit: E18,
  maxShards: 8,
  objective: "fastest",
  budget: 100n * E18,
  now: 1000,
};

afterEach(cleanup);

describe("PlanView", () => {
  it("shows each chosen operator's share, the cost and makespan, and why every operator was taken or left out", () => {
    // Two operators 3:1 in speed, one with too little VRAM.
    const operators = [op(1, 3e12), op(2, 1e12), op(3, 9e12, { vramMiB: 8192 })];
    const plan = planJob({ job: JOB, operators });
    render(<PlanView plan={plan} workUnit="rows" />);
    expect(plan.split).toEqual([750, 250]);
    const first = screen.getByTestId("plan-shard-0").textContent!;
    expect(first).toContain("0x0000…0001");
    expect(first).toContain("750 [0, 750)");
    expect(first).toContain("75.0%");
    expect(screen.getByTestId("plan-shard-1").textContent).toContain("250 [750, 1000)");
    // 750 rows × 1e6 multiply-adds = 0.75 units → 1 unit each: 2 RGL in all; 750 rows at 1500 rows/s = 0.5 s.
    expect(screen.getByTestId("plan-cost").textContent).toBe("2 RGL");
    expect(screen.getByTestId("plan-makespan").textContent).toBe("under 1s");
    expect(screen.getByTestId("plan").textContent).toContain("fastest within the budget");
    expect(screen.getByTestId("plan").textContent).toContain("Escrow 2 RGL");
    const left = screen.getByTestId("plan-decision-0x0000000000000000000000000000000000000003").textContent!;
    expect(left).toMatch(/^0x0000…0003 left out \(vram\): .*VRAM/);
    expect(screen.getByTestId("plan-decision-0x0000000000000000000000000000000000000001").textContent).toMatch(
      /^0x0000…0001 taken: shard 0, 750 rows \(75\.0%\), under 1s, 1 RGL$/,
    );
  });

  it("shows the planner's infeasibility error naming the constraint", () => {
    let error: unknown;
    try {
      planJob({
        job: { ...JOB, objective: "cheapest", budget: undefined, deadlineSec: 0.01 },
        operators: [op(1, 1e12)],
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PlannerInfeasibleError);
    render(<PlanView error={error} workUnit="rows" />);
    expect(screen.getByTestId("plan-error").textContent).toMatch(
      /^The deadline cannot be met: deadline 0\.01 s cannot be met: the 1 fastest eligible operators need ≈ 2\.0 s\.$/,
    );
  });

  it("says when no operator passes the filters, when the input is malformed, and while planning", () => {
    const { rerender } = render(
      <PlanView
        error={new PlannerInfeasibleError("operators", "no operator passes the hard filters (0 given)")}
        workUnit="items"
      />,
    );
    expect(screen.getByTestId("plan-error").textContent).toBe(
      "No operator can take this job: no operator passes the hard filters (0 given).",
    );
    // Budget shortfalls in RGL, from the planner's numbers.
    let budgetError: unknown;
    try {
      planJob({ job: { ...JOB, budget: E18 / 2n }, operators: [op(1, 1e12)] });
    } catch (err) {
      budgetError = err;
    }
    rerender(<PlanView error={budgetError} workUnit="rows" />);
    expect(screen.getByTestId("plan-error").textContent).toMatch(
      /^The budget is too small: 0\.5 RGL (is below the least possible cost, about 1 RGL|does not cover the plan once rounded to whole items and units \(1 RGL\))\.$/,
    );
    rerender(<PlanView error={new PlannerInputError("maxShards must be 1..64")} workUnit="items" />);
    expect(screen.getByTestId("plan-error").textContent).toBe(
      "The planner cannot take this job: maxShards must be 1..64.",
    );
    rerender(<PlanView loading workUnit="items" />);
    expect(screen.getByTestId("plan-loading").textContent).toMatch(/Planning over the operators on-chain/);
  });
});

import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { planJob } from "../../sdk/planner/planJob";
import type { PlannerJob, PlannerOperator } from "../../sdk/planner/types";
import { PlanView } from "../src/components/PlanView";

const op = (i: number): PlannerOperator => ({
  address: `0x${i.toString(16).padStart(40, "0")}`,
  registered: true,
  opsPerSec: 1e12,
  vramMiB: 24_576,
  capacityValidUntil: 10_000,
  jailedUntil: 0,
  freeStake: 10n ** 21n,
  settled: 0,
  failed: 0,
  noShows: 0,
});
const JOB: PlannerJob = {
  totalWork: 100,
  opsPerItem: 1e9,
  metering: { kind: "work", workPerItem: 1n, workPerUnit: 1n },
  vramMiB: 0,
  maxPricePerUnit: 10n,
  maxShards: 8,
  objective: "fastest",
  budget: 10n ** 9n,
  now: 1000,
};

afterEach(cleanup);

describe("PlanView: liveness", () => {
  it("lists the operators left out as offline with their reasons", () => {
    const heartbeats = new Map([
      [op(1).address, { receivedAt: 990 }],
      [op(2).address, { receivedAt: 1000 - 420 }],
    ]);
    const plan = planJob({ job: JOB, operators: [op(1), op(2), op(3)], liveness: { heartbeats, nowSec: 1000 } });
    render(<PlanView plan={plan} workUnit="rows" />);
    expect(screen.getByTestId("plan-offline").textContent).toBe(
      "Left out as offline (2): 0x0000…0002: last seen 7 min ago; 0x0000…0003: never seen by the oracles",
    );
    expect(screen.queryByTestId("plan-liveness-unknown")).toBeNull();
  });

  it("says liveness is unknown when no heartbeats were given", () => {
    render(<PlanView plan={planJob({ job: JOB, operators: [op(1)] })} workUnit="rows" />);
    expect(screen.getByTestId("plan-liveness-unknown").textContent).toMatch(/^Operator liveness unknown/);
    expect(screen.queryByTestId("plan-offline")).toBeNull();
  });
});

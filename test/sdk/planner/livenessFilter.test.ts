// The planner's liveness filter (PROTOCOL §12.6, §15.1): with the oracles' heartbeats given, an
// operator not heard from within the window is left out with the reason; without them, nobody is.
import { expect } from "chai";
import { PlannerInfeasibleError } from "../../../sdk/planner/errors";
import { planJob } from "../../../sdk/planner/planJob";
import type { PlannerJob, PlannerLiveness, PlannerOperator } from "../../../sdk/planner/types";

const NOW = 1_700_000_000;

function op(i: number): PlannerOperator {
  return {
    address: `0xAB${(i + 1).toString(16).padStart(36, "0")}CD`,
    registered: true,
    opsPerSec: 100,
    vramMiB: 24_576,
    capacityValidUntil: NOW + 3600,
    jailedUntil: 0,
    freeStake: 10n ** 21n,
    settled: 0,
    failed: 0,
    noShows: 0,
  };
}

const job: PlannerJob = {
  totalWork: 1000,
  opsPerItem: 1,
  metering: { kind: "work", workPerItem: 1n, workPerUnit: 1n },
  vramMiB: 16_384,
  maxPricePerUnit: 10n,
  maxShards: 64,
  objective: "fastest",
  budget: 10n ** 9n,
  now: NOW,
};

const ops = [op(0), op(1), op(2)];
const liveness = (entries: [number, number][]): PlannerLiveness => ({
  heartbeats: new Map(entries.map(([i, receivedAt]) => [ops[i]!.address.toLowerCase(), { receivedAt }])),
  nowSec: NOW,
});

describe("planner: operators offline by the oracles' heartbeats are left out", function () {
  it("seen 10 s ago: taken; seen 7 min ago and never seen: left out with code offline and the reason", function () {
    const plan = planJob({
      job,
      operators: ops,
      liveness: liveness([
        [0, NOW - 10],
        [1, NOW - 7 * 60],
      ]),
    });
    expect(plan.liveness).to.equal("checked");
    expect(plan.shards.map((s) => s.operator)).to.deep.equal([ops[0]!.address]);
    expect(plan.decisions.map((d) => [d.code, d.reason.startsWith("shard") ? "shard" : d.reason])).to.deep.equal([
      ["taken", "shard"],
      ["offline", "last seen 7 min ago"],
      ["offline", "never seen by the oracles"],
    ]);
  });

  it("exactly at the 60 s window: online; 61 s: offline (a window given by the caller is used)", function () {
    expect(planJob({ job, operators: [ops[0]!], liveness: liveness([[0, NOW - 60]]) }).shards).to.have.length(1);
    const wide = { ...liveness([[0, NOW - 61]]), windowSec: 120 };
    expect(planJob({ job, operators: [ops[0]!], liveness: wide }).shards).to.have.length(1);
    expect(() => planJob({ job, operators: [ops[0]!], liveness: liveness([[0, NOW - 61]]) })).to.throw(
      PlannerInfeasibleError,
    );
  });

  it("without heartbeats nobody is left out for liveness, and the plan says liveness is unknown", function () {
    const plan = planJob({ job, operators: ops });
    expect(plan.liveness).to.equal("unknown");
    expect(plan.decisions.every((d) => d.code !== "offline")).to.equal(true);
    expect(plan.shards).to.have.length(3);
  });

  it("a reason other than liveness (not registered) wins over offline", function () {
    const plan = planJob({
      job,
      operators: [ops[0]!, { ...ops[1]!, registered: false }],
      liveness: liveness([[0, NOW]]),
    });
    expect(plan.decisions[1]!.code).to.equal("not-registered");
  });

  it("everyone offline: infeasible, the message lists each as '0x1234…abcd: why'", function () {
    let error: PlannerInfeasibleError | undefined;
    try {
      planJob({ job, operators: ops.slice(0, 2), liveness: liveness([[1, NOW - 7 * 60 - 3]]) });
    } catch (err) {
      error = err as PlannerInfeasibleError;
    }
    expect(error).to.be.instanceOf(PlannerInfeasibleError);
    expect(error!.message).to.equal(
      "no operator passes the hard filters (2 given: 2 offline); offline: 0xAB00…01CD: never seen by the oracles, 0xAB00…02CD: last seen 7 min ago",
    );
  });
});

import { expect } from "chai";
import type { Address } from "viem";
import type { JobStatus, ShardStatus } from "../../../scripts/job/jobStatus";
import { planRefund } from "../../../scripts/job/planRefund";

const DEV = "0x00000000000000000000000000000000000000d1" as Address;
const OTHER = "0x00000000000000000000000000000000000000e2" as Address;
const OP = "0x00000000000000000000000000000000000000a3" as Address;
const STATE_NAMES = ["Open", "Accepted", "Submitted", "Settled", "Failed", "Cancelled", "Expired"];

function status(states: number[], over: Partial<JobStatus> = {}, submittedAt = 1_000n): JobStatus {
  const shards: ShardStatus[] = states.map((state, shard) => ({
    shard,
    state,
    stateName: STATE_NAMES[state],
    operator: state === 0 ? ("0x0000000000000000000000000000000000000000" as Address) : OP,
    assigned: "0x0000000000000000000000000000000000000000" as Address,
    units: 0n,
    submittedAt: state === 2 ? submittedAt : 0n,
  }));
  return {
    jobId: 7n,
    developer: DEV,
    paymentToken: OP,
    deadline: 2_000n,
    verifyWindow: 500n,
    escrow: 0n,
    shardValue: 10n,
    shards,
    ...over,
  };
}

describe("planRefund (scripts/job/planRefund)", () => {
  it("expires an accepted shard only strictly after the deadline, as JobMarket.expire", () => {
    expect(planRefund(status([1]), 2_000n, DEV).actions).to.deep.equal([]);
    expect(planRefund(status([1]), 2_000n, DEV).locked[0]).to.include({ code: "awaiting-submission", until: 2_000n });
    expect(planRefund(status([1]), 2_001n, DEV).actions).to.deep.equal([{ kind: "expire", shards: [0], noShow: true }]);
  });

  it("expires a submitted shard only strictly after submittedAt + verifyWindow", () => {
    expect(planRefund(status([2]), 1_500n, DEV).locked[0]).to.include({ code: "awaiting-verdict", until: 1_500n });
    expect(planRefund(status([2]), 1_501n, DEV).actions).to.deep.equal([
      { kind: "expire", shards: [0], noShow: false },
    ]);
  });

  it("cancels every open shard in one call for the developer; for anyone else they stay locked", () => {
    expect(planRefund(status([0, 3, 0]), 0n, DEV)).to.deep.equal({
      actions: [{ kind: "cancel", shards: [0, 2] }],
      locked: [],
    });
    const other = planRefund(status([0, 3, 0]), 0n, OTHER);
    expect(other.actions).to.deep.equal([]);
    expect(other.locked.map((l) => [l.shard, l.code, l.amount])).to.deep.equal([
      [0, "open-not-developer", 10n],
      [2, "open-not-developer", 10n],
    ]);
  });

  it("final shards are neither recovered nor locked", () => {
    expect(planRefund(status([3, 4, 5, 6]), 9_999n, DEV)).to.deep.equal({ actions: [], locked: [] });
  });

  it("an unstarted gang: released from its accept deadline on (by anyone), never expired", () => {
    const gang = { acceptDeadline: 1_200n, startedAt: 0n, accepted: 1, released: false };
    const before = planRefund(status([1, 0], { gang }), 1_199n, OTHER);
    expect(before.actions).to.deep.equal([]);
    expect(before.locked.map((l) => [l.shard, l.code, l.until])).to.deep.equal([
      [0, "gang-not-started", 1_200n],
      [1, "open-not-developer", 1_200n],
    ]);
    // Past the job deadline too: an unstarted gang's accepted shard is released, not expired.
    expect(planRefund(status([1, 0], { gang }), 3_000n, OTHER).actions).to.deep.equal([
      { kind: "releaseGang", shards: [0, 1] },
    ]);
    const started = { ...gang, startedAt: 1_100n, accepted: 2 };
    expect(planRefund(status([1, 1], { gang: started }), 2_001n, OTHER).actions).to.deep.equal([
      { kind: "expire", shards: [0], noShow: true },
      { kind: "expire", shards: [1], noShow: true },
    ]);
  });
});

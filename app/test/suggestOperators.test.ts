import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import type { OperatorRow } from "../src/chain/readOperators";
import { askPrice, suggestOperators, type JobRequirements } from "../src/lib/suggestOperators";

const E18 = 10n ** 18n;
const NOW = 1_000_000n;

function op(n: number, over: Partial<OperatorRow> = {}): OperatorRow {
  return {
    address: `0x${n.toString(16).padStart(40, "0")}` as Address,
    metadataURI: "",
    commissionBps: 1000,
    jailedUntil: 0n,
    selfStake: 1000n * E18,
    lockedStake: 0n,
    selfThawing: 0n,
    selfThawEnd: 0n,
    delegated: 0n,
    opsPerSec: 10n ** 12n,
    vramMiB: 24576,
    gpuModel: `0x${"00".repeat(32)}`,
    capacityValidUntil: NOW + 3600n,
    jobsDone: 0n,
    failed: 0n,
    noShows: 0n,
    slashed: 0n,
    earned: 0n,
    claimable: 0n,
    rewardLastEpoch: 0n,
    ...over,
  };
}

const JOB: JobRequirements = {
  shards: 2,
  unitsPerShard: 4n,
  maxPricePerUnit: E18,
  minVramMiB: 16384,
  minOpsPerSec: 0n,
  collateralPerShard: 6n * E18,
  multiplyAddsPerShard: 4n * 10n ** 9n,
};

describe("suggestOperators (stand-in for the planner)", () => {
  it("reads the asking price from the metadata URI", () => {
    expect(askPrice("http://127.0.0.1:8700/?region=eu&price=500")).toBe(500n);
    expect(askPrice("http://127.0.0.1:8700/?region=eu")).toBeUndefined();
  });

  it("keeps only eligible operators, cheapest first, and spreads shards over them", () => {
    const ops = [
      op(1, { metadataURI: "x?price=900000000000000000" }),
      op(2, { jailedUntil: NOW + 1n }),
      op(3, { capacityValidUntil: NOW - 1n }),
      op(4, { vramMiB: 8192 }),
      op(5, { selfStake: 5n * E18 }),
      op(6, { metadataURI: "x?price=2000000000000000000" }),
      op(7, { metadataURI: "x?price=100000000000000000", opsPerSec: 2n * 10n ** 12n }),
    ];
    const s = suggestOperators(JOB, ops, NOW);
    expect(s.operators.map((o) => Number(o.address))).toEqual([7, 1]);
    expect(s.operators.map((o) => o.shards)).toEqual([[0], [1]]);
    expect(Object.fromEntries(s.ineligible.map((i) => [Number(i.address), i.reason]))).toEqual({
      2: "jailed",
      3: "no valid capacity record",
      4: "too little VRAM",
      5: "not enough free stake for the collateral",
      6: "asks more than the job pays",
    });
    expect(s.maxCost).toBe(8n * E18);
    // The slower chosen operator (1e12 ops/s) does one shard of 4e9 multiply-adds = 8e9 ops.
    expect(s.estimatedSeconds).toBeCloseTo(0.008);
  });

  it("breaks price ties by attested speed and gives one operator every shard when alone", () => {
    const s = suggestOperators({ ...JOB, shards: 3 }, [op(1), op(2, { opsPerSec: 5n * 10n ** 12n })], NOW);
    expect(s.operators.map((o) => Number(o.address))).toEqual([2, 1]);
    expect(s.operators[0].shards).toEqual([0, 2]);
    const alone = suggestOperators({ ...JOB, shards: 3 }, [op(1)], NOW);
    expect(alone.operators[0].shards).toEqual([0, 1, 2]);
  });
});

import { zeroAddress, type Address } from "viem";
import { describe, expect, it } from "vitest";
import { JobKind, ShardState, shardStateName, VerificationMode } from "../../sdk/market/enums";
import type { JobRow, ShardRow } from "../src/chain/readJobs";
import { shardWaitReason, type ShardWaitContext } from "../src/lib/shardWaitReason";

const OP = "0xab000000000000000000000000000000000000cd" as Address;
const OTHER = "0x1200000000000000000000000000000000000034" as Address;
// 2026-12-06 17:20:00 UTC
const T = 1_796_577_600n;

function shard(state: number, assigned: Address = zeroAddress): ShardRow {
  return {
    shard: 0,
    state,
    stateName: shardStateName(state),
    operator: zeroAddress,
    assigned,
    acceptedAt: 0n,
    submittedAt: 0n,
    submittedBlock: 0n,
    units: 0n,
    collateral: 0n,
    resultRoot: `0x${"00".repeat(32)}`,
    verifyWindow: 0n,
  };
}

function job(over: Partial<JobRow> = {}): JobRow {
  return {
    jobId: 1n,
    developer: OTHER,
    deadline: T + 86_400n,
    paymentToken: OTHER,
    maxUnitsPerShard: 1n,
    minVramMiB: 16_384,
    maxPricePerUnit: 1n,
    minOpsPerSec: 0n,
    kind: JobKind.MatmulInt8,
    verificationMode: VerificationMode.Sampled,
    escrow: 1n,
    verifyWindow: 3600n,
    shardValue: 1n,
    shards: [],
    blockNumber: 1n,
    timestamp: T,
    specURI: "",
    createdAt: T,
    ...over,
  };
}

const ctx = (over: Partial<ShardWaitContext> = {}): ShardWaitContext => ({
  now: T + 60n,
  nowSec: Number(T) + 60,
  liveness: () => undefined,
  ...over,
});

describe("shardWaitReason: why an Open shard waits", () => {
  it("assigned, online: waiting for it, with the heartbeat's age", () => {
    const reason = shardWaitReason(
      job(),
      shard(ShardState.Open, OP),
      ctx({
        liveness: () => ({ online: true, lastSeen: Number(T) + 48 }),
      }),
    );
    expect(reason).toBe("waiting for 0xab00…00cd to accept (online, last seen 12 s ago)");
  });

  it("assigned, online and already running it (its heartbeat lists the shard): running, not 'waiting to accept'", () => {
    // Before: an assigned shard runs before it is accepted (§20.7), yet the page said "waiting for
    // 0xab00…00cd to accept" while its container ran.
    const running = ctx({
      liveness: () => ({
        online: true,
        lastSeen: Number(T) + 48,
        shardsInFlight: [
          { jobId: "2", shard: 0, phase: "running" },
          { jobId: "1", shard: 0, phase: "running" },
        ],
      }),
    });
    expect(shardWaitReason(job({ reopensAt: T + 900n }), shard(ShardState.Open, OP), running)).toBe(
      "running on 0xab00…00cd (running); claimed at the oracles or accepted and submitted when done — reopens to others at 17:35",
    );
    const claiming = ctx({
      liveness: () => ({
        online: true,
        lastSeen: Number(T) + 50,
        shardsInFlight: [{ jobId: "1", shard: 0, phase: "claiming" }],
      }),
    });
    expect(shardWaitReason(job({ reopensAt: T + 900n }), shard(ShardState.Open, OP), claiming)).toBe(
      "running on 0xab00…00cd (claiming); proving its claim to the oracles; settled from Open once they agree — reopens to others at 17:35",
    );
    const other = ctx({
      liveness: () => ({
        online: true,
        lastSeen: Number(T) + 48,
        shardsInFlight: [{ jobId: "2", shard: 0, phase: "running" }],
      }),
    });
    expect(shardWaitReason(job(), shard(ShardState.Open, OP), other)).toBe(
      "waiting for 0xab00…00cd to accept (online, last seen 12 s ago)",
    );
  });

  it("assigned, offline: since when, and when it reopens (the market's assignmentsReopenAt, else created + 600 s)", () => {
    const offline = ctx({ liveness: () => ({ online: false, lastSeen: Number(T), reason: "last seen 1 min ago" }) });
    expect(shardWaitReason(job({ reopensAt: T + 900n }), shard(ShardState.Open, OP), offline)).toBe(
      "assigned operator 0xab00…00cd offline since 17:20 — reopens to others at 17:35",
    );
    expect(shardWaitReason(job(), shard(ShardState.Open, OP), offline)).toBe(
      "assigned operator 0xab00…00cd offline since 17:20 — reopens to others at 17:30",
    );
    expect(shardWaitReason(job(), shard(ShardState.Open, OP), { ...offline, now: T + 700n })).toBe(
      "assigned operator 0xab00…00cd offline since 17:20 — open to any eligible operator since 17:30",
    );
  });

  it("assigned, never seen; and liveness unknown", () => {
    expect(
      shardWaitReason(
        job(),
        shard(ShardState.Open, OP),
        ctx({ liveness: () => ({ online: false, reason: "never seen by the oracles" }) }),
      ),
    ).toBe("assigned operator 0xab00…00cd never seen by the oracles — reopens to others at 17:30");
    expect(shardWaitReason(job(), shard(ShardState.Open, OP), ctx())).toBe(
      "waiting for 0xab00…00cd to accept (liveness unknown) — reopens to others at 17:30",
    );
  });

  it("open to anyone: no operator has the VRAM; none of those that do is online; some are", () => {
    const operators = [
      { address: OP, vramMiB: 8192, capacityValidUntil: T + 3600n },
      { address: OTHER, vramMiB: 24_576, capacityValidUntil: T - 1n },
    ];
    expect(shardWaitReason(job(), shard(ShardState.Open), ctx({ operators }))).toBe(
      "no operator has the VRAM it needs (16 GiB; the largest attested is 8 GiB)",
    );
    const fits = [{ address: OP, vramMiB: 24_576, capacityValidUntil: T + 3600n }];
    expect(
      shardWaitReason(job(), shard(ShardState.Open), ctx({ operators: fits, liveness: () => ({ online: false }) })),
    ).toBe("no operator with the VRAM it needs is online (1 registered, all offline)");
    expect(
      shardWaitReason(job(), shard(ShardState.Open), ctx({ operators: fits, liveness: () => ({ online: true }) })),
    ).toBe("waiting for one of 1 online operator to accept");
  });

  it("not Open: no reason", () => {
    expect(shardWaitReason(job(), shard(ShardState.Accepted, OP), ctx())).toBeUndefined();
  });
});

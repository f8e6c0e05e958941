import { expect } from "chai";
import type { Address, PublicClient } from "viem";
import { readLiveStatus } from "../../../agent/status/readLiveStatus";

const E18 = 10n ** 18n;
const operator = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" as Address;
const contracts = {
  RewardsDistributor: "0x0000000000000000000000000000000000000001",
  JobMarket: "0x0000000000000000000000000000000000000002",
} as never;

/** A public client that answers currentEpoch 30 and the given EpochSettled / ShardSettled logs. */
function fakeClient(settled: { epoch: bigint; commission: bigint; selfShare: bigint }[], paid: bigint[]): PublicClient {
  return {
    readContract: async () => 30n,
    getContractEvents: async ({ eventName }: { eventName: string }) =>
      eventName === "EpochSettled" ? settled.map((args) => ({ args })) : paid.map((p) => ({ args: { paid: p } })),
  } as unknown as PublicClient;
}

/** One oracle whose clock reads `oracleNow` and which received the operator's last heartbeat at `receivedAt`. */
function heartbeatFetch(receivedAt: number, oracleNow: number): typeof fetch {
  return (async () =>
    new Response(
      JSON.stringify({
        now: oracleNow,
        operators: {
          [operator]: {
            operator,
            agentVersion: "t",
            sentAt: receivedAt,
            online: true,
            gpus: [{ index: 0, model: "RTX 4090", vramMiB: 24576, utilisationPct: 40 }],
            shardsInFlight: [{ jobId: "7", shard: 1, phase: "computing" }],
            recentFailures: [
              { jobId: "5", shard: 0, at: receivedAt - 100, code: "TIMEOUT", reason: "the run timed out" },
            ],
            acceptingWork: true,
            receivedAt,
          },
        },
      }),
      { status: 200, headers: { "content-type": "application/json" } },
    )) as typeof fetch;
}

describe("agent status: readLiveStatus", () => {
  it("shows the node online with its GPU, shard in flight, failure, and the earnings over the last epochs", async () => {
    const rows = await readLiveStatus({
      publicClient: fakeClient(
        [
          { epoch: 2n, commission: 100n * E18, selfShare: 0n }, // before the 24-epoch window (6..30)
          { epoch: 10n, commission: E18, selfShare: 2n * E18 },
          { epoch: 29n, commission: E18, selfShare: E18 / 2n },
        ],
        [3n * E18, E18],
      ),
      deployment: { contracts, block: 0n },
      operator,
      oracleUrls: ["http://oracle.test"],
      nowSec: 1_000_010,
      fetch: heartbeatFetch(1_000_000, 1_000_010),
    });
    const map = new Map(rows);
    expect(map.get("live")).to.equal("online (last heartbeat 10 s ago)");
    expect(map.get("GPUs")).to.equal("0: RTX 4090 24576 MiB 40%");
    expect(map.get("in flight")).to.equal("7/1 computing");
    expect(map.get("failed 5/0")).to.equal("the run timed out (TIMEOUT)");
    expect(map.get("rewards, epochs 6–30")).to.equal("4.5 RGL");
    expect(map.get("work paid (all time)")).to.equal("4 RGL over 2 settled shards");
  });

  it("says offline with when it was last seen once heartbeats stop, and unknown without an oracle", async () => {
    const offline = new Map(
      await readLiveStatus({
        publicClient: fakeClient([], []),
        deployment: { contracts, block: 0n },
        operator,
        oracleUrls: ["http://oracle.test"],
        nowSec: 1_000_300,
        fetch: heartbeatFetch(1_000_000, 1_000_300),
      }),
    );
    expect(offline.get("live")).to.equal("offline: last seen 5 min ago");
    const unknown = new Map(
      await readLiveStatus({
        publicClient: fakeClient([], []),
        deployment: { contracts, block: 0n },
        operator,
        oracleUrls: [],
      }),
    );
    expect(unknown.get("live")).to.equal("unknown: no oracle configured (oracleUrls)");
  });
});

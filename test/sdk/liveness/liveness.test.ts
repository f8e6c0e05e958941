// The liveness rule and the heartbeat wire format (PROTOCOL §12.6).
import { expect } from "chai";
import type { Address } from "viem";
import type { Heartbeat, HeartbeatsResponse, ReceivedHeartbeat } from "../../../sdk/liveness/heartbeat";
import { formatAge, livenessOf } from "../../../sdk/liveness/liveness";
import { mergeHeartbeats } from "../../../sdk/liveness/mergeHeartbeats";
import { fetchHeartbeats } from "../../../sdk/liveness/fetchHeartbeats";
import { validateHeartbeat, validateHeartbeatsResponse } from "../../../sdk/liveness/validateHeartbeat";

const OP = "0x00000000000000000000000000000000000000aB" as Address;
const OP_CHECKSUMMED = "0x00000000000000000000000000000000000000AB";

function heartbeat(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operator: OP,
    agentVersion: "0.1.0",
    sentAt: 1_800_000_000,
    online: true,
    gpus: [{ index: 0, model: "NVIDIA L4", vramMiB: 23_034, utilisationPct: null }],
    shardsInFlight: [{ jobId: "12", shard: 3, phase: "submitted" }],
    recentFailures: [],
    acceptingWork: true,
    ...over,
  };
}

describe("sdk/liveness: livenessOf (online ⇔ last heartbeat received ≤ window ago)", function () {
  it("never seen: offline, 'never seen by the oracles'", function () {
    expect(livenessOf(undefined, 1000, 60)).to.deep.equal({ online: false, reason: "never seen by the oracles" });
  });

  it("received exactly 60 s ago: online; 61 s ago: offline with 'last seen 1 min ago'", function () {
    expect(livenessOf({ receivedAt: 940 }, 1000, 60)).to.deep.equal({ online: true, lastSeen: 940 });
    expect(livenessOf({ receivedAt: 939 }, 1000, 60)).to.deep.equal({
      online: false,
      lastSeen: 939,
      reason: "last seen 1 min ago",
    });
  });

  it("7 min ago with the default 60 s window: 'last seen 7 min ago'; a heartbeat ahead of the reader's clock is online", function () {
    expect(livenessOf({ receivedAt: 1000 - 7 * 60 - 5 }, 1000).reason).to.equal("last seen 7 min ago");
    expect(livenessOf({ receivedAt: 1010 }, 1000).online).to.equal(true);
  });

  it("online: carries the heartbeat's shards in flight (offline: not, they are stale)", function () {
    const shardsInFlight = [{ jobId: "4", shard: 1, phase: "running" }];
    expect(livenessOf({ receivedAt: 990, shardsInFlight }, 1000, 60)).to.deep.equal({
      online: true,
      lastSeen: 990,
      shardsInFlight,
    });
    expect(livenessOf({ receivedAt: 900, shardsInFlight }, 1000, 60).shardsInFlight).to.equal(undefined);
  });

  it("formatAge floors to the largest unit", function () {
    expect([0, 59, 60, 3599, 3600, 86_399, 86_400 * 3].map(formatAge)).to.deep.equal([
      "0 s",
      "59 s",
      "1 min",
      "59 min",
      "1 h",
      "23 h",
      "3 d",
    ]);
  });
});

describe("sdk/liveness: validateHeartbeat", function () {
  it("keeps the known fields, checksums the operator, drops unknown fields", function () {
    const parsed = validateHeartbeat(heartbeat({ extra: "dropped" }));
    expect(parsed.operator).to.equal(OP_CHECKSUMMED);
    expect(parsed).to.not.have.property("extra");
    expect(parsed.gpus[0]!.utilisationPct).to.equal(null);
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["operator not an address", { operator: "0x12" }, /^operator: /],
    ["online false", { online: false }, /^online: /],
    ["sentAt fractional", { sentAt: 1.5 }, /^sentAt: /],
    [
      "utilisation over 100",
      { gpus: [{ index: 0, model: "x", vramMiB: 1, utilisationPct: 101 }] },
      /^gpus\[0\]\.utilisationPct/,
    ],
    ["jobId not decimal", { shardsInFlight: [{ jobId: "0x1", shard: 0, phase: "x" }] }, /^shardsInFlight\[0\]\.jobId/],
    [
      "11 failures (at most 10)",
      { recentFailures: Array.from({ length: 11 }, () => ({ jobId: "1", shard: 0, at: 1, code: "X", reason: "y" })) },
      /^recentFailures: must have at most 10/,
    ],
    [
      "a 201-character GPU model",
      { gpus: [{ index: 0, model: "m".repeat(201), vramMiB: 1, utilisationPct: 1 }] },
      /model: must be at most 200/,
    ],
    ["acceptingWork missing", { acceptingWork: undefined }, /^acceptingWork: /],
    ["declineReasons not strings", { declineReasons: [1] }, /^declineReasons\[0\]/],
  ];
  for (const [name, over, message] of refusals) {
    it(`refuses ${name}, naming the field`, function () {
      expect(() => validateHeartbeat(heartbeat(over)))
        .to.throw()
        .with.property("message")
        .that.matches(message);
    });
  }

  it("validateHeartbeatsResponse re-keys entries by their checksummed operator", function () {
    const r = validateHeartbeatsResponse({ now: 2000, operators: { whatever: { ...heartbeat(), receivedAt: 1990 } } });
    expect(Object.keys(r.operators)).to.deep.equal([OP_CHECKSUMMED]);
  });
});

describe("sdk/liveness: mergeHeartbeats and fetchHeartbeats", function () {
  const received = (receivedAt: number, operator: Address = OP): ReceivedHeartbeat => ({
    ...(validateHeartbeat(heartbeat({ operator })) as Heartbeat),
    receivedAt,
  });

  it("takes the freshest per operator over oracles, with receivedAt moved onto the reader's clock", function () {
    // Oracle A's clock is 100 s ahead of the reader's: its heartbeat is 10 s old, so at reader time 990.
    const a: HeartbeatsResponse = { now: 1100, operators: { [OP]: received(1090) } };
    // Oracle B agrees with the reader; its heartbeat is 30 s old.
    const b: HeartbeatsResponse = { now: 1000, operators: { [OP]: received(970) } };
    const merged = mergeHeartbeats([b, a], 1000);
    expect([...merged.keys()]).to.deep.equal([OP.toLowerCase()]);
    expect(merged.get(OP.toLowerCase())!.receivedAt).to.equal(990);
  });

  it("fetchHeartbeats: one oracle down is reported, the others merged; all down throws LIVENESS_UNAVAILABLE", async function () {
    const fakeFetch = (async (url: string) => {
      if (url.startsWith("http://down")) throw new Error("connect ECONNREFUSED");
      return new Response(JSON.stringify({ now: 1000, operators: { [OP]: received(995) } }));
    }) as unknown as typeof fetch;
    const r = await fetchHeartbeats({ oracleUrls: ["http://up/", "http://down"], fetch: fakeFetch, nowSec: 1000 });
    expect(r.answered).to.deep.equal(["http://up/"]);
    expect(r.failed).to.deep.equal([{ url: "http://down", error: "connect ECONNREFUSED" }]);
    expect(r.heartbeats.get(OP.toLowerCase())!.receivedAt).to.equal(995);
    let error: unknown;
    await fetchHeartbeats({ oracleUrls: ["http://down"], fetch: fakeFetch }).catch((e) => (error = e));
    expect((error as { code?: string }).code).to.equal("LIVENESS_UNAVAILABLE");
  });
});

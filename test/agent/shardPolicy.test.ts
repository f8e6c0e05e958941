import { expect } from "chai";
import { zeroAddress } from "viem";
import { decideShard, type ShardOffer, type ShardPolicy } from "../../agent/policy/shardPolicy";

const ME = "0x00000000000000000000000000000000000000aa" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const TOKEN = "0x00000000000000000000000000000000000000cc" as const;

const policy: ShardPolicy = {
  kinds: ["matmul-int8", "container"],
  minPricePerUnit: 100n,
  paymentTokens: [],
  maxConcurrentShards: 2,
};

function offer(over: Partial<ShardOffer> = {}, job: Partial<ShardOffer["job"]> = {}): ShardOffer {
  return {
    operator: ME,
    kind: "matmul-int8",
    job: {
      paymentToken: TOKEN,
      maxPricePerUnit: 100n,
      minVramMiB: 1024,
      minOpsPerSec: 10n,
      deadline: 10_000n,
      shards: 1,
      ...job,
    },
    assigned: zeroAddress,
    capacity: { opsPerSec: 10n, vramMiB: 1024, validUntil: 20_000n },
    localVramMiB: 2048,
    freeStake: 500n,
    collateral: 500n,
    jailedUntil: 0n,
    running: 1,
    now: 1_000n,
    submitMarginSec: 30n,
    ...over,
  };
}

describe("agent/policy/decideShard", () => {
  it("gang shards: open accept window, and the submit margin counted from the accept deadline", () => {
    // deadline 10,000, margin 30: an accept deadline up to 9,969 leaves the margin after the latest start.
    expect(decideShard(policy, offer({ gangAcceptDeadline: 9_969n }))).to.deep.equal({ take: true });
    expect(decideShard(policy, offer({ gangAcceptDeadline: 9_970n }))).to.deep.equal({
      take: false,
      reason: "a gang starting at its accept deadline would leave too little time",
    });
    expect(decideShard(policy, offer({ gangAcceptDeadline: 1_000n }))).to.deep.equal({
      take: false,
      reason: "the gang's accept deadline has passed",
    });
    expect(decideShard(policy, offer({ gangAcceptDeadline: 0n }))).to.deep.equal({ take: true });
  });

  it("takes a shard that fits every rule, at the exact limits", () => {
    expect(decideShard(policy, offer())).to.deep.equal({ take: true });
    expect(decideShard(policy, offer({ assigned: ME }))).to.deep.equal({ take: true });
  });

  const refusals: [string, ShardOffer, ShardPolicy?][] = [
    ["assigned to", offer({ assigned: OTHER })],
    ["kind container is not taken", offer({ kind: "container" }), { ...policy, kinds: ["matmul-int8"] }],
    ["payment token", offer(), { ...policy, paymentTokens: [OTHER] }],
    ["price 99 below the minimum 100", offer({}, { maxPricePerUnit: 99n })],
    ["too close to the deadline", offer({ now: 9_970n })],
    ["already running 2 of 2", offer({ running: 2 })],
    ["jailed until", offer({ jailedUntil: 1_001n })],
    ["no valid capacity", offer({ capacity: { opsPerSec: 10n, vramMiB: 1024, validUntil: 999n } })],
    ["attested capacity below", offer({}, { minOpsPerSec: 11n })],
    ["attested capacity below", offer({}, { minVramMiB: 1025 })],
    [
      "needs 4096 MiB of VRAM",
      offer(
        { kind: "container", capacity: { opsPerSec: 10n, vramMiB: 8192, validUntil: 20_000n } },
        { minVramMiB: 4096 },
      ),
    ],
    ["free stake 499 below the collateral 500", offer({ freeStake: 499n })],
  ];
  for (const [reason, o, pol] of refusals) {
    it(`declines: ${reason}`, () => {
      const d = decideShard(pol ?? policy, o);
      expect(d.take).to.equal(false);
      expect((d as { reason: string }).reason).to.contain(reason);
    });
  }
});

import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { zeroAddress, type Address } from "viem";
import { shardStateName, Verdict } from "../../../sdk/market/enums";
import { planRefund, type RefundAction } from "../../../sdk/market/planRefund";
import { readJobStatus, type JobStatus } from "../../../sdk/market/readJobStatus";
import { deployProtocol, jobParamsFor, shardAttestation, type Protocol } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient, chainNow } from "./helpers/marketClients";

const DEV = "0x00000000000000000000000000000000000000d1" as Address;
const OTHER = "0x00000000000000000000000000000000000000e2" as Address;
const OP = "0x00000000000000000000000000000000000000a3" as Address;

type Status = Parameters<typeof planRefund>[0]["status"];

function status(states: number[], over: Partial<JobStatus> = {}, submittedAt = 1_000n): Status {
  const shards = states.map((state, shard) => ({
    shard,
    state,
    stateName: shardStateName(state),
    operator: state === 0 ? zeroAddress : OP,
    submittedAt: state === 2 ? submittedAt : 0n,
    verifyWindow: state === 0 ? 0n : 500n,
  }));
  return { developer: DEV, deadline: 2_000n, shardValue: 10n, shards, gang: undefined, ...over };
}

const plan = (s: Status, now: bigint, caller: Address) => planRefund({ status: s, now, caller });

describe("planRefund (sdk/market)", () => {
  it("expires an accepted shard only strictly after the deadline, as JobMarket.expire", () => {
    expect(plan(status([1]), 2_000n, DEV).actions).to.deep.equal([]);
    expect(plan(status([1]), 2_000n, DEV).locked[0]).to.include({ code: "awaiting-submission", until: 2_000n });
    expect(plan(status([1]), 2_001n, DEV).actions).to.deep.equal([
      { kind: "expire", shards: [0], noShow: true, refund: 10n },
    ]);
  });

  it("expires a submitted shard only strictly after submittedAt + verifyWindow", () => {
    expect(plan(status([2]), 1_500n, DEV).locked[0]).to.include({ code: "awaiting-verdict", until: 1_500n });
    expect(plan(status([2]), 1_501n, DEV).actions).to.deep.equal([
      { kind: "expire", shards: [0], noShow: false, refund: 10n },
    ]);
  });

  it("cancels every open shard in one call for the developer; for anyone else they stay locked", () => {
    expect(plan(status([0, 3, 0]), 0n, DEV)).to.deep.equal({
      actions: [{ kind: "cancel", shards: [0, 2], refund: 20n }],
      locked: [],
    });
    const other = plan(status([0, 3, 0]), 0n, OTHER);
    expect(other.actions).to.deep.equal([]);
    expect(other.locked.map((l) => [l.shard, l.code, l.amount])).to.deep.equal([
      [0, "open-not-developer", 10n],
      [2, "open-not-developer", 10n],
    ]);
  });

  it("final shards are neither recovered nor locked", () => {
    // Settled, Failed, Cancelled, Expired, DeveloperFault.
    expect(plan(status([3, 4, 5, 6, 7]), 9_999n, DEV)).to.deep.equal({ actions: [], locked: [] });
  });

  it("an unstarted gang: released from its accept deadline on (by anyone), never expired", () => {
    const gang = { acceptDeadline: 1_200n, startedAt: 0n, accepted: 1, released: false };
    const before = plan(status([1, 0], { gang }), 1_199n, OTHER);
    expect(before.actions).to.deep.equal([]);
    expect(before.locked.map((l) => [l.shard, l.code, l.until])).to.deep.equal([
      [0, "gang-not-started", 1_200n],
      [1, "open-not-developer", 1_200n],
    ]);
    // Past the job deadline too: an unstarted gang's accepted shard is released, not expired.
    expect(plan(status([1, 0], { gang }), 3_000n, OTHER).actions).to.deep.equal([
      { kind: "releaseGang", shards: [0, 1], refund: 20n },
    ]);
    const started = { ...gang, startedAt: 1_100n, accepted: 2 };
    expect(plan(status([1, 1], { gang: started }), 2_001n, OTHER).actions).to.deep.equal([
      { kind: "expire", shards: [0], noShow: true, refund: 10n },
      { kind: "expire", shards: [1], noShow: true, refund: 10n },
    ]);
  });
});

describe("planRefund against JobMarket: each planned refund is what the contract pays", function () {
  const V = 100n * 1_000_000n;

  /**
   * Sends one planned action as devs[0] and returns what it moved: the developer's credit and the
   * market's escrow in tUSD (refunds are credited, not sent: pull payments, PROTOCOL §20.1).
   */
  async function send(p: Protocol, jobId: bigint, action: RefundAction): Promise<{ dev: bigint; market: bigint }> {
    const usd = await p.usd.getAddress();
    const dev = p.devs[0].address;
    const read = async () => ({ dev: await p.market.owedOf(usd, dev), market: await p.market.escrowOf(usd) });
    const before = await read();
    const m = p.market.connect(p.devs[0]);
    if (action.kind === "expire") await m.expire(jobId, action.shards[0]);
    else if (action.kind === "cancel") await m.cancel(jobId);
    else await m.releaseGang(jobId);
    const after = await read();
    return { dev: after.dev - before.dev, market: before.market - after.market };
  }

  async function planNow(p: Protocol, jobId: bigint) {
    const s = await readJobStatus(publicClient, { market: (await addressesOf(p)).market, jobId });
    return { s, plan: planRefund({ status: s, now: s.timestamp, caller: p.devs[0].address as Address }) };
  }

  it("a mixed job: cancel, a no-show and an unanswered shard refund exactly as planned; the rest stays locked", async function () {
    const p = await loadFixture(deployProtocol);
    const now = await chainNow();
    const params = await jobParamsFor(await p.usd.getAddress(), { shards: 6, deadline: now + 5_000n });
    await p.market.connect(p.devs[0]).createJob(params);
    const jobId = await p.market.jobCount();
    // 0 Open; 1 Accepted and silent; 2 Submitted, unanswered; 3 Settled; 4 Submitted late, window open;
    // 5 DeveloperFault (final: the developer paid for the units used, the rest came back at settle).
    for (const s of [1, 2, 3, 4, 5]) await p.market.connect(p.ops[s % 4]).accept(jobId, s);
    const submit = (op: number, shard: number) =>
      p.market.connect(p.ops[op]).submit(jobId, shard, ethers.id(`root-${shard}`), 10, `http://127.0.0.1:1/${shard}`);
    await submit(2, 2);
    await submit(3, 3);
    await submit(1, 5);
    const { att, sigs } = await shardAttestation(p, jobId, 3);
    await p.market.settle(att, sigs);
    const fault = await shardAttestation(p, jobId, 5, Verdict.DeveloperFault);
    await p.market.settle(fault.att, fault.sigs);
    await time.increase(4_000);
    await submit(0, 4);
    await time.increase(1_100);

    const { s, plan: planned } = await planNow(p, jobId);
    expect(s.shards.map((x) => x.stateName)).to.deep.equal([
      "Open",
      "Accepted",
      "Submitted",
      "Settled",
      "Submitted",
      "DeveloperFault",
    ]);
    expect(planned.actions.map((a) => [a.kind, a.shards])).to.deep.equal([
      ["cancel", [0]],
      ["expire", [1]],
      ["expire", [2]],
    ]);
    expect(planned.locked.map((l) => [l.shard, l.code, l.amount])).to.deep.equal([[4, "awaiting-verdict", V]]);
    expect(s.escrow).to.equal(4n * V);
    for (const action of planned.actions) {
      const moved = await send(p, jobId, action);
      expect(moved, action.kind).to.deep.equal({ dev: action.refund, market: action.refund });
    }
    // What stays locked is exactly the escrow left on-chain.
    const { s: after, plan: again } = await planNow(p, jobId);
    expect(again.actions).to.deep.equal([]);
    expect(again.locked.reduce((sum, l) => sum + l.amount, 0n))
      .to.equal(after.escrow)
      .and.equal(V);
  });

  it("an unstarted gang past its accept deadline: releaseGang refunds exactly the planned amount", async function () {
    const p = await loadFixture(deployProtocol);
    const now = await chainNow();
    const params = await jobParamsFor(await p.usd.getAddress(), { shards: 3, deadline: now + 3_600n });
    await p.market.connect(p.devs[0]).createGangJob(params, now + 600n);
    const jobId = await p.market.jobCount();
    await p.market.connect(p.ops[1]).accept(jobId, 1);
    await time.increaseTo(now + 600n);
    const { plan: planned } = await planNow(p, jobId);
    expect(planned.actions).to.deep.equal([{ kind: "releaseGang", shards: [0, 1, 2], refund: 3n * V }]);
    const locked = (await p.staking.operatorInfo(p.ops[1].address)).lockedStake;
    const collateral = (await p.market.getShard(jobId, 1)).collateral;
    expect(await send(p, jobId, planned.actions[0])).to.deep.equal({ dev: 3n * V, market: 3n * V });
    expect(locked - (await p.staking.operatorInfo(p.ops[1].address)).lockedStake).to.equal(collateral);
    expect((await p.market.getJob(jobId)).escrow).to.equal(0n);
  });
});

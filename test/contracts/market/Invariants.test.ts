import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import { E18, State, Verdict } from "./fixture";
import {
  deployProtocol,
  jobParamsFor,
  shardAttestation,
  shardVerdict,
  verdictBatch,
  type Protocol,
} from "../../../fixtures/protocolFixture";
import { emissionOf } from "./emission";
import { isFinalShardState } from "../../../sdk/market/enums";

// Invariants (docs/PROTOCOL.md §9.6 and §10.6), checked after every step of random sequences of create
// (some jobs assigned), accept, submit, acceptAndSubmit, claims (§20.10), settle and settleVerdicts batches (Valid, Invalid = slash,
// DeveloperFault = pay the units used without slash or points), expire, cancel, withdraw, stake,
// delegate, claim and time jumps by many accounts, against the real OperatorStaking and OracleCommittee:
//  I1  for each payment token, Σ_jobs unsettled escrow = escrowOf(token), and the market's balance =
//      escrowOf(token) + owedTotal(token), with owedTotal(token) = Σ_accounts owedOf(token, account)
//      (pull payments, PROTOCOL §20.1);
//  I2  RGL minted by the distributor ≤ Σ_{e ≤ now} emission(e), and minted(e) ≤ emission(e);
//  I3  no shard reaches a final state (paid, failed, developer fault, expired, cancelled) twice, and at
//      the end of each sequence every shard in a final state got exactly the one event of that state;
//  I4  (§10.6 4) the distributor's RGL balance = Σ settled operator parts (commission + self share)
//      − Σ claimed − Σ burned unvested parts: the sequences run with operator parts vesting 120 s
//      (two epochs) after their epoch (§10.9), so claims, slashes and vesting interleave.

// The shard's life (create, accept, submit, settle) weighs more than the other actions, so that most
// sequences carry shards through to a settlement.
const Action = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      who: fc.nat(2),
      rgl: fc.boolean(),
      shards: fc.integer({ min: 1, max: 3 }),
      // Each shard assigned to ops[assign - 1] (claims, §20.10), or none (0).
      assign: fc.nat(3),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("accept" as const), who: fc.nat(3), pick: fc.nat(50) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      pick: fc.nat(50),
      units: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      pick: fc.nat(50),
      verdict: fc.constantFrom(Verdict.Valid, Verdict.Invalid, Verdict.DeveloperFault),
      units: fc.integer({ min: 0, max: 120 }),
    }),
  },
  // Item i of a batch gets the verdict `first + i` (cycling through 1, 2, 3): batches mix all three.
  fc.record({ kind: fc.constant("batch" as const), first: fc.nat(2) }),
  fc.record({
    kind: fc.constant("acceptAndSubmit" as const),
    who: fc.nat(3),
    pick: fc.nat(50),
    units: fc.integer({ min: 1, max: 100 }),
  }),
  // A claim batch (§20.10) on any shard by any operator, any verdict and units, the leaf given twice:
  // only an Open shard assigned to that operator settles, only on Valid, and only once.
  fc.record({
    kind: fc.constant("claimShard" as const),
    who: fc.nat(2),
    pick: fc.nat(50),
    verdict: fc.constantFrom(Verdict.Valid, Verdict.Valid, Verdict.Invalid, Verdict.DeveloperFault),
    units: fc.integer({ min: 0, max: 120 }),
  }),
  fc.record({ kind: fc.constant("withdraw" as const), who: fc.nat(7), rgl: fc.boolean() }),
  fc.record({ kind: fc.constant("expire" as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant("stake" as const), who: fc.nat(3), amount: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({
    kind: fc.constant("delegate" as const),
    who: fc.nat(2),
    op: fc.nat(3),
    amount: fc.integer({ min: 1, max: 1000 }),
  }),
  fc.record({ kind: fc.constant("claim" as const), who: fc.nat(3) }),
  fc.record({ kind: fc.constant("delegatorClaim" as const), who: fc.nat(2), op: fc.nat(3) }),
  fc.record({ kind: fc.constant("warp" as const), seconds: fc.constantFrom(30, 61, 3_601, 86_401) }),
);
type ActionT = typeof Action extends fc.Arbitrary<infer T> ? T : never;

interface Ref {
  jobId: bigint;
  shard: number;
}

/** The event that moves a shard into each final state (PROTOCOL §9.2, §18.2). */
const FINAL_EVENT: Record<string, bigint> = {
  ShardSettled: State.Settled,
  ShardFailed: State.Failed,
  ShardDeveloperFault: State.DeveloperFault,
  ShardExpired: State.Expired,
  ShardCancelled: State.Cancelled,
};
const VERDICTS = [Verdict.Valid, Verdict.Invalid, Verdict.DeveloperFault];

async function tryTx(send: () => Promise<ContractTransactionResponse>): Promise<readonly unknown[]> {
  try {
    const rc = await (await send()).wait();
    return rc?.logs ?? [];
  } catch {
    return []; // an invalid random step reverts; state must be unchanged, which the checks verify
  }
}

/** Claims settled from Open over every sequence (the claim path must actually be driven). */
let claimsSettled = 0;

/** I4's running sum from the distributor's events: what it owes operators, vested or not. */
interface RewardsLedger {
  owed: bigint;
}

async function step(
  p: Protocol,
  a: ActionT,
  refs: Ref[],
  finals: Map<string, string>,
  epochs: Set<bigint>,
  ledger: RewardsLedger,
): Promise<void> {
  const pick = (n: number) => (refs.length ? refs[n % refs.length] : undefined);
  // Submit and settle pick among the shards that can take them (a pick among all shards almost never
  // met one, and the sequences hardly ever reached a settlement); accept, expire and cancel pick among
  // all, so invalid steps that must revert are still driven.
  const pickIn = async (state: bigint, n: number) => {
    const states = await Promise.all(refs.map(async (r) => (await p.market.getShard(r.jobId, r.shard)).state));
    const ok = refs.filter((_, i) => states[i] === state);
    return ok.length ? ok[n % ok.length] : undefined;
  };
  let logs: readonly unknown[] = [];
  // Chain time moves by exactly one second per step (warps aside), however slow the machine: left
  // to itself Hardhat stamps each block with the wall clock, so deadlines, verify windows and epoch
  // boundaries fell differently on a busy machine and the sequences took other paths.
  if (a.kind !== "warp") await time.setNextBlockTimestamp((await time.latest()) + 1);
  switch (a.kind) {
    case "create": {
      const token = a.rgl ? await p.rgl.getAddress() : await p.usd.getAddress();
      const price = a.rgl ? E18 : 1_000_000n;
      logs = await tryTx(async () =>
        p.market.connect(p.devs[a.who]).createJob(
          await jobParamsFor(token, {
            shards: a.shards,
            maxPricePerUnit: price,
            deadline: BigInt(await time.latest()) + 7_200n,
            shardOperators: a.assign === 0 ? [] : Array(a.shards).fill(p.ops[a.assign - 1].address),
          }),
        ),
      );
      const jobId = await p.market.jobCount();
      if (logs.length) for (let s = 0; s < a.shards; s++) refs.push({ jobId, shard: s });
      break;
    }
    case "accept": {
      const r = pick(a.pick);
      if (r) logs = await tryTx(() => p.market.connect(p.ops[a.who]).accept(r.jobId, r.shard));
      break;
    }
    case "submit": {
      const r = await pickIn(State.Accepted, a.pick);
      if (!r) break;
      const sh = await p.market.getShard(r.jobId, r.shard);
      const op = p.ops.find((o) => o.address === sh.operator);
      if (op)
        logs = await tryTx(() => p.market.connect(op).submit(r.jobId, r.shard, ethers.id(`r${r.jobId}`), a.units, ""));
      break;
    }
    case "settle": {
      const r = await pickIn(State.Submitted, a.pick);
      if (!r) break;
      const { att, sigs } = await shardAttestation(p, r.jobId, r.shard, a.verdict, BigInt(a.units));
      logs = await tryTx(() => p.market.settle(att, sigs));
      break;
    }
    case "batch": {
      const open: Ref[] = [];
      for (const r of refs) if ((await p.market.getShard(r.jobId, r.shard)).state === State.Submitted) open.push(r);
      if (!open.length) break;
      const leaves = await Promise.all(
        open.map((r, i) => shardVerdict(p, r.jobId, r.shard, VERDICTS[(a.first + i) % VERDICTS.length])),
      );
      // Include the first leaf twice: the second copy must be skipped, not paid again.
      const all = [...leaves, leaves[0]];
      const { batch, sigs } = await verdictBatch(p, all);
      logs = await tryTx(() => p.market.settleVerdicts(batch, sigs, all));
      break;
    }
    case "claimShard": {
      const r = pick(a.pick);
      if (!r) break;
      const leaf = {
        jobId: r.jobId,
        shard: r.shard,
        operator: p.ops[a.who].address,
        resultRoot: ethers.id(`c${r.jobId}`),
        verdict: a.verdict,
        units: BigInt(a.units),
      };
      const { batch, sigs } = await verdictBatch(p, [leaf, leaf]);
      const before = (await p.market.getShard(r.jobId, r.shard)).state;
      logs = await tryTx(() => p.market.settleVerdicts(batch, sigs, [leaf, leaf]));
      if (before === State.Open && (await p.market.getShard(r.jobId, r.shard)).state === State.Settled) claimsSettled++;
      break;
    }
    case "acceptAndSubmit": {
      const r = pick(a.pick);
      if (r)
        logs = await tryTx(() =>
          p.market.connect(p.ops[a.who]).acceptAndSubmit(r.jobId, r.shard, ethers.id(`r${r.jobId}`), a.units, ""),
        );
      break;
    }
    case "withdraw": {
      const who = owedAccounts(p)[a.who];
      const token = a.rgl ? await p.rgl.getAddress() : await p.usd.getAddress();
      logs = await tryTx(() => p.market.connect(who).withdraw(token, who.address));
      break;
    }
    case "expire": {
      const r = pick(a.pick);
      if (r) logs = await tryTx(() => p.market.expire(r.jobId, r.shard));
      break;
    }
    case "cancel": {
      const r = pick(a.pick);
      if (!r) break;
      const dev = (await p.market.getJob(r.jobId)).developer;
      const signer = p.devs.find((d) => d.address === dev)!;
      logs = await tryTx(() => p.market.connect(signer).cancel(r.jobId));
      break;
    }
    case "stake":
      logs = await tryTx(() => p.staking.connect(p.ops[a.who]).stake(BigInt(a.amount) * E18));
      break;
    case "delegate":
      logs = await tryTx(() =>
        p.staking.connect(p.delegators[a.who]).delegate(p.ops[a.op].address, BigInt(a.amount) * E18),
      );
      break;
    case "claim":
      logs = await tryTx(() => p.rewards.connect(p.ops[a.who]).claim(p.ops[a.who].address));
      break;
    case "delegatorClaim":
      logs = await tryTx(() => p.staking.connect(p.delegators[a.who]).claimRewards(p.ops[a.op].address));
      break;
    case "warp":
      await time.increase(a.seconds);
      break;
  }
  for (const l of logs) {
    const parsed = (() => {
      try {
        return p.market.interface.parseLog(l as { topics: string[]; data: string });
      } catch {
        return null;
      }
    })();
    const reward = (() => {
      try {
        return p.rewards.interface.parseLog(l as { topics: string[]; data: string });
      } catch {
        return null;
      }
    })();
    if (reward?.name === "EpochSettled") {
      epochs.add(reward.args.epoch as bigint);
      ledger.owed += (reward.args.commission as bigint) + (reward.args.selfShare as bigint);
    }
    if (reward?.name === "RewardsClaimed" || reward?.name === "VestingForfeited") {
      ledger.owed -= reward.args.amount as bigint;
    }
    if (parsed && parsed.name in FINAL_EVENT) {
      const key = `${parsed.args.jobId}/${parsed.args.shard}`;
      expect(finals.has(key), `shard ${key} finalised twice`).to.equal(false);
      finals.set(key, parsed.name);
    }
  }
}

/** I3 at the end of a sequence: a shard is in a final state exactly when it got a final event, and
 * the state is the one that event reports (a DeveloperFault shard got ShardDeveloperFault, …). */
async function checkFinalEvents(p: Protocol, refs: Ref[], finals: Map<string, string>): Promise<void> {
  for (const r of refs) {
    const key = `${r.jobId}/${r.shard}`;
    const state = (await p.market.getShard(r.jobId, r.shard)).state;
    const event = finals.get(key);
    if (event === undefined)
      expect(isFinalShardState(Number(state)), `shard ${key} final without an event`).to.equal(false);
    else expect(state, `shard ${key} after ${event}`).to.equal(FINAL_EVENT[event]);
  }
}

/** Σ_{e ≤ epoch} emission(e), extended incrementally as chain time moves (a warp of a day spans
 * 1,440 epochs: recomputing the sum from epoch 0 after every step cost more than the chain calls). */
interface EmissionSum {
  upTo: bigint;
  sum: bigint;
}

function scheduledUpTo(acc: EmissionSum, initial: bigint, decayBps: bigint, epoch: bigint): bigint {
  while (acc.upTo < epoch) {
    acc.upTo += 1n;
    const e = emissionOf(initial, decayBps, acc.upTo);
    // The schedule only decreases: once an epoch emits nothing, no later one does.
    if (e === 0n) acc.upTo = epoch;
    acc.sum += e;
  }
  return acc.sum;
}

/** Every account the market can owe: the developers, the operators and the treasury. */
function owedAccounts(p: Protocol) {
  return [...p.devs, ...p.ops, p.treasury];
}

async function checkInvariants(
  p: Protocol,
  epochs: Set<bigint>,
  emitted: EmissionSum,
  ledger: RewardsLedger,
): Promise<void> {
  const m = await p.market.getAddress();
  const tokens = [p.usd, p.rgl];
  const unsettled = new Map<string, bigint>();
  for (const token of tokens) unsettled.set(await token.getAddress(), 0n);
  // One pass over every job (not one per token): I1 sums each job's unsettled escrow by token.
  const count = await p.market.jobCount();
  for (let j = 1n; j <= count; j++) {
    const job = await p.market.getJob(j);
    unsettled.set(job.paymentToken, (unsettled.get(job.paymentToken) ?? 0n) + job.escrow);
  }
  for (const token of tokens) {
    const addr = await token.getAddress();
    const sum = unsettled.get(addr)!;
    expect(await p.market.escrowOf(addr)).to.equal(sum);
    const owedTotal = await p.market.owedTotal(addr);
    expect(await token.balanceOf(m)).to.equal(sum + owedTotal);
    let credits = 0n;
    for (const who of owedAccounts(p)) credits += await p.market.owedOf(addr, who.address);
    expect(credits).to.equal(owedTotal);
  }
  const s = await p.rewards.schedule();
  const now = await p.rewards.currentEpoch();
  for (const e of epochs) {
    const t = await p.rewards.epochTotals(e);
    expect(t.minted).to.be.lessThanOrEqual(t.emission);
  }
  const scheduled = scheduledUpTo(emitted, s.initialEmission, s.decayBps, now);
  expect(await p.rewards.totalMinted()).to.be.lessThanOrEqual(scheduled);
  expect(await p.rgl.balanceOf(await p.rewards.getAddress())).to.equal(ledger.owed);
}

/** The protocol with operator parts vesting two 60 s epochs after their epoch (PROTOCOL §10.9). */
async function deployVesting(): Promise<Protocol> {
  const p = await deployProtocol();
  await p.rewards.connect(p.admin).setRewardVestingDelay(120n);
  return p;
}

// Bounded work: 30 sequences of at most 40 steps, each step O(jobs) reads (about 13 s on an idle
// 2-core machine). The explicit timeout is head-room for a loaded machine; the property stops itself
// (and fails) before it, so a slow run never keeps driving the chain under the tests that follow.
const TIMEOUT_MS = 600_000;

describe("Invariants over random action sequences (real protocol)", () => {
  it("test_invariants_escrowConservation_emissionBound_noDoublePay", async function () {
    this.timeout(TIMEOUT_MS);
    const stats = { finals: 0, settledEpochs: 0, byEvent: {} as Record<string, number> };
    await fc.assert(
      fc.asyncProperty(fc.array(Action, { minLength: 10, maxLength: 40 }), async (actions) => {
        const p = await loadFixture(deployVesting);
        // Start every sequence at an epoch boundary: how long the fixture took to deploy (wall
        // clock) must not decide which steps share an epoch.
        const s = await p.rewards.schedule();
        await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 2n) * s.epochLength);
        const refs: Ref[] = [];
        const finals = new Map<string, string>();
        const epochs = new Set<bigint>();
        const emitted: EmissionSum = { upTo: -1n, sum: 0n };
        const ledger: RewardsLedger = { owed: 0n };
        for (const a of actions) {
          await step(p, a, refs, finals, epochs, ledger);
          await checkInvariants(p, epochs, emitted, ledger);
        }
        await checkFinalEvents(p, refs, finals);
        stats.finals += finals.size;
        for (const name of finals.values()) stats.byEvent[name] = (stats.byEvent[name] ?? 0) + 1;
        stats.settledEpochs += epochs.size;
      }),
      { numRuns: 30, seed: 4242, interruptAfterTimeLimit: TIMEOUT_MS - 60_000, markInterruptAsFailure: true },
    );
    // The sequences must actually reach final states and reward settlements.
    console.log(
      `      invariants: ${stats.finals} shards finalised ${JSON.stringify(stats.byEvent)}, ` +
        `${stats.settledEpochs} operator epochs settled`,
    );
    expect(stats.finals).to.be.greaterThan(0);
    // Every paying and slashing path, DeveloperFault included, must actually be driven.
    for (const name of ["ShardSettled", "ShardFailed", "ShardDeveloperFault"]) {
      expect(stats.byEvent[name] ?? 0, name).to.be.greaterThan(0);
    }
    expect(stats.settledEpochs).to.be.greaterThan(0);
    console.log(`      invariants: ${claimsSettled} claims settled from Open`);
    expect(claimsSettled).to.be.greaterThan(0);
  });
});

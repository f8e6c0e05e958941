// Invariant tests: random sequences of actions by several operators and delegators, with every
// invariant of docs/PROTOCOL.md §6.7 checked after each step (handlers as in Morpho's test/invariant),
// once without the reward clock and once with a RewardsDistributor as listener (pending
// delegations, reward base, pool generations).
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { DAY, RGL, UNBONDING, deployStaking } from "../../fixtures/stakingFixture";

type Action =
  | { kind: "stake"; op: number; amount: bigint }
  | { kind: "unstake"; op: number; amount: bigint }
  | { kind: "withdrawStake"; op: number }
  | { kind: "delegate"; del: number; op: number; amount: bigint }
  | { kind: "undelegate"; del: number; op: number; fraction: number }
  | { kind: "withdrawDelegation"; del: number; op: number }
  | { kind: "claim"; del: number; op: number }
  | { kind: "reward"; op: number; amount: bigint }
  | { kind: "lock"; op: number; amount: bigint }
  | { kind: "unlock"; op: number; amount: bigint }
  | { kind: "slash"; op: number; amount: bigint; release: bigint; bps: number }
  | { kind: "commission"; op: number; bps: number }
  | { kind: "wait"; seconds: bigint };

const EPOCH = 3_600n;
const amount = fc.bigInt({ min: 1n, max: RGL(5_000) });
const op = fc.integer({ min: 0, max: 1 });
const del = fc.integer({ min: 0, max: 2 });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("stake" as const), op, amount }),
  fc.record({ kind: fc.constant("unstake" as const), op, amount }),
  fc.record({ kind: fc.constant("withdrawStake" as const), op }),
  fc.record({ kind: fc.constant("delegate" as const), del, op, amount }),
  fc.record({ kind: fc.constant("undelegate" as const), del, op, fraction: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant("withdrawDelegation" as const), del, op }),
  fc.record({ kind: fc.constant("claim" as const), del, op }),
  fc.record({ kind: fc.constant("reward" as const), op, amount }),
  fc.record({ kind: fc.constant("lock" as const), op, amount }),
  fc.record({ kind: fc.constant("unlock" as const), op, amount }),
  fc.record({
    kind: fc.constant("slash" as const),
    op,
    amount,
    release: fc.bigInt({ min: 0n, max: RGL(2_000) }),
    bps: fc.integer({ min: 0, max: 10_000 }),
  }),
  fc.record({ kind: fc.constant("commission" as const), op, bps: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.constantFrom(60n, EPOCH, DAY, UNBONDING + 1n) }),
);

async function setup() {
  const f = await deployStaking();
  await f.staking.connect(f.admin).setMinDelegation(0);
  for (const o of [f.op1, f.op2]) {
    await f.staking.connect(o).register("op", 1000);
    await f.staking.connect(o).stake(RGL(1_000));
  }
  return f;
}

/** The same, with a RewardsDistributor (1 h epochs) as capacity listener: the reward clock. */
async function setupWithClock() {
  const f = await setup();
  const rewards = await ethers.deployContract("RewardsDistributor", [
    f.admin.address,
    await f.token.getAddress(),
    await f.staking.getAddress(),
    {
      genesis: 0,
      epochLength: EPOCH,
      initialEmission: RGL(1_000),
      decayBps: 100,
      workShareBps: 7_000,
      workRewardCapBps: 5_000,
    },
  ]);
  await f.staking.connect(f.admin).grantRole(await f.staking.REWARDER_ROLE(), await rewards.getAddress());
  await f.staking.connect(f.admin).setCapacityListener(await rewards.getAddress());
  return f;
}

// Bounded work: RIGEL_FC_RUNS (default 12) sequences of at most 25 steps (about 5 s on an idle
// 2-core machine). The explicit timeout is head-room for a loaded machine; the property stops itself
// (and fails) before it, so a slow run never keeps driving the chain under the tests that follow.
const TIMEOUT_MS = 600_000;

describe("OperatorStaking: invariants", () => {
  for (const clock of [false, true]) {
    it(`test_invariants_holdAfterEveryStepOfRandomSequences${clock ? "_withRewardClock" : ""}`, async function () {
      this.timeout(TIMEOUT_MS);
      const seed = Number(process.env.RIGEL_FC_SEED ?? 20261126);
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 25 }), async (actions) => {
          const f = await loadFixture(clock ? setupWithClock : setup);
          const { staking, token, market, rewarder } = f;
          const ops: HardhatEthersSigner[] = [f.op1, f.op2];
          const dels: HardhatEthersSigner[] = [f.del1, f.del2, f.del3];
          // Money in and out of the staking contract, per account (operators and delegators).
          const paidIn = new Map<string, bigint>();
          const paidOut = new Map<string, bigint>();
          let rewardsCredited = 0n;
          const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
          for (const o of ops) add(paidIn, o.address, RGL(1_000));

          const tryTx = async (p: () => Promise<unknown>) => {
            try {
              await p();
              return true;
            } catch {
              return false; // an invalid random action reverts; the invariants must still hold
            }
          };

          for (const a of actions) {
            const stakingAddr = await staking.getAddress();
            if (a.kind === "stake") {
              if (await tryTx(() => staking.connect(ops[a.op]).stake(a.amount)))
                add(paidIn, ops[a.op].address, a.amount);
            } else if (a.kind === "unstake") {
              await tryTx(() => staking.connect(ops[a.op]).requestUnstake(a.amount));
            } else if (a.kind === "withdrawStake") {
              const b = await token.balanceOf(ops[a.op].address);
              await tryTx(() => staking.connect(ops[a.op]).withdrawStake());
              add(paidOut, ops[a.op].address, (await token.balanceOf(ops[a.op].address)) - b);
            } else if (a.kind === "delegate") {
              const ok = await tryTx(() => staking.connect(dels[a.del]).delegate(ops[a.op].address, a.amount));
              if (ok) add(paidIn, dels[a.del].address, a.amount);
            } else if (a.kind === "undelegate") {
              const d = await staking.delegationInfo(ops[a.op].address, dels[a.del].address);
              const shares = (d.shares * BigInt(a.fraction)) / 100n;
              await tryTx(() => staking.connect(dels[a.del]).undelegate(ops[a.op].address, shares));
            } else if (a.kind === "withdrawDelegation" || a.kind === "claim") {
              const who = dels[a.del];
              const b = await token.balanceOf(who.address);
              if (a.kind === "claim") await tryTx(() => staking.connect(who).claimRewards(ops[a.op].address));
              else await tryTx(() => staking.connect(who).withdrawDelegation(ops[a.op].address));
              add(paidOut, who.address, (await token.balanceOf(who.address)) - b);
            } else if (a.kind === "reward") {
              const epoch = await staking.currentEpoch();
              if (await tryTx(() => staking.connect(rewarder).addPoolRewards(ops[a.op].address, a.amount, epoch))) {
                rewardsCredited += a.amount;
              }
            } else if (a.kind === "lock") {
              await tryTx(() => staking.connect(market).lockCollateral(ops[a.op].address, a.amount));
            } else if (a.kind === "unlock") {
              await tryTx(() => staking.connect(market).unlockCollateral(ops[a.op].address, a.amount));
            } else if (a.kind === "slash") {
              await tryTx(() =>
                staking.connect(market).slash(ops[a.op].address, a.amount, a.release, market.address, a.bps),
              );
            } else if (a.kind === "commission") {
              await tryTx(() => staking.connect(ops[a.op]).setCommission(a.bps));
            } else {
              await time.increase(a.seconds);
            }

            // --- invariants, after every step ---
            let owed = 0n;
            for (const o of ops) {
              const v = await staking.operatorInfo(o.address);
              owed += v.selfStake + v.selfThawing + v.poolTokens + v.thawTokens + v.pendingDelegated;
              expect(v.lockedStake <= v.selfStake, "locked <= self-stake").to.equal(true);
              expect(v.totalAtStake).to.equal(v.selfStake + v.selfThawing + v.poolTokens + v.thawTokens);
              let shares = 0n;
              let thawShares = 0n;
              let value = 0n;
              let thawValue = 0n;
              let pending = 0n;
              for (const d of dels) {
                const di = await staking.delegationInfo(o.address, d.address);
                shares += di.shares;
                thawShares += di.thawShares;
                value += di.value;
                thawValue += di.thawValue;
                pending += di.pendingTokens;
              }
              // A joined batch's rounding dust stays in the pool as unowned shares (PROTOCOL §6.2).
              expect(shares <= v.poolShares, "pool shares >= sum of delegations' shares").to.equal(true);
              if (!clock) expect(shares, "pool shares = sum of delegations' shares").to.equal(v.poolShares);
              expect(pending, "pending = sum of delegations' pending").to.equal(v.pendingDelegated);
              // §6.7.11: the epoch's reward base never exceeds the figures in force now.
              const base = await staking.rewardBase(o.address, await staking.currentEpoch());
              expect(base.selfStake <= v.selfStake, "base self <= self-stake").to.equal(true);
              expect(base.delegatedStake <= v.poolTokens, "base pool <= pool tokens").to.equal(true);
              expect(base.commissionBps <= v.commissionBps, "base commission <= commission").to.equal(true);
              expect(thawShares, "thaw shares = sum of delegations' thaw shares").to.equal(v.thawShares);
              expect(value <= v.poolTokens, "delegations' value <= pool tokens").to.equal(true);
              expect(thawValue <= v.thawTokens, "thawing value <= thaw tokens").to.equal(true);
            }
            expect(await token.balanceOf(stakingAddr), "balance = sum owed").to.equal(owed);
            for (const acct of [...ops, ...dels]) {
              const out = paidOut.get(acct.address) ?? 0n;
              const inn = paidIn.get(acct.address) ?? 0n;
              expect(out <= inn + rewardsCredited, "nobody withdraws more than put in plus credited").to.equal(true);
            }
          }
        }),
        {
          numRuns: Number(process.env.RIGEL_FC_RUNS ?? 12),
          seed,
          interruptAfterTimeLimit: TIMEOUT_MS - 60_000,
          markInterruptAsFailure: true,
        },
      );
    });
  }
});

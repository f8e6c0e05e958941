import { formatEther } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  claimDelegation,
  createWorld,
  currentEpoch,
  newActor,
  newDelegator,
  newOperator,
  proveCapacity,
  RGL,
  rewardOf,
  settleAll,
  STAKE,
  type Actor,
  type World,
} from "../world";

/**
 * Just-in-time delegator with capital C: in the last block of every epoch it delegates C to
 * operator A; in the first block of the next epoch it settles A, claims and undelegates; as soon as
 * C has thawed (one unbonding period) it delegates C to operator B, whose past epoch nobody has
 * settled yet, settles B, claims and undelegates again. The honest delegator has the same C
 * delegated to A for the whole run (A and B are twins: same stake, GPU and one honest delegator each).
 */
export async function playJitDelegator(epochs: number): Promise<SimRow> {
  const w = await createWorld("jit-delegator");
  const capital = STAKE;
  const a = await newOperator(w, "jit-a", STAKE);
  const b = await newOperator(w, "jit-b", STAKE);
  const honest = await newDelegator(w, "jit-honest-a", a, capital);
  const honestB = await newDelegator(w, "jit-honest-b", b, capital);
  // One RGL more than C: an undelegation may round a wei down.
  const jit = await newActor(w, "jit", capital + RGL(1n));
  const first = (await currentEpoch(w)) + 1n;
  let legsA = 0;
  let legsB = 0;
  await runEpochs(w, first, epochs, {
    boundary: async (e) => {
      if (e === first) return;
      await w.p.rewards.settleOperator(a.address);
      await claimDelegation(w, jit, a);
      await undelegateAll(w, jit, a);
    },
    afterUnbonding: async (e) => {
      if (e === first) return;
      await withdrawIfThawed(w, jit, a);
      if ((await w.p.rgl.balanceOf(jit.address)) >= capital) {
        await w.p.staking.connect(jit).delegate(b.address, capital);
        legsB++;
      }
      await w.p.rewards.settleOperator(b.address);
      await claimDelegation(w, jit, b);
      await undelegateAll(w, jit, b);
    },
    afterSecondUnbonding: async () => {
      await withdrawIfThawed(w, jit, b);
    },
    middle: async () => {
      await backgroundProves(w);
      await proveCapacity(w, a);
      await proveCapacity(w, b);
    },
    lastBlock: async () => {
      // Capital still pending in B (when delegations join only from the next epoch) is not at hand.
      if ((await w.p.rgl.balanceOf(jit.address)) < capital) return;
      await w.p.staking.connect(jit).delegate(a.address, capital);
      legsA++;
    },
  });
  await settleAll(
    w,
    [],
    [
      [jit, a],
      [jit, b],
      [honest, a],
      [honestB, b],
    ],
  );
  const rgl = (x: bigint) => Number(formatEther(x)).toFixed(2);
  return {
    strategy: "just-in-time delegator",
    reward: rewardOf(w, jit),
    honest: rewardOf(w, honest),
    honestActor: "delegator with the same capital in A all along",
    note: `${rgl(capital)} RGL delegated ${legsA} times to A in an epoch's last block, ${legsB} times to B just before its settlement; B's honest delegator got ${rgl(rewardOf(w, honestB))} RGL`,
  };
}

async function undelegateAll(w: World, delegator: Actor, op: Actor): Promise<void> {
  const d = await w.p.staking.delegationInfo(op.address, delegator.address);
  if (d.shares > 0n) await w.p.staking.connect(delegator).undelegate(op.address, d.shares);
}

async function withdrawIfThawed(w: World, delegator: Actor, op: Actor): Promise<void> {
  const d = await w.p.staking.delegationInfo(op.address, delegator.address);
  if (d.thawShares > 0n && d.thawEnd <= BigInt(await time.latest())) {
    await w.p.staking.connect(delegator).withdrawDelegation(op.address);
  }
}

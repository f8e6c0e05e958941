import { formatEther } from "ethers";
import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  claimOperator,
  createWorld,
  currentEpoch,
  newDelegator,
  newOperator,
  proveCapacity,
  rewardOf,
  settleAll,
  STAKE,
} from "../world";

/**
 * Just-in-time operator: self-stake S all along plus spare capital X = 3 S that it stakes in the last
 * block of every epoch, then settles and claims in the first block of the next epoch and unstakes at
 * once (withdrawn one unbonding period later). Its honest twin has the same S staked, the same X
 * kept unstaked, the same GPU and a delegator with as much as the operator's.
 */
export async function playJitOperator(epochs: number): Promise<SimRow> {
  const w = await createWorld("jit-operator");
  const spare = 3n * STAKE;
  const jit = await newOperator(w, "jit-operator", STAKE, spare);
  const twin = await newOperator(w, "jit-operator-twin", STAKE, spare);
  const delegator = await newDelegator(w, "jit-operator-delegator", jit, STAKE);
  const twinDelegator = await newDelegator(w, "jit-operator-twin-delegator", twin, STAKE);
  const first = (await currentEpoch(w)) + 1n;
  await runEpochs(w, first, epochs, {
    boundary: async (e) => {
      if (e === first) return;
      await claimOperator(w, jit);
      await w.p.staking.connect(jit).requestUnstake(spare);
    },
    afterUnbonding: async (e) => {
      if (e !== first) await w.p.staking.connect(jit).withdrawStake();
    },
    middle: async () => {
      await backgroundProves(w);
      await proveCapacity(w, jit);
      await proveCapacity(w, twin);
    },
    lastBlock: async () => {
      await w.p.staking.connect(jit).stake(spare);
    },
  });
  await settleAll(
    w,
    [jit, twin],
    [
      [delegator, jit],
      [twinDelegator, twin],
    ],
  );
  const rgl = (x: bigint) => Number(formatEther(x)).toFixed(2);
  return {
    strategy: "just-in-time operator",
    reward: rewardOf(w, jit),
    honest: rewardOf(w, twin),
    honestActor: "twin, same stake, spare capital unstaked",
    note: `stakes ${rgl(spare)} RGL more in the last block of each epoch; its delegator got ${rgl(rewardOf(w, delegator))} RGL, the twin's ${rgl(rewardOf(w, twinDelegator))} RGL`,
  };
}

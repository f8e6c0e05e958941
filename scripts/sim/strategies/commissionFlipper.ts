import { formatEther } from "ethers";
import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  COMMISSION_BPS,
  createWorld,
  currentEpoch,
  newDelegator,
  newOperator,
  nextTxAt,
  proveCapacity,
  rewardOf,
  settleAll,
  STAKE,
} from "../world";

/**
 * Commission flipper: every epoch it schedules an increase to 100 % that takes effect exactly at the
 * epoch boundary, settles its epoch in the first block after it, and lowers the commission back at
 * once. Its honest twin keeps 10 %. Both have the same self-stake and one delegator with as much.
 */
export async function playCommissionFlipper(epochs: number): Promise<SimRow> {
  const w = await createWorld("flipper");
  const flipper = await newOperator(w, "flipper", STAKE);
  const twin = await newOperator(w, "flipper-twin", STAKE);
  const victim = await newDelegator(w, "flipper-delegator", flipper, STAKE);
  const twinDelegator = await newDelegator(w, "flipper-twin-delegator", twin, STAKE);
  const first = (await currentEpoch(w)) + 1n;
  await runEpochs(w, first, epochs, {
    boundary: async (e) => {
      if (e === first) return;
      await w.p.rewards.settleOperator(flipper.address);
      await w.p.staking.connect(flipper).setCommission(COMMISSION_BPS);
    },
    middle: async () => {
      await backgroundProves(w);
      await proveCapacity(w, flipper);
      await proveCapacity(w, twin);
    },
    commissionNotice: async (_e, noticeAt) => {
      await nextTxAt(noticeAt);
      await w.p.staking.connect(flipper).setCommission(10_000);
    },
  });
  await settleAll(
    w,
    [flipper, twin],
    [
      [victim, flipper],
      [twinDelegator, twin],
    ],
  );
  const rgl = (x: bigint) => Number(formatEther(x)).toFixed(2);
  return {
    strategy: "commission flipper",
    reward: rewardOf(w, flipper),
    honest: rewardOf(w, twin),
    honestActor: "twin at 10 %, same stake and delegation",
    note: `its delegator got ${rgl(rewardOf(w, victim))} RGL, the twin's ${rgl(rewardOf(w, twinDelegator))} RGL`,
  };
}

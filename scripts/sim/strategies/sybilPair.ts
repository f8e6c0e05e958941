import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  createWorld,
  currentEpoch,
  FULL_GPU,
  newOperator,
  proveCapacity,
  rewardOf,
  settleAll,
  STAKE,
  type Hardware,
} from "../world";

/**
 * Sybil pair: one actor split into two operators, each with half the self-stake and half the GPU
 * (half the ops/s and VRAM), against an honest operator with the whole stake and GPU.
 */
export async function playSybilPair(epochs: number): Promise<SimRow> {
  const w = await createWorld("sybil");
  const half: Hardware = { ...FULL_GPU, opsPerSec: FULL_GPU.opsPerSec / 2n, vramMiB: FULL_GPU.vramMiB / 2 };
  const left = await newOperator(w, "sybil-left", STAKE / 2n);
  const right = await newOperator(w, "sybil-right", STAKE / 2n);
  const whole = await newOperator(w, "sybil-whole", STAKE);
  await runEpochs(w, (await currentEpoch(w)) + 1n, epochs, {
    middle: async () => {
      await backgroundProves(w);
      await proveCapacity(w, left, half);
      await proveCapacity(w, right, half);
      await proveCapacity(w, whole);
    },
  });
  await settleAll(w, [left, right, whole], []);
  return {
    strategy: "Sybil pair",
    reward: rewardOf(w, left, right),
    honest: rewardOf(w, whole),
    honestActor: "one operator with the whole stake and GPU",
    note: "two operators, each half the stake and half the ops/s",
  };
}

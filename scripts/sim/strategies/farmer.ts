import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  createWorld,
  currentEpoch,
  newOperator,
  proveCapacity,
  rewardOf,
  settleAll,
  STAKE,
} from "../world";

/**
 * Farmer: requests capacity challenges back to back and records every attestation, `perEpoch` a
 * epoch, against an honest twin (same stake, same GPU) challenged once an epoch like everyone else.
 */
export async function playFarmer(epochs: number, perEpoch = 10): Promise<SimRow> {
  const w = await createWorld("farmer");
  const farmer = await newOperator(w, "farmer", STAKE);
  const twin = await newOperator(w, "farmer-twin", STAKE);
  const refusals = new Map<string, number>();
  await runEpochs(w, (await currentEpoch(w)) + 1n, epochs, {
    middle: async () => {
      await backgroundProves(w);
      await proveCapacity(w, twin);
      for (let i = 0; i < perEpoch; i++) {
        const refused = await proveCapacity(w, farmer);
        if (refused) refusals.set(refused, (refusals.get(refused) ?? 0) + 1);
      }
    },
  });
  await settleAll(w, [farmer, twin], []);
  const refusedNote = [...refusals].map(([name, n]) => `${n} refused (${name})`).join(", ");
  return {
    strategy: "farmer",
    reward: rewardOf(w, farmer),
    honest: rewardOf(w, twin),
    honestActor: "twin challenged once an epoch",
    note: `${perEpoch} capacity attestations recorded per epoch against 1${refusedNote ? `; ${refusedNote}` : ""}`,
  };
}

import { runEpochs } from "../runEpochs";
import type { SimRow } from "../simRow";
import {
  backgroundProves,
  challengeCapacity,
  createWorld,
  currentEpoch,
  FULL_GPU,
  newOperator,
  proveCapacity,
  recordCapacity,
  rewardOf,
  settleAll,
  STAKE,
  type Actor,
  type SignedCapacity,
  type World,
} from "../world";

/**
 * Hoarder: its GPU is online (and challenged) only in every `cycle`-th epoch, when GPUs are plentiful
 * and availability pays little. It answers that epoch's challenge like its twin, and in the epoch's
 * last seconds asks for `cycle − 1` more challenges and keeps the attestations; it records the first
 * kept one in the first block of the next epoch (seconds old) and each other one in a later epoch,
 * when half the background is offline and availability pays best. Its honest twin has the same GPU
 * online in the same epochs and records what it is challenged for, when it is challenged.
 */
export async function playHoarder(epochs: number, cycle = 3): Promise<SimRow> {
  const w = await createWorld("hoarder");
  const hoarder = await newOperator(w, "hoarder", STAKE);
  const twin = await newOperator(w, "hoarder-twin", STAKE);
  const first = (await currentEpoch(w)) + 1n;
  const kept: SignedCapacity[] = [];
  let recordedLater = 0;
  const refusals = new Map<string, number>();
  const plentiful = (e: bigint) => (e - first) % BigInt(cycle) === 0n;
  const recordKept = async () => {
    const old = kept.shift();
    if (!old) return;
    const refused = await recordCapacity(w, old);
    if (refused) refusals.set(refused, (refusals.get(refused) ?? 0) + 1);
    else recordedLater++;
  };
  await runEpochs(w, first, epochs, {
    boundary: async (e) => {
      // Not in the boundary that only settles the run's last epoch.
      if (e !== first && e !== first + BigInt(epochs) && !plentiful(e) && plentiful(e - 1n)) await recordKept();
    },
    middle: async (e) => {
      if (plentiful(e)) {
        await backgroundProves(w);
        await proveCapacity(w, twin);
        await proveCapacity(w, hoarder);
        return;
      }
      await backgroundProves(w, w.background.slice(0, w.background.length / 2));
      if (!plentiful(e - 1n)) await recordKept();
    },
    lastBlock: async (e) => {
      if (!plentiful(e)) return;
      for (let i = 1; i < cycle; i++) kept.push(await challengeCapacity(w, hoarder, FULL_GPU));
    },
  });
  await settleAll(w, [hoarder, twin], []);
  const refusedNote = [...refusals].map(([name, n]) => `, ${n} refused (${name})`).join("");
  const notCredited = await issuedEarlier(w, hoarder);
  return {
    strategy: "hoarder",
    reward: rewardOf(w, hoarder),
    honest: rewardOf(w, twin),
    honestActor: "twin, same GPU online in the same epochs",
    note: `online 1 epoch in ${cycle}; ${recordedLater} hoarded attestations recorded in later epochs (${notCredited} of them credited nothing: issued in an earlier epoch)${refusedNote}`,
  };
}

/** How many of the operator's records earned nothing because they were issued in an earlier epoch
 * (`AvailabilityNotCredited` reason 5; none on contracts before that rule). */
async function issuedEarlier(w: World, op: Actor): Promise<number> {
  const logs = await w.p.rewards.queryFilter(w.p.rewards.filters.AvailabilityNotCredited(op.address));
  return logs.filter((l) => l.args.reason === 5n).length;
}

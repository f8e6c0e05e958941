import { excessPercent, type SimRow } from "./simRow";
import { playCommissionFlipper } from "./strategies/commissionFlipper";
import { playFarmer } from "./strategies/farmer";
import { playHoarder } from "./strategies/hoarder";
import { playJitDelegator } from "./strategies/jitDelegator";
import { playJitOperator } from "./strategies/jitOperator";
import { playSelfDealer } from "./strategies/selfDealer";
import { playSlashedCheater } from "./strategies/slashedCheater";
import { playSybilPair } from "./strategies/sybilPair";

export const STRATEGIES: Record<string, (epochs: number) => Promise<SimRow>> = {
  farmer: playFarmer,
  hoarder: playHoarder,
  "commission-flipper": playCommissionFlipper,
  "jit-delegator": playJitDelegator,
  "jit-operator": playJitOperator,
  "self-dealer": playSelfDealer,
  "sybil-pair": playSybilPair,
  "slashed-cheater": playSlashedCheater,
};

export interface SimulationResult {
  epochs: number;
  rows: SimRow[];
  /** The largest excess gain of any row, in percent; undefined when some strategy earned while its honest share was 0. */
  maxExcessPercent: number | undefined;
}

/**
 * Plays every strategy (or those named in `only`) for `epochs` epochs, each in its own fresh
 * deployment beside honest background operators and its honest twin.
 */
export async function runSimulation(epochs: number, only?: string[]): Promise<SimulationResult> {
  const rows: SimRow[] = [];
  for (const [name, play] of Object.entries(STRATEGIES)) {
    if (only && !only.includes(name)) continue;
    rows.push(await play(epochs));
  }
  const excesses = rows.map(excessPercent);
  const maxExcessPercent = excesses.some((x) => x === undefined) ? undefined : Math.max(...(excesses as number[]));
  return { epochs, rows, maxExcessPercent };
}

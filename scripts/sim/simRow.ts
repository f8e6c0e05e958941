/** One line of the simulation's table: a strategy's reward against an honest actor's in the same run. */
export interface SimRow {
  strategy: string;
  /** RGL (wei) the strategy's actor(s) took out, net of any cost the strategy paid (fees). */
  reward: bigint;
  /** RGL (wei) the honest actor with the same capital and hardware took out. */
  honest: bigint;
  /** Who the honest actor is. */
  honestActor: string;
  /** What happened (numbers behind the row). */
  note: string;
}

/** `(reward − honest) / honest` in percent (4 decimals kept), or undefined when honest is 0. */
export function excessPercent(row: Pick<SimRow, "reward" | "honest">): number | undefined {
  if (row.honest === 0n) return row.reward === 0n ? 0 : undefined;
  return Number(((row.reward - row.honest) * 1_000_000n) / row.honest) / 10_000;
}

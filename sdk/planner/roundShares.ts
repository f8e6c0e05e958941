/** One operator's relaxed share, to be rounded to whole items. */
export interface ShareToRound {
  rate: number;
  costPerItem: number;
  /** The relaxed (fractional) items. */
  items: number;
}

/** What the rounding must respect: a budget (fastest) or a deadline (cheapest). */
export type RoundingLimit = { kind: "budget"; budget: number } | { kind: "deadline"; deadlineSec: number };

/**
 * Rounds relaxed shares to whole items summing to `work`, each taken share ≥ 1 (docs/PROTOCOL.md
 * §15.3). Starts from `⌊x_i⌋` (there is an integer optimum of the makespan at or above every floor
 * of a proportional split) and hands each remaining item to the operator that would finish it soonest — within the
 * budget, or (cheapest) to the cheapest operator that still meets the deadline. Returns whole items
 * per share, in the input order; a share that ends with 0 items is dropped (no shard).
 */
export function roundShares(shares: readonly ShareToRound[], work: number, limit: RoundingLimit): number[] {
  const n = new Array<number>(shares.length).fill(0);
  const taken = shares.map((_, i) => i).filter((i) => shares[i].items > 0);
  let total = 0;
  let cost = 0;
  for (const i of taken) {
    n[i] = Math.floor(shares[i].items + 1e-9);
    total += n[i];
    cost += n[i] * shares[i].costPerItem;
  }
  const finish = (i: number, extra: number) => (n[i] + extra) / shares[i].rate;
  while (total < work) {
    let best = -1;
    let fallback = -1;
    for (const i of taken) {
      if (fallback < 0 || finish(i, 1) < finish(fallback, 1)) fallback = i;
      if (limit.kind === "budget") {
        if (cost + shares[i].costPerItem > limit.budget) continue;
        if (best < 0 || finish(i, 1) < finish(best, 1)) best = i;
      } else {
        if (finish(i, 1) > limit.deadlineSec) continue;
        const better =
          best < 0 ||
          shares[i].costPerItem < shares[best].costPerItem ||
          (shares[i].costPerItem === shares[best].costPerItem && finish(i, 1) < finish(best, 1));
        if (better) best = i;
      }
    }
    const pick = best >= 0 ? best : fallback;
    n[pick] += 1;
    total += 1;
    cost += shares[pick].costPerItem;
  }
  return n;
}

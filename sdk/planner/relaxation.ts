/**
 * The continuous relaxation of the planning problem (docs/PROTOCOL.md §15.2), solved exactly.
 *
 * Operator i computes `x_i ≥ 0` items (real) at `r_i` items/s for `κ_i` per item; Σ x_i = W.
 * Makespan `T = max x_i / r_i`, cost `Σ κ_i x_i`. Both objectives reduce to a fractional knapsack:
 * for a makespan T, operator i can do at most `r_i·T`, and the cheapest way to do W items within T
 * fills operators in increasing κ until W is reached.
 */

/** One eligible operator, as the relaxation sees it. */
export interface RelaxCandidate {
  /** Items per second (effective throughput). */
  rate: number;
  /** Cost per item, in payment-token base units (a real number). */
  costPerItem: number;
}

/** A relaxed solution: `items[i]` is the (fractional) share of candidate i, in the input order. */
export interface RelaxedSolution {
  items: number[];
  makespanSec: number;
  cost: number;
}

/** The order of the fill: cheapest first; equal cost, faster first (fewest operators); then input order. */
export function fillOrder(cands: readonly RelaxCandidate[]): number[] {
  const n = cands.length;
  const cost = new Float64Array(n);
  const rate = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cost[i] = cands[i].costPerItem;
    rate[i] = cands[i].rate;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => cost[a] - cost[b] || rate[b] - rate[a] || a - b);
}

/**
 * Least cost to do `work` items within `deadlineSec`: fill in {@link fillOrder}, each operator up
 * to `rate·deadline`. Undefined when even every operator together cannot (Σ r_i·D < W).
 */
export function cheapestWithin(
  cands: readonly RelaxCandidate[],
  work: number,
  deadlineSec: number,
  order: readonly number[] = fillOrder(cands),
): RelaxedSolution | undefined {
  const items = new Array<number>(cands.length).fill(0);
  let left = work;
  let cost = 0;
  let makespan = 0;
  for (const i of order) {
    if (left <= work * 1e-9) break;
    const take = Math.min(left, cands[i].rate * deadlineSec);
    if (take <= work * 1e-9) continue;
    items[i] = take;
    cost += take * cands[i].costPerItem;
    makespan = Math.max(makespan, take / cands[i].rate);
    left -= take;
  }
  if (left > work * 1e-9) return undefined;
  return { items, makespanSec: makespan, cost };
}

/**
 * Shortest makespan for `work` items at a cost of at most `budget`. With the candidates in
 * {@link fillOrder}, let `R_j = Σ_{i≤j} r_i` and `Q_j = Σ_{i≤j} κ_i r_i`: using the first j, all
 * finishing together at `T_j = W/R_j`, costs `c_j = Q_j·W/R_j` (non-decreasing in j). Between
 * `T_{j+1}` and `T_j` the least cost is linear in T (the first j saturated, the (j+1)-th partial).
 * So T* = T_N when `c_N ≤ B`; otherwise, with j the last prefix with `c_j ≤ B`,
 * `T* = (κ_{j+1}·W − B) / (κ_{j+1}·R_j − Q_j)`. Undefined when `B < c_1 = κ_min·W`.
 */
export function fastestWithin(
  cands: readonly RelaxCandidate[],
  work: number,
  budget: number,
  order: readonly number[] = fillOrder(cands),
): RelaxedSolution | undefined {
  if (order.length === 0) return undefined;
  const tolerance = Math.abs(budget) * 1e-12;
  let rSum = 0;
  let qSum = 0;
  let j = 0;
  for (; j < order.length; j++) {
    const c = cands[order[j]];
    const r = rSum + c.rate;
    const q = qSum + c.costPerItem * c.rate;
    if ((q * work) / r > budget + tolerance) break;
    rSum = r;
    qSum = q;
  }
  if (j === 0) return undefined;
  const items = new Array<number>(cands.length).fill(0);
  let makespan: number;
  if (j === order.length) {
    makespan = work / rSum;
  } else {
    const next = cands[order[j]];
    makespan = (next.costPerItem * work - budget) / (next.costPerItem * rSum - qSum);
    // Guard against rounding: the partial share lies in [0, r_{j+1}·T].
    makespan = Math.min(Math.max(makespan, work / (rSum + next.rate)), work / rSum);
    const partial = work - rSum * makespan;
    items[order[j]] = partial > work * 1e-9 ? partial : 0;
  }
  let cost = 0;
  for (let k = 0; k < j; k++) items[order[k]] = cands[order[k]].rate * makespan;
  for (let i = 0; i < cands.length; i++) cost += items[i] * cands[i].costPerItem;
  return { items, makespanSec: makespan, cost };
}

import { effectiveOpsPerSec } from "./effectiveThroughput";
import { PlannerInfeasibleError, PlannerInputError } from "./errors";
import { cheapestWithin, fastestWithin, fillOrder, type RelaxCandidate, type RelaxedSolution } from "./relaxation";
import { roundShares, type RoundingLimit } from "./roundShares";
import { screenLiveness, shortAddress } from "./screenLiveness";
import { screenOperator } from "./screenOperator";
import type { Plan, PlannedShard, PlannerDecision, PlannerJob, PlannerLiveness, PlannerOperator } from "./types";

/** The market's shard limit (JobMarket: 1..64 shards). */
export const PLANNER_MAX_SHARDS = 64;

/** Parameters of {@link planJob}. */
export interface PlanJobParameters {
  job: PlannerJob;
  operators: readonly PlannerOperator[];
  /** The oracles' heartbeats: operators not heard from recently are left out (absent: liveness unknown). */
  liveness?: PlannerLiveness;
}

export type PlanJobReturnType = Plan;
export type PlanJobErrorType = PlannerInputError | PlannerInfeasibleError;

interface Candidate extends RelaxCandidate {
  /** Index into the operators given. */
  op: number;
  price: bigint;
}

const REL = 1e-9;

/**
 * Chooses operators for a job and splits its work so that they finish together (docs/PROTOCOL.md
 * §15): hard filters first, then the exact optimum of the continuous relaxation (fastest within
 * the budget, or cheapest within the deadline; ties broken by the other objective), then whole
 * items. Every operator gets a decision saying why it was taken or left out.
 * @throws PlannerInputError for a malformed job; PlannerInfeasibleError naming the constraint no plan meets.
 */
export function planJob({ job, operators, liveness }: PlanJobParameters): PlanJobReturnType {
  checkJob(job);
  const seen = new Set<string>();
  for (const op of operators) {
    const key = op.address.toLowerCase();
    if (seen.has(key)) throw new PlannerInputError(`operator ${op.address} is listed twice`, { address: op.address });
    seen.add(key);
  }
  const excluded = new Set((job.exclude ?? []).map((a) => a.toLowerCase()));
  const decisions: PlannerDecision[] = operators.map((op) => ({
    address: op.address,
    taken: false,
    code: "not-needed",
    reason: "",
    effectiveItemsPerSec: 0,
  }));
  const cands: Candidate[] = [];
  const filtered = new Map<string, number>();
  const offline: string[] = [];
  operators.forEach((op, i) => {
    const offlineReason = screenLiveness(op.address, liveness);
    const failure =
      screenOperator(op, job, excluded) ??
      (offlineReason === undefined ? undefined : { code: "offline" as const, reason: offlineReason });
    if (failure?.code === "offline") offline.push(`${shortAddress(op.address)}: ${failure.reason}`);
    if (failure) {
      decisions[i].code = failure.code;
      decisions[i].reason = failure.reason;
      filtered.set(failure.code, (filtered.get(failure.code) ?? 0) + 1);
      return;
    }
    const price = op.pricePerUnit ?? job.maxPricePerUnit;
    const rate = effectiveOpsPerSec(op) / job.opsPerItem;
    decisions[i].effectiveItemsPerSec = rate;
    cands.push({ op: i, rate, price, costPerItem: Number(price) * unitsPerItem(job, op) });
  });
  if (cands.length === 0) {
    const why = [...filtered.entries()].map(([code, count]) => `${count} ${code}`).join(", ");
    const offlineWhy = offline.length > 0 ? `; offline: ${offline.join(", ")}` : "";
    throw new PlannerInfeasibleError(
      "operators",
      `no operator passes the hard filters (${operators.length} given${why ? `: ${why}` : ""})${offlineWhy}`,
      { given: operators.length, filtered: Object.fromEntries(filtered), offline },
    );
  }

  const maxShards = Math.min(job.maxShards, job.totalWork);
  const byCost = fillOrder(cands);
  const all = solve(job, cands, undefined, byCost);
  const uncappedSupport = all ? support(all) : [];
  let chosen: Candidate[];
  let relaxed: RelaxedSolution;
  let exact: boolean;
  if (all && uncappedSupport.length <= maxShards) {
    chosen = uncappedSupport.map((i) => cands[i]);
    relaxed = restrict(all, uncappedSupport);
    exact = true;
  } else {
    const best = bestPool(job, cands, maxShards, byCost);
    if (!best) throw infeasible(job, cands, maxShards);
    chosen = best.pool;
    relaxed = best.solution;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of cands) {
      lo = Math.min(lo, c.costPerItem);
      hi = Math.max(hi, c.costPerItem);
    }
    exact = hi <= lo * (1 + REL);
  }

  const plan = roundAndPrice(job, operators, chosen, relaxed);
  const usedUncapped = new Set(uncappedSupport.map((i) => cands[i].op));
  const takenOps = new Map(plan.shards.map((s) => [s.operator, s]));
  const inChosen = new Set(chosen);
  const shardLimitReason = `would help, but the job is limited to ${maxShards} shards and faster or cheaper operators were taken`;
  const notNeededReason =
    job.objective === "fastest"
      ? "the budget is spent better on cheaper or faster operators"
      : "cheaper operators already meet the deadline";
  for (const c of cands) {
    const d = decisions[c.op];
    const shard = takenOps.get(operators[c.op].address);
    if (shard) {
      d.taken = true;
      d.code = "taken";
      const pct = ((100 * shard.items) / job.totalWork).toFixed(1);
      d.reason = `shard ${shard.shard}: ${shard.items} items (${pct}%), done in ~${shard.seconds.toFixed(1)} s for ${shard.cost}`;
    } else if (inChosen.has(c)) {
      d.code = "share-below-one-item";
      d.reason = "its share rounded to less than one item";
    } else if (usedUncapped.has(c.op)) {
      d.code = "shard-limit";
      d.reason = shardLimitReason;
    } else {
      d.code = "not-needed";
      d.reason = notNeededReason;
    }
  }
  return {
    ...plan,
    relaxed: { cost: relaxed.cost, makespanSec: relaxed.makespanSec },
    exact,
    decisions,
    liveness: liveness ? "checked" : "unknown",
  };
}

function checkJob(job: PlannerJob): void {
  const bad = (message: string, details: Record<string, unknown>) => new PlannerInputError(message, details);
  if (!Number.isSafeInteger(job.totalWork) || job.totalWork < 1) {
    throw bad("totalWork must be an integer ≥ 1", { totalWork: job.totalWork });
  }
  if (!(job.opsPerItem > 0) || !Number.isFinite(job.opsPerItem)) {
    throw bad("opsPerItem must be a positive number", { opsPerItem: job.opsPerItem });
  }
  if (!Number.isSafeInteger(job.maxShards) || job.maxShards < 1 || job.maxShards > PLANNER_MAX_SHARDS) {
    throw bad(`maxShards must be 1..${PLANNER_MAX_SHARDS}`, { maxShards: job.maxShards });
  }
  if (job.maxPricePerUnit <= 0n)
    throw bad("maxPricePerUnit must be positive", { maxPricePerUnit: job.maxPricePerUnit });
  if (job.metering.kind === "work" && (job.metering.workPerItem <= 0n || job.metering.workPerUnit <= 0n)) {
    throw bad("work metering needs positive workPerItem and workPerUnit", {});
  }
  if (job.objective === "fastest" && (job.budget === undefined || job.budget < 0n)) {
    throw bad("the fastest objective needs a budget ≥ 0", { budget: job.budget });
  }
  if (job.objective === "cheapest" && !(job.deadlineSec !== undefined && job.deadlineSec > 0)) {
    throw bad("the cheapest objective needs a deadline in seconds > 0", { deadlineSec: job.deadlineSec });
  }
}

/** Units the market counts per item for this operator (a real number, for the relaxation). */
function unitsPerItem(job: PlannerJob, op: PlannerOperator): number {
  return job.metering.kind === "work"
    ? Number(job.metering.workPerItem) / Number(job.metering.workPerUnit)
    : job.opsPerItem / op.opsPerSec;
}

/** Exact units of a shard of `items` items on `op`, as the market will count them. */
export function shardUnits(job: PlannerJob, op: PlannerOperator, items: number): bigint {
  if (job.metering.kind === "work") {
    const { workPerItem, workPerUnit } = job.metering;
    const units = (BigInt(items) * workPerItem + workPerUnit - 1n) / workPerUnit;
    return units > 0n ? units : 1n;
  }
  return BigInt(Math.max(1, Math.ceil((items * job.opsPerItem) / op.opsPerSec - 1e-9)));
}

/** The objective's optimum over `cands`, ties broken by the other objective; undefined if infeasible. */
function solve(
  job: PlannerJob,
  cands: readonly RelaxCandidate[],
  budgetOverride?: number,
  order: readonly number[] = fillOrder(cands),
): RelaxedSolution | undefined {
  const w = job.totalWork;
  if (job.objective === "fastest") {
    // At the least makespan the least cost is already taken: either every operator is saturated
    // (one solution) or the budget binds (cost = budget = the least cost at that makespan).
    return fastestWithin(cands, w, budgetOverride ?? Number(job.budget), order);
  }
  const deadline = budgetOverride ?? (job.deadlineSec as number);
  const first = cheapestWithin(cands, w, deadline, order);
  if (!first) return undefined;
  const second = fastestWithin(cands, w, first.cost, order);
  return second && second.makespanSec <= first.makespanSec ? second : first;
}

function better(job: PlannerJob, a: RelaxedSolution, b: RelaxedSolution): boolean {
  const [pa, sa, pb, sb] =
    job.objective === "fastest"
      ? [a.makespanSec, a.cost, b.makespanSec, b.cost]
      : [a.cost, a.makespanSec, b.cost, b.makespanSec];
  if (pa < pb * (1 - REL)) return true;
  if (pa > pb * (1 + REL)) return false;
  return sa < sb * (1 - REL);
}

function support(s: RelaxedSolution): number[] {
  const out: number[] = [];
  s.items.forEach((x, i) => {
    if (x > 0) out.push(i);
  });
  return out;
}

function restrict(s: RelaxedSolution, idx: readonly number[]): RelaxedSolution {
  return { ...s, items: idx.map((i) => s.items[i]) };
}

/**
 * More eligible operators would help than the job has shards: the pools "the h fastest plus the
 * K − h cheapest of the rest" for h = 0..K, each solved exactly; the best wins. Exact when every
 * operator costs the same per item (then the K fastest are optimal, h = K).
 */
function bestPool(
  job: PlannerJob,
  cands: readonly Candidate[],
  k: number,
  byCost: readonly number[],
): { pool: Candidate[]; solution: RelaxedSolution } | undefined {
  const rate = Float64Array.from(cands, (c) => c.rate);
  const byRate = Array.from({ length: cands.length }, (_, i) => i).sort((a, b) => rate[b] - rate[a] || a - b);
  let best: { pool: Candidate[]; solution: RelaxedSolution } | undefined;
  for (let h = 0; h <= k; h++) {
    const inPool = new Set(byRate.slice(0, h));
    for (let j = 0; j < byCost.length && inPool.size < k; j++) inPool.add(byCost[j]);
    const pool = [...inPool].map((i) => cands[i]);
    const solution = solve(job, pool);
    if (solution && (!best || better(job, solution, best.solution))) {
      const idx = support(solution);
      best = { pool: idx.map((i) => pool[i]), solution: restrict(solution, idx) };
    }
  }
  return best;
}

function infeasible(job: PlannerJob, cands: readonly Candidate[], k: number): PlannerInfeasibleError {
  const fastest = [...cands].sort((a, b) => b.rate - a.rate).slice(0, k);
  const bestMakespan = job.totalWork / fastest.reduce((s, c) => s + c.rate, 0);
  const minCost = job.totalWork * Math.min(...cands.map((c) => c.costPerItem));
  if (job.objective === "fastest") {
    return new PlannerInfeasibleError(
      "budget",
      `budget ${job.budget} is below the least possible cost ≈ ${Math.ceil(minCost)} of ${job.totalWork} items`,
      { budget: job.budget, minCost: Math.ceil(minCost), eligible: cands.length },
    );
  }
  return new PlannerInfeasibleError(
    "deadline",
    `deadline ${job.deadlineSec} s cannot be met: the ${fastest.length} fastest eligible operators need ≈ ${bestMakespan.toFixed(1)} s`,
    { deadlineSec: job.deadlineSec, bestMakespanSec: bestMakespan, eligible: cands.length, maxShards: k },
  );
}

/** Rounds to whole items, prices each shard exactly, and re-solves with a tighter limit if rounding overshoots. */
function roundAndPrice(
  job: PlannerJob,
  operators: readonly PlannerOperator[],
  chosen: readonly Candidate[],
  relaxed: RelaxedSolution,
): Omit<Plan, "relaxed" | "exact" | "decisions" | "liveness"> {
  let solution = relaxed;
  let limit: RoundingLimit =
    job.objective === "fastest"
      ? { kind: "budget", budget: Number(job.budget) }
      : { kind: "deadline", deadlineSec: job.deadlineSec as number };
  for (let attempt = 0; ; attempt++) {
    const items = roundShares(
      chosen.map((c, i) => ({ rate: c.rate, costPerItem: c.costPerItem, items: solution.items[i] })),
      job.totalWork,
      limit,
    );
    const plan = price(job, operators, chosen, items);
    const over =
      job.objective === "fastest"
        ? plan.cost > (job.budget as bigint)
        : plan.makespanSec > (job.deadlineSec as number) * (1 + REL);
    if (!over) return plan;
    if (attempt === 3) {
      throw job.objective === "fastest"
        ? new PlannerInfeasibleError(
            "budget",
            `budget ${job.budget} does not cover the plan once rounded to whole items and units (${plan.cost})`,
            { budget: job.budget, roundedCost: plan.cost },
          )
        : new PlannerInfeasibleError(
            "deadline",
            `deadline ${job.deadlineSec} s is missed once the work is rounded to whole items (${plan.makespanSec.toFixed(1)} s)`,
            { deadlineSec: job.deadlineSec, roundedMakespanSec: plan.makespanSec },
          );
    }
    // Tighten the limit by the overshoot and solve the relaxation again over the same operators.
    if (limit.kind === "budget") {
      const budget = limit.budget - Number(plan.cost - (job.budget as bigint)) - 1;
      limit = { kind: "budget", budget };
      solution = solve(job, chosen, budget) ?? solution;
    } else {
      const deadlineSec = (limit.deadlineSec * (job.deadlineSec as number)) / plan.makespanSec;
      limit = { kind: "deadline", deadlineSec };
      solution = solve(job, chosen, deadlineSec) ?? solution;
    }
  }
}

function price(
  job: PlannerJob,
  operators: readonly PlannerOperator[],
  chosen: readonly Candidate[],
  items: readonly number[],
): Omit<Plan, "relaxed" | "exact" | "decisions" | "liveness"> {
  const order = chosen
    .map((_, i) => i)
    .filter((i) => items[i] > 0)
    .sort((a, b) => items[b] - items[a] || chosen[b].rate - chosen[a].rate || chosen[a].op - chosen[b].op);
  const shards: PlannedShard[] = [];
  let start = 0;
  let cost = 0n;
  let makespan = 0;
  let maxUnits = 0n;
  for (const i of order) {
    const c = chosen[i];
    const op = operators[c.op];
    const units = shardUnits(job, op, items[i]);
    const shardCost = units * c.price;
    const seconds = items[i] / c.rate;
    shards.push({
      shard: shards.length,
      operator: op.address,
      start,
      end: start + items[i],
      items: items[i],
      units,
      pricePerUnit: c.price,
      cost: shardCost,
      seconds,
    });
    start += items[i];
    cost += shardCost;
    makespan = Math.max(makespan, seconds);
    if (units > maxUnits) maxUnits = units;
  }
  return {
    objective: job.objective,
    shards,
    split: shards.map((s) => s.items),
    cost,
    makespanSec: makespan,
    maxUnitsPerShard: maxUnits,
    escrow: BigInt(shards.length) * maxUnits * job.maxPricePerUnit,
  };
}

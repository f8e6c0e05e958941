/**
 * The planner's inputs and outputs (docs/PROTOCOL.md §15). Pure data: no Node-only types, so the
 * app can plan in the browser. Work is counted in **items**: rows of C for matmul-int8 jobs, work
 * items for itemised container jobs.
 */

/** `fastest`: the shortest makespan whose cost fits the budget. `cheapest`: the lowest cost that meets the deadline. */
export type PlannerObjective = "fastest" | "cheapest";

/**
 * How the market counts a shard's units (what it pays for):
 * - `work`: `max(1, ⌈items·workPerItem / workPerUnit⌉)` (matmul: `workPerItem = n·k` multiply-adds, `workPerUnit = 10^9`);
 * - `time`: GPU-seconds, `max(1, ⌈items·opsPerItem / attested ops/s⌉)` (container jobs).
 */
export type PlannerMetering = { kind: "work"; workPerItem: bigint; workPerUnit: bigint } | { kind: "time" };

/** What the developer asks for. */
export interface PlannerJob {
  /** Items of work W to split (rows or items), a safe integer ≥ 1. */
  totalWork: number;
  /** Operations per item, in the unit of the attested ops/s (matmul: 2·n·k). */
  opsPerItem: number;
  metering: PlannerMetering;
  /** VRAM one shard needs (MiB): a hard filter. */
  vramMiB: number;
  /**
   * GPU models that may run the job (the spec's `requirements.gpuModels`, a hard filter): an
   * operator's attested model must match one (`gpuModelMatches`). Absent or empty: any model.
   */
  gpuModels?: readonly string[];
  /** Least attested ops/s an operator must have (a hard filter; default 0). */
  minOpsPerSec?: number;
  /** The most the developer pays per unit; operators asking more are left out. */
  maxPricePerUnit: bigint;
  /** At most this many shards (operators), 1..64. */
  maxShards: number;
  /** `fastest` within `budget` (payment-token base units), or `cheapest` within `deadlineSec` of the start. */
  objective: PlannerObjective;
  /** Required for `fastest`: the most the job may cost. */
  budget?: bigint;
  /** Required for `cheapest`: seconds from the start by which every shard must be done. */
  deadlineSec?: number;
  /** RGL each taken operator must have free to lock as collateral (default 0). */
  collateralPerShard?: bigint;
  /** Unix seconds "now": jail and capacity expiry are judged against it. */
  now: number;
  /** Capacity must stay valid until at least `now + capacityMarginSec` (default 0). */
  capacityMarginSec?: number;
  /** Operators never to take (lower-case or checksummed addresses). */
  exclude?: readonly string[];
}

/**
 * What the oracles say about who is up (PROTOCOL §12.6): the latest heartbeat's `receivedAt` per
 * operator (keys lower-case; absent: never seen), on the reader's clock `nowSec`.
 */
export interface PlannerLiveness {
  heartbeats: ReadonlyMap<string, { receivedAt: number }>;
  nowSec: number;
  /** Online means heard from within this many seconds (default 60). */
  windowSec?: number;
}

/** One operator as read from the chain (see `readOperators`). */
export interface PlannerOperator {
  address: string;
  registered: boolean;
  /** Attested throughput (the oracle's measurement, not the operator's claim). 0: no capacity record. */
  opsPerSec: number;
  vramMiB: number;
  /** The attested GPU model as text (`capacityOf().gpuModel` decoded); absent: not read (no model). */
  gpuModelName?: string;
  /** Unix seconds until which the capacity attestation is valid. */
  capacityValidUntil: number;
  /** Unix seconds until which the operator is jailed (0: never jailed). */
  jailedUntil: number;
  /** Self-stake not locked as collateral (RGL wei). */
  freeStake: bigint;
  /** The operator's asking price per unit; absent: it takes the job's price. */
  pricePerUnit?: bigint;
  /** Settled, failed (Invalid) and no-show shards (JobMarket.operatorRecord). */
  settled: number;
  failed: number;
  noShows: number;
}

/** Why an operator was taken or left out. */
export type PlannerDecisionCode =
  | "taken"
  | "not-registered"
  | "offline"
  | "excluded"
  | "no-capacity"
  | "capacity-expired"
  | "jailed"
  | "vram"
  | "gpu-model"
  | "min-ops"
  | "price"
  | "stake"
  | "not-needed"
  | "shard-limit"
  | "share-below-one-item";

/** The planner's word on one operator. */
export interface PlannerDecision {
  address: string;
  taken: boolean;
  code: PlannerDecisionCode;
  /** One sentence a developer can read. */
  reason: string;
  /** Items per second after the failure record (0 when filtered out). */
  effectiveItemsPerSec: number;
}

/** One shard of the plan: an operator and its half-open range of the job's work. */
export interface PlannedShard {
  shard: number;
  operator: string;
  /** Offsets into the job's work, `[start, end)` (rows relative to `rowStart`, or item indices). */
  start: number;
  end: number;
  items: number;
  units: bigint;
  pricePerUnit: bigint;
  cost: bigint;
  /** Estimated seconds to compute the shard at the operator's effective throughput. */
  seconds: number;
}

/** The planner's answer. */
export interface Plan {
  objective: PlannerObjective;
  shards: PlannedShard[];
  /** Shard sizes in shard order: the spec's `split`. */
  split: number[];
  /** Σ shard costs (payment-token base units), after rounding to whole items and units. */
  cost: bigint;
  /** The slowest shard's estimated seconds. */
  makespanSec: number;
  /** The largest shard's units: the job's `maxUnitsPerShard`. */
  maxUnitsPerShard: bigint;
  /** What the market escrows: shards × maxUnitsPerShard × maxPricePerUnit (the unused part is refunded). */
  escrow: bigint;
  /** The optimum of the continuous relaxation (fractional items) over the chosen candidates. */
  relaxed: { cost: number; makespanSec: number };
  /**
   * True when the relaxed optimum is provably the optimum over every eligible operator: the shard
   * limit did not bind, or every operator costs the same per item.
   */
  exact: boolean;
  /** One decision per operator given, in input order. */
  decisions: PlannerDecision[];
  /** "checked": offline operators were left out (code `offline`); "unknown": no heartbeats were given. */
  liveness: "checked" | "unknown";
}

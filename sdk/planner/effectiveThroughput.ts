import type { PlannerOperator } from "./types";

/**
 * The share of an operator's shards that succeed, smoothed so a new operator counts as reliable:
 * `(settled + 1) / (settled + failed + noShows + 1)` (docs/PROTOCOL.md §15.1). One failure in ten
 * shards gives 10/11; a new operator with one failure gives 1/2.
 */
export function reliability(op: Pick<PlannerOperator, "settled" | "failed" | "noShows">): number {
  return (op.settled + 1) / (op.settled + op.failed + op.noShows + 1);
}

/** Attested ops/s lowered by the failure record: what the planner splits the work by. */
export function effectiveOpsPerSec(op: PlannerOperator): number {
  return op.opsPerSec * reliability(op);
}

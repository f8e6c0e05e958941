import { PlannerInfeasibleError, PlannerInputError, type PlannerConstraint } from "../../../sdk/planner/errors";
import type { Plan, PlannerDecision } from "../../../sdk/planner/types";
import { formatDuration, formatToken, shortAddress } from "../lib/format";

/** The planner's estimate of seconds, readable: `under 1s`, `about 2m 5s`. */
export function formatSeconds(seconds: number): string {
  return seconds < 1 ? "under 1s" : `about ${formatDuration(Math.ceil(seconds))}`;
}

const INFEASIBLE: Record<PlannerConstraint, string> = {
  operators: "No operator can take this job",
  budget: "The budget is too small",
  deadline: "The deadline cannot be met",
  work: "The work cannot be split",
};

/** A budget shortfall in RGL (the planner's own message counts token base units). */
function budgetText(error: PlannerInfeasibleError): string | undefined {
  const { budget, roundedCost, minCost } = error.details;
  if (error.constraint !== "budget" || typeof budget !== "bigint") return undefined;
  if (typeof roundedCost === "bigint") {
    return `${formatToken(budget)} does not cover the plan once rounded to whole items and units (${formatToken(roundedCost)})`;
  }
  if (typeof minCost === "number") {
    return `${formatToken(budget)} is below the least possible cost, about ${formatToken(BigInt(minCost))}`;
  }
  return undefined;
}

/** The planner's error as a developer reads it: which constraint fails, and the numbers. */
export function planErrorText(error: unknown): string {
  if (error instanceof PlannerInfeasibleError) {
    return `${INFEASIBLE[error.constraint]}: ${budgetText(error) ?? error.message}.`;
  }
  if (error instanceof PlannerInputError) return `The planner cannot take this job: ${error.message}.`;
  return `Planning failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** One operator's line: a taken one's shard in the page's units; a left-out one's reason from the planner. */
function decisionText(plan: Plan, d: PlannerDecision, total: number, workUnit: "rows" | "items"): string {
  const s = d.taken ? plan.shards.find((x) => x.operator === d.address) : undefined;
  if (!s) return `left out (${d.code}): ${d.reason}`;
  const share = ((100 * s.items) / total).toFixed(1);
  return `taken: shard ${s.shard}, ${s.items} ${workUnit} (${share}%), ${formatSeconds(s.seconds)}, ${formatToken(s.cost)}`;
}

/**
 * Which operators the plan left out because the oracles have not heard from them (PROTOCOL §12.6),
 * or that liveness is unknown and why.
 */
function LivenessNote({ plan }: { plan: Plan }) {
  const offline = plan.decisions.filter((d) => d.code === "offline");
  if (plan.liveness === "unknown") {
    return (
      <div className="muted" data-testid="plan-liveness-unknown">
        Operator liveness unknown (no oracle in rigel.json oracleUrls, or none answered): operators that are offline may
        be planned.
      </div>
    );
  }
  if (offline.length === 0) return null;
  return (
    <div data-testid="plan-offline">
      Left out as offline ({offline.length}):{" "}
      {offline.map((d, i) => (
        <span key={d.address} data-testid={`plan-offline-${d.address.toLowerCase()}`}>
          {i > 0 ? "; " : ""}
          <span className="mono">{shortAddress(d.address)}</span>: {d.reason}
        </span>
      ))}
    </div>
  );
}

/**
 * The sdk planner's answer (PROTOCOL §16.3): each chosen operator with its share of the work, the
 * estimated cost and makespan, and why every operator read was taken or left out; or the planner's
 * error naming the constraint no plan meets.
 */
export function PlanView({
  plan,
  error,
  loading,
  workUnit,
  unitName = "unit",
}: {
  plan?: Plan;
  error?: unknown;
  loading?: boolean;
  /** What the work is counted in: `rows` (matmul) or `items` (container). */
  workUnit: "rows" | "items";
  /** What a unit is: `unit`, or `token` for llm-inference jobs (PROTOCOL §16.5). */
  unitName?: "unit" | "token";
}) {
  if (error) {
    return (
      <div className="wide suggestion error" data-testid="plan-error" role="alert">
        {planErrorText(error)}
      </div>
    );
  }
  if (!plan) {
    return (
      <div className="wide suggestion muted" data-testid="plan-loading">
        {loading ? "Planning over the operators on-chain…" : "Fill in the job to plan it."}
      </div>
    );
  }
  const total = plan.shards.reduce((s, x) => s + x.items, 0);
  return (
    <div className="wide suggestion" data-testid="plan">
      <LivenessNote plan={plan} />
      <div>
        <strong>
          Plan ({plan.objective === "fastest" ? "fastest within the budget" : "cheapest within the deadline"})
        </strong>
        : {plan.shards.length} operator{plan.shards.length === 1 ? "" : "s"} · estimated cost{" "}
        <strong data-testid="plan-cost">{formatToken(plan.cost)}</strong> · makespan{" "}
        <strong data-testid="plan-makespan">{formatSeconds(plan.makespanSec)}</strong>
      </div>
      <div className="table-scroll">
        <table className="plan-table">
          <thead>
            <tr>
              <th>Shard</th>
              <th>Operator</th>
              <th>{workUnit}</th>
              <th>Share</th>
              <th>{unitName === "token" ? "Tokens (at most)" : "Units"}</th>
              <th>Cost</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {plan.shards.map((s) => (
              <tr key={s.shard} data-testid={`plan-shard-${s.shard}`}>
                <td>{s.shard}</td>
                <td className="mono">{shortAddress(s.operator)}</td>
                <td>
                  {s.items} [{s.start}, {s.end})
                </td>
                <td>{((100 * s.items) / total).toFixed(1)}%</td>
                <td>{s.units.toString()}</td>
                <td>{formatToken(s.cost)}</td>
                <td>{formatSeconds(s.seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="muted">
        Escrow {formatToken(plan.escrow)} (max {plan.maxUnitsPerShard.toString()} {unitName}
        {plan.maxUnitsPerShard === 1n ? "" : "s"} per shard; the unused part is refunded).
      </div>
      <details data-testid="plan-decisions" open={plan.decisions.length <= 8}>
        <summary>Why these operators</summary>
        <ul>
          {plan.decisions.map((d) => (
            <li key={d.address} data-testid={`plan-decision-${d.address.toLowerCase()}`}>
              <span className="mono">{shortAddress(d.address)}</span> {decisionText(plan, d, total, workUnit)}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

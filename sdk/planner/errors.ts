import { RigelError } from "../errors/RigelError";

/** A planner input that is malformed (not a question of feasibility). */
export class PlannerInputError extends RigelError {
  override readonly name = "PlannerInputError";
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("PLANNER_INPUT_INVALID", message, { details });
  }
}

/** The constraint that no plan can satisfy. */
export type PlannerConstraint = "operators" | "budget" | "deadline" | "work";

/** No plan satisfies the job: `constraint` names which requirement fails, `details` the numbers. */
export class PlannerInfeasibleError extends RigelError {
  override readonly name = "PlannerInfeasibleError";
  readonly constraint: PlannerConstraint;
  constructor(constraint: PlannerConstraint, message: string, details: Record<string, unknown> = {}) {
    super("PLANNER_INFEASIBLE", message, { details: { constraint, ...details } });
    this.constraint = constraint;
  }
}

import { RigelError } from "../errors/RigelError";

/** One thing wrong with a spec: where (`inputs[2].sha256`, or `(root)`) and what. */
export interface SpecIssue {
  path: string;
  message: string;
}

/** A job spec failed its schema. Carries every problem found, not only the first. */
export class SpecValidationError extends RigelError {
  override readonly name = "SpecValidationError";
  readonly issues: readonly SpecIssue[];

  constructor(issues: readonly SpecIssue[]) {
    const list = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    super("SPEC_INVALID", `job spec is invalid (${issues.length} problem${issues.length === 1 ? "" : "s"}): ${list}`, {
      details: { issues: issues.map((i) => ({ ...i })) },
    });
    this.issues = issues;
  }
}

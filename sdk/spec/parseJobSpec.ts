import type { JobSpec } from "./jobSpecTypes";
import { SpecValidationError } from "./SpecValidationError";
import { validateJobSpec } from "./validateJobSpec";

/**
 * Parses a job spec (an object, or JSON text) into a {@link JobSpec} with every default filled in.
 * @throws SpecValidationError listing every problem found, each with its path.
 */
export function parseJobSpec(input: unknown): JobSpec {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new SpecValidationError([{ path: "(root)", message: `is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const result = validateJobSpec(value);
  if (!result.ok) throw new SpecValidationError(result.issues);
  return result.spec;
}

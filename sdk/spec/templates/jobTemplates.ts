import { batchContainerTemplate } from "./batchContainer";
import type { JobTemplate } from "./jobTemplate";
import { modelInferenceTemplate } from "./modelInference";

/** Every template, in gallery order (PROTOCOL §16.6). */
export const JOB_TEMPLATES: readonly JobTemplate[] = [batchContainerTemplate, modelInferenceTemplate];

/** The template named `name`, or undefined. */
export function findJobTemplate(name: string): JobTemplate | undefined {
  return JOB_TEMPLATES.find((t) => t.name === name.trim().toLowerCase());
}

import type { JsonValue } from "../jobSpecTypes";

/**
 * A ready-made job (PROTOCOL §16.6): a spec as a developer writes it (defaults left out, parsed by
 * `parseJobSpec` like any other) and the planning figures the dapp's form and `rigel job init` start
 * from. Shared data: the CLI and the dapp show the same gallery.
 */
export interface JobTemplate {
  /** The name `rigel job init --template NAME` takes: lower-case words joined by `-`. */
  name: string;
  /** One line for the gallery. */
  title: string;
  /** What the job does and what to change to make it yours. */
  description: string;
  /** The spec, as JSON a developer would write (its kind decides the form). */
  spec: { kind: string } & Record<string, JsonValue>;
  /** The form's planning figures (PROTOCOL §16.3), in the units the form shows. */
  plan: {
    /** Container jobs: seconds one item takes on a GPU of `referenceOpsPerSec` attested ops/s. */
    itemSeconds?: number;
    referenceOpsPerSec?: number;
    /** Container jobs without items: GPU-seconds of the one run. */
    gpuSecondsPerShard?: number;
    /** RGL per unit (container, matmul) or per 1,000 tokens (llm-inference), as decimal text. */
    maxPrice: string;
    /** Fastest within this budget, RGL as decimal text. */
    budget: string;
    maxShards: number;
    deadlineMinutes: number;
  };
  /** Fields that must be replaced before the job can run anywhere but a dev machine, and why. */
  placeholders?: { path: string; note: string }[];
}

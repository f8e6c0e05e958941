import type { JsonValue } from "../../../sdk/spec/jobSpecTypes";
import type { JobTemplate } from "../../../sdk/spec/templates/jobTemplate";
import type { JobForm } from "./buildJob";
import { commandText } from "./commandArgs";
import { EMPTY_MODEL, MODEL_FILES, type LlmForm } from "./llmJobForm";
import type { PlanForm } from "./planRequest";

/** The form fields a template sets; the rest of the form keeps what it had. */
export interface TemplateFill {
  form: Partial<JobForm & PlanForm>;
  llm?: Partial<LlmForm>;
}

const text = (v: JsonValue | undefined): string => (v === undefined || v === null ? "" : String(v));

/**
 * The create-job form filled from a template (PROTOCOL §16.6): kind, the spec's fields (a
 * container's command as its JSON array, items one JSON value a line; an llm job's prompts one a
 * line and its model's files), the GPU models, and the template's planning figures.
 */
export function templateForm(t: JobTemplate): TemplateFill {
  const s = t.spec;
  const requirements = s.requirements as { gpuModels?: string[] } | undefined;
  const form: Partial<JobForm & PlanForm> = {
    objective: "fastest",
    budget: t.plan.budget,
    shards: String(t.plan.maxShards),
    deadlineMinutes: String(t.plan.deadlineMinutes),
    gpuModels: (requirements?.gpuModels ?? []).join(", "),
  };
  if (s.kind === "container") {
    Object.assign(form, {
      kind: "container",
      image: text(s.image),
      command: commandText((s.command as string[] | undefined) ?? []),
      items: ((s.items as JsonValue[] | undefined) ?? []).map((i) => JSON.stringify(i)).join("\n"),
      gpus: text(s.gpus),
      memoryMiB: text(s.memoryMiB),
      milliCpus: text(s.milliCpus),
      timeoutSec: text(s.timeoutSec),
      maxPricePerUnit: t.plan.maxPrice,
      itemSeconds: text(t.plan.itemSeconds),
      referenceOpsPerSec: text(t.plan.referenceOpsPerSec),
      gpuSecondsPerShard: text(t.plan.gpuSecondsPerShard ?? 60),
    } satisfies Partial<JobForm & PlanForm>);
    return { form };
  }
  if (s.kind === "llm-inference") {
    form.kind = "llm-inference";
    const model = (s.model ?? {}) as Record<string, { uri?: string; sha256?: string }>;
    const filled = { ...EMPTY_MODEL };
    for (const { key } of MODEL_FILES) filled[key] = { uri: model[key]?.uri ?? "", sha256: model[key]?.sha256 ?? "" };
    const decoding = (s.decoding ?? { mode: "greedy" }) as { mode: string };
    return {
      form,
      llm: {
        prompts: ((s.items as string[] | undefined) ?? []).join("\n"),
        model: filled,
        maxNewTokens: text(s.maxNewTokens),
        decoding: decoding.mode === "sample" ? "sample" : "greedy",
        pricePer1kTokens: t.plan.maxPrice,
      },
    };
  }
  form.kind = "matmul-int8";
  Object.assign(form, { m: text(s.m), n: text(s.n), k: text(s.k), maxPricePerUnit: t.plan.maxPrice });
  return { form };
}

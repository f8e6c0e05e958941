import { parseUnits, type Hex } from "viem";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { jobSpecDataUri } from "../../../sdk/spec/jobSpecDataUri";
import type { JobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { evenSplit, llmRangeMaxUnits, matmulShardRows, matmulUnits } from "../../../sdk/spec/shardWork";
import type { PromptsFormat } from "../../../sdk/spec/parsePrompts";
import { CONTAINER_SPEC_LIMITS } from "../../../sdk/spec/jobSpecTypes";
import { clampInt } from "./clampInt";
import { commandArgs } from "./commandArgs";
import { llmRawSpec, pricePerTokenOfForm, type LlmForm } from "./llmJobForm";

/** The create-job form, as typed. */
export interface JobForm {
  kind: "matmul-int8" | "container" | "llm-inference";
  seed: string;
  m: string;
  n: string;
  k: string;
  image: string;
  command: string;
  /** One JSON value per line; empty = a single run. */
  items: string;
  /** Units per shard for container jobs (GPU-seconds). */
  gpuSecondsPerShard: string;
  /** The most shards (operators) the planner may use, 1..64; capped at the rows or items. */
  shards: string;
  /** In RGL per unit (decimal). */
  maxPricePerUnit: string;
  /** Minutes from now. */
  deadlineMinutes: string;
  minVramMiB: string;
  minOpsPerSec: string;
  /** The language-model fields (kind `llm-inference`); their price replaces `maxPricePerUnit`. */
  llm?: LlmForm;
  /** Container resources, as typed; empty or absent: the spec's defaults (PROTOCOL §12.1). */
  gpus?: string;
  memoryMiB?: string;
  milliCpus?: string;
  timeoutSec?: string;
  /** GPU models that may run the job, comma-separated (`H100, A100`); empty: any (spec `requirements`). */
  gpuModels?: string;
  /**
   * Where the operators' agents push each shard's results after settlement (spec `uploadUrl`, PROTOCOL
   * §14.9): a results store's upload URL (§18.8), so the page can still download them when the
   * operator's machine is gone; empty: none.
   */
  uploadUrl?: string;
}

/** The most minutes ahead a deadline may be typed (7 days): beyond it the field is clamped. */
export const MAX_DEADLINE_MINUTES = 7 * 24 * 60;

/** The market's shard limit: `Max shards` is clamped into 1..64. */
export const MAX_SHARDS = 64;

/** `H100, a100 ,` → `["H100", "a100"]`: the names as typed, blanks dropped. */
export function gpuModelsOfForm(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}

/** The job as the form gives it: the parsed spec, its hash and URI, and the form's numbers (`plannedJob` makes the params). */
export interface BuiltJob {
  spec: JobSpec;
  specHash: Hex;
  specURI: string;
  shards: number;
  unitsPerShard: bigint;
  maxPricePerUnit: bigint;
  minVramMiB: number;
  minOpsPerSec: bigint;
  deadlineSeconds: bigint;
  /** Multiply-adds of the largest shard (matmul only), for the time estimate. */
  multiplyAddsPerShard?: bigint;
  escrow: bigint;
  /** llm-inference: how the prompts were read (`parsePrompts`). */
  promptsFormat?: PromptsFormat;
  /** Fields moved into their bounds, one sentence each (`Max shards: 100 is above the most, 64; using 64.`). */
  notes: string[];
}

/** A form that does not make a job; `problems` lists every field at fault. */
export class JobFormError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

function int(value: string, field: string, problems: string[], min = 0): number {
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < min) problems.push(`${field} must be a whole number ≥ ${min}`);
  return n;
}

/**
 * Builds a job from the form with the sdk: the spec is parsed (all problems at once), hashed, put in
 * a data: URI; matmul units per shard come from `shardWork` (the largest shard's rows of an even
 * split). The planner then replaces the split, the shards and the units (`plannedJob`).
 */
export function buildJob(form: JobForm, nowSeconds: bigint): BuiltJob {
  const problems: string[] = [];
  const notes: string[] = [];
  // Out-of-range numbers are moved into range with a note; text that is no number is a problem.
  const clamped = (text: string | undefined, bounds: Parameters<typeof clampInt>[1]): number => {
    const c = clampInt(text ?? "", bounds);
    if (c.problem) problems.push(c.problem);
    if (c.note) notes.push(c.note);
    return c.value;
  };
  let shards = clamped(form.shards, { label: "Max shards", min: 1, max: MAX_SHARDS });
  const minutes = clamped(form.deadlineMinutes, { label: "Deadline (minutes)", min: 1, max: MAX_DEADLINE_MINUTES });
  const minVramMiB = clamped(form.minVramMiB, { label: "Min VRAM (MiB)", min: 0, max: 2 ** 32 - 1, fallback: 0 });
  const minOps = int(form.minOpsPerSec, "minimum ops/s", problems);
  let price = 0n;
  if (form.kind === "llm-inference") {
    // Priced per 1,000 tokens; on-chain a unit is one token (PROTOCOL §19.1), converted exactly.
    price = pricePerTokenOfForm(form.llm?.pricePer1kTokens ?? "", problems);
  } else {
    try {
      price = parseUnits(form.maxPricePerUnit.trim(), 18);
      if (price <= 0n) problems.push("price per unit must be above 0");
    } catch {
      problems.push("price per unit must be a number");
    }
  }
  let raw: unknown;
  let promptsFormat: PromptsFormat | undefined;
  if (form.kind === "llm-inference") {
    if (!form.llm) problems.push("the language-model fields are missing");
    else ({ raw, promptsFormat } = llmRawSpec(form.llm, problems));
  } else if (form.kind === "matmul-int8") {
    raw = {
      kind: "matmul-int8",
      seed: form.seed.trim(),
      m: int(form.m, "m", problems, 1),
      n: int(form.n, "n", problems, 1),
      k: int(form.k, "k", problems, 1),
    };
  } else {
    const lines = form.items
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    const items: unknown[] = [];
    for (const [i, line] of lines.entries()) {
      try {
        items.push(JSON.parse(line));
      } catch {
        items.push(line);
        if (/^[[{"]/.test(line)) problems.push(`item ${i + 1} is not valid JSON`);
      }
    }
    const L = CONTAINER_SPEC_LIMITS;
    const resource = (text: string | undefined, label: string, bounds: { min: number; max: number }) =>
      text === undefined || text.trim() === "" ? undefined : clamped(text, { label, ...bounds });
    const resources = {
      gpus: resource(form.gpus, "GPUs", L.gpus),
      memoryMiB: resource(form.memoryMiB, "Memory (MiB)", L.memoryMiB),
      milliCpus: resource(form.milliCpus, "CPU (1000 = one CPU)", L.milliCpus),
      timeoutSec: resource(form.timeoutSec, "Timeout per run (s)", L.timeoutSec),
    };
    raw = {
      kind: "container",
      image: form.image.trim(),
      command: commandArgs(form.command, problems),
      ...Object.fromEntries(Object.entries(resources).filter(([, v]) => v !== undefined)),
      ...(items.length > 0 ? { items } : {}),
    };
  }
  const gpuModels = gpuModelsOfForm(form.gpuModels);
  if (gpuModels.length > 0 && raw !== undefined) {
    raw = { ...(raw as Record<string, unknown>), requirements: { gpuModels } };
  }
  const uploadUrl = form.uploadUrl?.trim();
  if (uploadUrl && raw !== undefined) raw = { ...(raw as Record<string, unknown>), uploadUrl };
  let spec: JobSpec | undefined;
  try {
    spec = parseJobSpec(raw);
  } catch (err) {
    const issues = (err as { issues?: { path: string; message: string }[] }).issues;
    if (issues) for (const issue of issues) problems.push(`${issue.path} ${issue.message}`);
    else problems.push((err as Error).message);
  }
  let unitsPerShard = 0n;
  let multiplyAddsPerShard: bigint | undefined;
  if (spec && problems.length === 0) {
    if (spec.kind === "matmul-int8") {
      // `shards` is the most the planner may use: never more than there are rows.
      shards = Math.min(shards, spec.rowEnd - spec.rowStart);
      {
        // Every shard gets the same max units: those of the largest shard (at most 64 shards).
        let rows = 0;
        for (let s = 0; s < shards; s++) {
          const r = matmulShardRows(spec, shards, s);
          rows = Math.max(rows, r.end - r.start);
        }
        unitsPerShard = matmulUnits(rows, spec.n, spec.k);
        multiplyAddsPerShard = BigInt(rows) * BigInt(spec.n) * BigInt(spec.k);
      }
    } else if (spec.kind === "llm-inference") {
      // At most one shard per prompt; the most tokens a shard can be paid for is Σ (prompt bytes +
      // maxNewTokens) over its items (a byte-level BPE token is at least one byte, PROTOCOL §19.1).
      shards = Math.min(shards, spec.items.length);
      for (let s = 0; s < shards; s++) {
        const units = llmRangeMaxUnits(spec, evenSplit(spec.items.length, shards, s));
        if (units > unitsPerShard) unitsPerShard = units;
      }
    } else {
      // A container job without items is one run; with items, at most one shard per item.
      shards = spec.items === undefined ? 1 : Math.min(shards, spec.items.length);
      unitsPerShard = BigInt(int(form.gpuSecondsPerShard, "GPU-seconds per shard", problems, 1));
    }
  }
  if (problems.length > 0 || !spec) throw new JobFormError(problems);
  const hashed = hashJobSpec(spec);
  return {
    spec,
    specHash: hashed.hash,
    specURI: jobSpecDataUri(spec),
    shards,
    unitsPerShard,
    maxPricePerUnit: price,
    minVramMiB,
    minOpsPerSec: BigInt(minOps),
    deadlineSeconds: nowSeconds + BigInt(minutes) * 60n,
    multiplyAddsPerShard,
    escrow: BigInt(shards) * unitsPerShard * price,
    promptsFormat,
    notes,
  };
}

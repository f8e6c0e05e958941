// `rigel job plan|submit|spec --prompts FILE --model DIR …`: an llm-inference spec from flags
// instead of a spec file (PROTOCOL §15.5, §19.1).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../sdk/cli/commands";
import { LLM_MODEL_FILE_NAMES } from "../sdk/spec/jobSpecTypes";
import { parsePrompts } from "../sdk/spec/parsePrompts";

/** The flags that make an llm-inference spec. */
export const LLM_SPEC_FLAGS = {
  prompts: {
    type: "string",
    value: "FILE",
    description: "llm-inference: the prompts, one a line (JSON strings, or plain lines)",
  },
  model: {
    type: "string",
    value: "DIR",
    description: "llm-inference: a folder with config.json, model.safetensors, vocab.json, merges.txt (hashed here)",
  },
  "model-url": {
    type: "string",
    value: "URL",
    description: "llm-inference: where operators fetch the model's files (default: file:// URIs of --model)",
  },
  "max-new-tokens": { type: "string", value: "N", description: "llm-inference: most tokens generated per prompt" },
  sample: { type: "boolean", description: "llm-inference: sample (seeded) instead of greedy decoding" },
  temperature: { type: "string", value: "T", description: "llm-inference --sample: temperature", default: "1" },
  "top-p": { type: "string", value: "P", description: "llm-inference --sample: nucleus top-p", default: "1" },
  "sample-seed": { type: "string", value: "BYTES32", description: "llm-inference --sample: the sampling seed" },
} as const;

export interface LlmSpecFlags {
  prompts?: string;
  model?: string;
  "model-url"?: string;
  "max-new-tokens"?: string;
  sample?: boolean;
  temperature?: string;
  "top-p"?: string;
  "sample-seed"?: string;
}

function milli(value: string, name: string): number {
  if (!/^\d+(\.\d{1,3})?$/.test(value.trim())) {
    throw new UsageError("RIGEL_JOB_BAD_FLAG", `--${name} must be a number with at most 3 decimals, not "${value}"`);
  }
  const [whole, fraction = ""] = value.trim().split(".");
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
}

/**
 * The raw llm-inference spec the flags describe (the sdk parser checks it), or undefined when
 * `--prompts` is absent. Each model file is read from `--model DIR` and hashed (sha256); its URI
 * is `--model-url` + the file's standard name, or the file's own `file://` URI.
 */
export function llmSpecFromFlags(flags: LlmSpecFlags): Record<string, unknown> | undefined {
  if (flags.prompts === undefined) return undefined;
  if (flags.model === undefined) throw new UsageError("RIGEL_JOB_NO_MODEL", "--prompts needs --model DIR");
  const { prompts } = parsePrompts(fs.readFileSync(flags.prompts, "utf8"));
  const maxNewTokens = Number(flags["max-new-tokens"] ?? "");
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new UsageError("RIGEL_JOB_BAD_FLAG", "--max-new-tokens N (a whole number ≥ 1) is required with --prompts");
  }
  const base = flags["model-url"];
  const model: Record<string, unknown> = { architecture: "gpt2" };
  for (const [key, file] of Object.entries(LLM_MODEL_FILE_NAMES)) {
    const local = path.resolve(flags.model, file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(local);
    } catch (err) {
      throw new UsageError("RIGEL_JOB_NO_MODEL", `cannot read ${local}: ${(err as Error).message}`);
    }
    model[key] = {
      uri: base ? new URL(file, base.endsWith("/") ? base : `${base}/`).toString() : pathToFileURL(local).toString(),
      sha256: `0x${createHash("sha256").update(bytes).digest("hex")}`,
    };
  }
  const decoding = flags.sample
    ? {
        mode: "sample",
        temperatureMilli: milli(flags.temperature ?? "1", "temperature"),
        topPMilli: milli(flags["top-p"] ?? "1", "top-p"),
        seed: flags["sample-seed"] ?? `0x${createHash("sha256").update(prompts.join("\n")).digest("hex")}`,
      }
    : { mode: "greedy" };
  return { kind: "llm-inference", model, items: prompts, maxNewTokens, decoding };
}

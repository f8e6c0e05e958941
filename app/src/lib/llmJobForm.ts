import { parseUnits } from "viem";
import { pricePerUnitFromPerThousandTokens } from "../../../sdk/pricing/pricePerThousandTokens";
import { parsePrompts, type PromptsFormat } from "../../../sdk/spec/parsePrompts";

/** The four model files of PROTOCOL §19.1, in the order the form shows them, with their standard names. */
export const MODEL_FILES = [
  { key: "config", file: "config.json" },
  { key: "weights", file: "model.safetensors" },
  { key: "vocab", file: "vocab.json" },
  { key: "merges", file: "merges.txt" },
] as const;

export type ModelFileKey = (typeof MODEL_FILES)[number]["key"];

/** The language-model part of the create-job form, as typed (PROTOCOL §16.5). */
export interface LlmForm {
  /** Pasted or uploaded: one JSON string a line, or plain lines (`parsePrompts`). */
  prompts: string;
  /** Each model file's URI and sha256, as typed or filled from a served folder. */
  model: Record<ModelFileKey, { uri: string; sha256: string }>;
  maxNewTokens: string;
  decoding: "greedy" | "sample";
  /** Decimal, at most 3 decimals (the spec holds thousandths). */
  temperature: string;
  topP: string;
  /** bytes32 of the sampling seed. */
  sampleSeed: string;
  /** RGL per 1,000 tokens (decimal); the per-token price must come out whole in wei. */
  pricePer1kTokens: string;
}

export const EMPTY_MODEL: LlmForm["model"] = {
  config: { uri: "", sha256: "" },
  weights: { uri: "", sha256: "" },
  vocab: { uri: "", sha256: "" },
  merges: { uri: "", sha256: "" },
};

/** A decimal with at most three decimals as an integer number of thousandths (`0.8` → 800). */
export function milli(value: string, field: string, problems: string[]): number {
  try {
    const n = Number(parseUnits(value.trim(), 3));
    if (n > 0) return n;
  } catch {
    // reported below
  }
  problems.push(`${field} must be a number above 0 with at most 3 decimals`);
  return 0;
}

/**
 * The per-token price (wei) of a price per 1,000 tokens typed in RGL: exact, never rounded
 * (sdk `pricePerUnitFromPerThousandTokens`); a problem when it is not a whole number of wei per token.
 */
export function pricePerTokenOfForm(perThousand: string, problems: string[]): bigint {
  let wei: bigint;
  try {
    wei = parseUnits(perThousand.trim(), 18);
  } catch {
    problems.push("price per 1,000 tokens must be a number of RGL");
    return 0n;
  }
  if (wei <= 0n) {
    problems.push("price per 1,000 tokens must be above 0");
    return 0n;
  }
  try {
    return pricePerUnitFromPerThousandTokens(wei);
  } catch {
    problems.push("price per 1,000 tokens must have at most 15 decimals (a whole number of wei per token)");
    return 0n;
  }
}

/** The raw `llm-inference` spec the form describes (the sdk parser checks it), and how the prompts were read. */
export function llmRawSpec(
  form: LlmForm,
  problems: string[],
): { raw: Record<string, unknown>; promptsFormat: PromptsFormat } {
  const { prompts, format } = parsePrompts(form.prompts);
  if (prompts.length === 0) problems.push("prompts: give at least one");
  const maxNewTokens = Number(form.maxNewTokens.trim());
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 1)
    problems.push("max new tokens must be a whole number ≥ 1");
  const model: Record<string, unknown> = { architecture: "gpt2" };
  for (const { key } of MODEL_FILES) {
    model[key] = { uri: form.model[key].uri.trim(), sha256: form.model[key].sha256.trim().toLowerCase() };
  }
  const decoding =
    form.decoding === "greedy"
      ? { mode: "greedy" }
      : {
          mode: "sample",
          temperatureMilli: milli(form.temperature, "temperature", problems),
          topPMilli: milli(form.topP, "top-p", problems),
          seed: form.sampleSeed.trim(),
        };
  return {
    raw: { kind: "llm-inference", model, items: prompts, maxNewTokens, decoding },
    promptsFormat: format,
  };
}

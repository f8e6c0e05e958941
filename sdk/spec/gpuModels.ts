import { hexToString, type Hex } from "viem";

/**
 * GPU-model requirements of a spec (`requirements.gpuModels`, PROTOCOL §12.1, §15.1): which GPU
 * models may run the job, matched against the model an operator's capacity attestation carries
 * (`capacityOf(operator).gpuModel`, a bytes32 string). Pure and browser-safe: the parser, the
 * planner, the agent and the dapp share it.
 */

/** Bounds of `requirements.gpuModels`: 1 – 16 names, each fits the attested bytes32. */
export const GPU_MODEL_LIMITS = { models: { min: 1, max: 16 }, bytes: 32 } as const;

/** A required model's name: a letter or digit, then letters, digits, spaces and `._+-`. */
export const GPU_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._+-]*$/;

/** Lower-case words of a model name: `"NVIDIA  H100 80GB"` → `["nvidia", "h100", "80gb"]`. */
function words(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((w) => w.length > 0);
}

/**
 * Whether the attested model satisfies one required name: case-insensitively, the required words
 * appear in the attested name as consecutive whole words. `"H100"` matches `"NVIDIA H100 80GB HBM3"`
 * and `"h100"`; `"RTX 4090"` matches `"NVIDIA GeForce RTX 4090"`; `"H10"` matches neither, nor
 * does `"4090"` match `"RTX 4090 D"`'s neighbour `"RTX 40900"`.
 */
export function gpuModelMatches(required: string, attested: string): boolean {
  const want = words(required);
  const have = words(attested);
  if (want.length === 0 || want.length > have.length) return false;
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((w, j) => have[i + j] === w)) return true;
  }
  return false;
}

/** `an H100`, `an RTX 4090`, `a Tesla T4`, `a 4090`: the article a reader says before a model name. */
export function withArticle(name: string): string {
  const first = name.split(/\s/)[0] ?? "";
  // An acronym (all capitals and digits) is read letter by letter: "an H100", "an RTX", "a T4".
  const spelled = /^[A-Z0-9]+$/.test(first) && /[A-Z]/.test(first[0] ?? "");
  const vowelSound = spelled ? "AEFHILMNORSX".includes(first[0]) : /^[aeiou]/i.test(first);
  return `${vowelSound ? "an" : "a"} ${name}`;
}

/**
 * Why an operator whose attested GPU model is `attested` cannot run a job requiring one of
 * `required`, or undefined when it can (or when nothing is required): `needs an H100; has an RTX 4090`,
 * `needs an H100 or an A100; has no attested GPU model`.
 */
export function gpuModelMismatch(required: readonly string[] | undefined, attested: string): string | undefined {
  if (required === undefined || required.length === 0) return undefined;
  if (required.some((r) => gpuModelMatches(r, attested))) return undefined;
  const needs = required.map(withArticle).join(" or ");
  const has = attested.trim() === "" ? "no attested GPU model" : withArticle(attested.trim());
  return `needs ${needs}; has ${has}`;
}

/** The attested bytes32 `gpuModel` as text (trailing NULs dropped; zero: the empty string). */
export function gpuModelName(gpuModel: Hex): string {
  return hexToString(gpuModel, { size: 32 }).replace(/\0+$/, "").trim();
}

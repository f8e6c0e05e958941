import {
  CONTAINER_PATHS,
  CONTAINER_SPEC_DEFAULTS,
  CONTAINER_SPEC_LIMITS,
  JOB_SPEC_VERSION,
  SPLIT_LIMITS,
  type ContainerInput,
  type ContainerJobSpec,
  type ContainerNetwork,
  type JobSpec,
  type JobRequirements,
  type JsonValue,
  type LlmDecoding,
  type LlmInferenceSpec,
  type LlmModel,
  type MatmulInt8Spec,
  type ModelFile,
  LLM_MODEL_FILES,
  LLM_SPEC_LIMITS,
  type VerificationMode,
  reservedEnvName,
} from "./jobSpecTypes";
import { matmulShapeIssues } from "../pow/workload";
import { GPU_MODEL_LIMITS, GPU_MODEL_NAME } from "./gpuModels";
import type { SpecIssue } from "./SpecValidationError";

/** The outcome of {@link validateJobSpec}: the parsed spec with defaults, or every problem found. */
export type ValidateJobSpecReturnType = { ok: true; spec: JobSpec } | { ok: false; issues: SpecIssue[] };

/** Job kinds this sdk knows. */
export const JOB_KINDS = ["container", "matmul-int8", "llm-inference"] as const;

const CONTAINER_KEYS = [
  "kind",
  "version",
  "image",
  "command",
  "env",
  "gpus",
  "memoryMiB",
  "milliCpus",
  "pidsLimit",
  "network",
  "inputs",
  "outputPath",
  "timeoutSec",
  "outputBytes",
  "outputFiles",
  "tmpMiB",
  "items",
  "verification",
  "split",
  "uploadUrl",
  "requirements",
] as const;
const MATMUL_KEYS = [
  "kind",
  "version",
  "seed",
  "m",
  "n",
  "k",
  "rowStart",
  "rowEnd",
  "split",
  "uploadUrl",
  "requirements",
] as const;
const REQUIREMENTS_KEYS = ["gpuModels"] as const;
const INPUT_KEYS = ["name", "uri", "sha256"] as const;
const LLM_KEYS = [
  "kind",
  "version",
  "model",
  "items",
  "maxNewTokens",
  "decoding",
  "verification",
  "split",
  "uploadUrl",
  "requirements",
] as const;
const LLM_MODEL_KEYS = ["architecture", ...LLM_MODEL_FILES] as const;
const MODEL_FILE_KEYS = ["uri", "sha256"] as const;
const GREEDY_KEYS = ["mode"] as const;
const SAMPLE_KEYS = ["mode", "temperatureMilli", "topPMilli", "seed"] as const;

// Docker's reference grammar (distribution/reference), slightly simplified: [domain/]path[:tag][@sha256:hex].
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN =
  "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?";
const IMAGE_REFERENCE = new RegExp(
  `^${DOMAIN}${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INPUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX32 = /^(?:0x)?[0-9a-fA-F]{64}$/;
const FORBIDDEN_OUTPUT_ROOTS = ["/proc", "/sys", "/dev", "/rigel/inputs"];

/**
 * Checks a job spec against the schema (docs/PROTOCOL.md, "Job specs"), fills in defaults and
 * normalises values (hex to lowercase `0x…`). Reports every problem at once, each with its path.
 * Unknown fields are problems too: the spec hash covers every field, so nothing may be ignored.
 */
export function validateJobSpec(input: unknown): ValidateJobSpecReturnType {
  const c = new Checker();
  if (!isPlainObject(input)) {
    c.issue("(root)", "must be a JSON object");
    return { ok: false, issues: c.issues };
  }
  const kind = input.kind;
  let spec: JobSpec | undefined;
  if (kind === "container") spec = containerSpec(c, input);
  else if (kind === "matmul-int8") spec = matmulSpec(c, input);
  else if (kind === "llm-inference") spec = llmSpec(c, input);
  else c.issue("kind", `must be one of ${JOB_KINDS.map((k) => `"${k}"`).join(", ")}`);
  if (c.issues.length > 0 || spec === undefined) return { ok: false, issues: c.issues };
  return { ok: true, spec };
}

function containerSpec(c: Checker, o: Record<string, unknown>): ContainerJobSpec {
  c.unknownKeys(o, CONTAINER_KEYS, "");
  const d = CONTAINER_SPEC_DEFAULTS;
  const L = CONTAINER_SPEC_LIMITS;
  const version = c.version(o);

  let image = "";
  if (o.image === undefined) c.issue("image", "is required");
  else if (typeof o.image !== "string" || !IMAGE_REFERENCE.test(o.image) || o.image.length > 255) {
    c.issue("image", "must be a Docker image reference such as `name:tag` or `name@sha256:<64 hex>`");
  } else image = o.image;

  const command = c.stringArray(o.command, "command", d.command, 1024);
  const env = c.env(o.env);
  const gpus = c.int(o.gpus, "gpus", d.gpus, L.gpus.min, L.gpus.max);
  const memoryMiB = c.int(o.memoryMiB, "memoryMiB", d.memoryMiB, L.memoryMiB.min, L.memoryMiB.max);
  const milliCpus = c.int(o.milliCpus, "milliCpus", d.milliCpus, L.milliCpus.min, L.milliCpus.max);
  const pidsLimit = c.int(o.pidsLimit, "pidsLimit", d.pidsLimit, L.pidsLimit.min, L.pidsLimit.max);
  const network = c.oneOf<ContainerNetwork>(o.network, "network", ["none", "bridge"], d.network);
  const inputs = c.inputs(o.inputs);
  const outputPath = c.outputPath(o.outputPath);
  const timeoutSec = c.int(o.timeoutSec, "timeoutSec", d.timeoutSec, L.timeoutSec.min, L.timeoutSec.max);
  const items = c.items(o.items);
  const verification = c.oneOf<VerificationMode>(
    o.verification,
    "verification",
    ["sampled", "receipt"],
    items === undefined ? "receipt" : "sampled",
  );
  if (verification === "sampled" && items === undefined && o.items === undefined) {
    c.issue("verification", '"sampled" needs `items`: the oracle re-runs sampled items');
  }

  const spec: ContainerJobSpec = {
    kind: "container",
    version,
    image,
    command,
    env,
    gpus,
    memoryMiB,
    milliCpus,
    pidsLimit,
    network,
    inputs,
    outputPath,
    timeoutSec,
    verification,
  };
  // Optional run limits: written into the canonical form only when given (older specs keep their hash).
  for (const key of ["outputBytes", "outputFiles", "tmpMiB"] as const) {
    if (o[key] === undefined) continue;
    const value = c.int(o[key], key, undefined, L[key].min, L[key].max);
    if (c.issues.every((i) => i.path !== key)) spec[key] = value;
  }
  if (items !== undefined) spec.items = items;
  if (o.split !== undefined) {
    if (o.items === undefined) c.issue("split", "needs `items`: a container job without items is one run");
    const split = c.split(o.split, items?.length);
    if (split !== undefined) spec.split = split;
  }
  const uploadUrl = c.uploadUrl(o.uploadUrl);
  if (uploadUrl !== undefined) spec.uploadUrl = uploadUrl;
  const requirements = c.requirements(o.requirements);
  if (requirements !== undefined) spec.requirements = requirements;
  return spec;
}

function matmulSpec(c: Checker, o: Record<string, unknown>): MatmulInt8Spec {
  c.unknownKeys(o, MATMUL_KEYS, "");
  const version = c.version(o);
  const seed = c.hex32(o.seed, "seed", true);
  const m = c.int(o.m, "m", undefined, 1, Number.MAX_SAFE_INTEGER);
  const n = c.int(o.n, "n", undefined, 1, Number.MAX_SAFE_INTEGER);
  const k = c.int(o.k, "k", undefined, 1, Number.MAX_SAFE_INTEGER);
  // The shape rules of docs/PROTOCOL.md §3.2 (sdk/pow/workload.ts): a spec that passes can be proven and verified.
  for (const issue of matmulShapeIssues({ m, n, k })) c.issue(issue.path, issue.message);
  const rowStart = c.int(o.rowStart, "rowStart", 0, 0, Number.MAX_SAFE_INTEGER);
  const rowEnd = c.int(o.rowEnd, "rowEnd", m, 1, Number.MAX_SAFE_INTEGER);
  if (m > 0 && rowEnd > m) c.issue("rowEnd", `must be at most m (${m})`);
  if (rowStart >= rowEnd && rowEnd > 0) c.issue("rowStart", `must be below rowEnd (${rowEnd})`);
  const spec: MatmulInt8Spec = { kind: "matmul-int8", version, seed, m, n, k, rowStart, rowEnd };
  const split = c.split(o.split, rowEnd > rowStart ? rowEnd - rowStart : undefined);
  if (split !== undefined) spec.split = split;
  const uploadUrl = c.uploadUrl(o.uploadUrl);
  if (uploadUrl !== undefined) spec.uploadUrl = uploadUrl;
  const requirements = c.requirements(o.requirements);
  if (requirements !== undefined) spec.requirements = requirements;
  return spec;
}

function llmSpec(c: Checker, o: Record<string, unknown>): LlmInferenceSpec {
  c.unknownKeys(o, LLM_KEYS, "");
  const L = LLM_SPEC_LIMITS;
  const version = c.version(o);
  const model = c.llmModel(o.model);
  const items = c.prompts(o.items);
  const maxNewTokens = c.int(o.maxNewTokens, "maxNewTokens", undefined, L.maxNewTokens.min, L.maxNewTokens.max);
  const decoding = c.decoding(o.decoding);
  const verification = c.oneOf<"activations">(o.verification, "verification", ["activations"], "activations");
  const spec: LlmInferenceSpec = {
    kind: "llm-inference",
    version,
    model,
    items,
    maxNewTokens,
    decoding,
    verification,
  };
  const split = c.split(o.split, items.length > 0 ? items.length : undefined);
  if (split !== undefined) spec.split = split;
  const uploadUrl = c.uploadUrl(o.uploadUrl);
  if (uploadUrl !== undefined) spec.uploadUrl = uploadUrl;
  const requirements = c.requirements(o.requirements);
  if (requirements !== undefined) spec.requirements = requirements;
  return spec;
}

/** Collects issues while reading fields; each reader returns a usable value even on failure. */
class Checker {
  readonly issues: SpecIssue[] = [];

  issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** The optional `uploadUrl`: an absolute http(s) URL without credentials, at most 2048 characters. */
  uploadUrl(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    const bad = () =>
      this.issue("uploadUrl", "must be an http:// or https:// URL without credentials (≤ 2048 characters)");
    if (typeof value !== "string" || value.length > 2048) return void bad();
    try {
      const url = new URL(value);
      if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password) return void bad();
    } catch {
      return void bad();
    }
    return value;
  }

  /**
   * The optional `requirements`: `{ gpuModels }`, 1 – 16 distinct model names (case-insensitively),
   * each a letter or digit then letters, digits, spaces and `._+-`, at most 32 bytes (the attested
   * `gpuModel` is a bytes32).
   */
  requirements(value: unknown): JobRequirements | undefined {
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
      this.issue("requirements", 'must be an object such as { "gpuModels": ["H100"] }');
      return undefined;
    }
    this.unknownKeys(value, REQUIREMENTS_KEYS, "requirements");
    const L = GPU_MODEL_LIMITS;
    const models = value.gpuModels;
    if (models === undefined) {
      this.issue("requirements.gpuModels", "is required (the only requirement so far)");
      return undefined;
    }
    if (!Array.isArray(models) || models.length < L.models.min || models.length > L.models.max) {
      this.issue("requirements.gpuModels", `must be an array of ${L.models.min} to ${L.models.max} GPU model names`);
      return undefined;
    }
    const seen = new Set<string>();
    let ok = true;
    models.forEach((model: unknown, i) => {
      const path = `requirements.gpuModels[${i}]`;
      if (typeof model !== "string" || !GPU_MODEL_NAME.test(model)) {
        this.issue(path, 'must be a GPU model name of letters, digits, spaces and ._+- (such as "H100" or "RTX 4090")');
        ok = false;
      } else if (utf8Length(model) > L.bytes) {
        this.issue(path, `must be at most ${L.bytes} bytes (the attested model is a bytes32)`);
        ok = false;
      } else if (seen.has(model.toLowerCase())) {
        this.issue(path, `duplicates "${model}"`);
        ok = false;
      } else seen.add(model.toLowerCase());
    });
    return ok ? { gpuModels: [...(models as string[])] } : undefined;
  }

  unknownKeys(o: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.issue(join(prefix, key), "is not a known field");
    }
  }

  version(o: Record<string, unknown>): number {
    if (o.version === undefined) return JOB_SPEC_VERSION;
    if (o.version !== JOB_SPEC_VERSION) this.issue("version", `must be ${JOB_SPEC_VERSION} (the only version)`);
    return JOB_SPEC_VERSION;
  }

  int(value: unknown, path: string, fallback: number | undefined, min: number, max: number): number {
    if (value === undefined) {
      if (fallback === undefined) this.issue(path, "is required");
      return fallback ?? 0;
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      this.issue(path, "must be an integer");
      return fallback ?? 0;
    }
    if (value < min || value > max) {
      this.issue(path, `must be between ${min} and ${max}`);
      return fallback ?? 0;
    }
    return value;
  }

  /**
   * The optional uneven split: shard sizes (each ≥ 1, at most 64 of them) summing to `total`
   * (the rows or items of the job; undefined when `total` itself is invalid).
   */
  split(value: unknown, total: number | undefined): number[] | undefined {
    if (value === undefined) return undefined;
    const max = SPLIT_LIMITS.maxShards;
    if (!Array.isArray(value) || value.length < 1 || value.length > max) {
      this.issue("split", `must be an array of 1 to ${max} shard sizes`);
      return undefined;
    }
    let ok = true;
    let sum = 0;
    value.forEach((size: unknown, i) => {
      if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
        this.issue(`split[${i}]`, "must be an integer ≥ 1 (every shard gets some work)");
        ok = false;
      } else sum += size;
    });
    if (ok && total !== undefined && sum !== total) {
      this.issue("split", `must sum to the job's work (${total}), not ${sum}`);
      ok = false;
    }
    return ok ? (value as number[]) : undefined;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      this.issue(path, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
      return fallback;
    }
    return value as T;
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value !== "string") {
      this.issue(path, "must be a string");
      return undefined;
    }
    if (value.includes("\0")) this.issue(path, "must not contain NUL characters");
    if (utf8Length(value) > CONTAINER_SPEC_LIMITS.stringBytes) {
      this.issue(path, `must be at most ${CONTAINER_SPEC_LIMITS.stringBytes} bytes`);
    }
    return value;
  }

  stringArray(value: unknown, path: string, fallback: readonly string[], max: number): string[] {
    if (value === undefined) return [...fallback];
    if (!Array.isArray(value)) {
      this.issue(path, "must be an array of strings");
      return [...fallback];
    }
    if (value.length > max) this.issue(path, `must have at most ${max} entries`);
    return value.map((v, i) => this.string(v, `${path}[${i}]`) ?? "");
  }

  hex32(value: unknown, path: string, required: boolean): `0x${string}` {
    const zero = `0x${"0".repeat(64)}` as const;
    if (value === undefined) {
      if (required) this.issue(path, "is required");
      return zero;
    }
    if (typeof value !== "string" || !HEX32.test(value)) {
      this.issue(path, "must be 32 bytes as 64 hex digits (0x optional)");
      return zero;
    }
    return `0x${value.replace(/^0x/, "").toLowerCase()}`;
  }

  env(value: unknown): Record<string, string> {
    if (value === undefined) return {};
    if (!isPlainObject(value)) {
      this.issue("env", "must be an object of string values");
      return {};
    }
    const keys = Object.keys(value);
    if (keys.length > CONTAINER_SPEC_LIMITS.envEntries) {
      this.issue("env", `must have at most ${CONTAINER_SPEC_LIMITS.envEntries} entries`);
    }
    const env: Record<string, string> = {};
    for (const key of keys) {
      const path = join("env", key);
      if (!ENV_NAME.test(key)) this.issue(path, "is not a valid environment variable name");
      else {
        const reserved = reservedEnvName(key);
        if (reserved !== undefined) {
          this.issue(path, `is reserved (${reserved}): the executor sets it, a spec may not (PROTOCOL §12.3)`);
        }
      }
      const v = this.string(value[key], path);
      if (v !== undefined) env[key] = v;
    }
    return env;
  }

  inputs(value: unknown): ContainerInput[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.issue("inputs", "must be an array");
      return [];
    }
    if (value.length > CONTAINER_SPEC_LIMITS.inputs.max) {
      this.issue("inputs", `must have at most ${CONTAINER_SPEC_LIMITS.inputs.max} entries`);
    }
    const seen = new Set<string>();
    return value.map((raw, i) => {
      const path = `inputs[${i}]`;
      if (!isPlainObject(raw)) {
        this.issue(path, "must be an object with name, uri and sha256");
        return { name: "", uri: "", sha256: `0x${"0".repeat(64)}` };
      }
      this.unknownKeys(raw, INPUT_KEYS, path);
      let name = "";
      if (raw.name === undefined) this.issue(`${path}.name`, "is required");
      else if (typeof raw.name !== "string" || !INPUT_NAME.test(raw.name)) {
        this.issue(`${path}.name`, "must be a file name of letters, digits, '.', '_' or '-' (not starting with '.')");
      } else if (seen.has(raw.name)) this.issue(`${path}.name`, `duplicates another input's name "${raw.name}"`);
      else {
        name = raw.name;
        seen.add(name);
      }
      let uri = "";
      if (raw.uri === undefined) this.issue(`${path}.uri`, "is required");
      else if (typeof raw.uri !== "string" || !isFetchableUri(raw.uri)) {
        this.issue(`${path}.uri`, "must be a file://, http:// or https:// URL");
      } else uri = raw.uri;
      const sha256 = this.hex32(raw.sha256, `${path}.sha256`, true);
      return { name, uri, sha256 };
    });
  }

  outputPath(value: unknown): string {
    const fallback = CONTAINER_SPEC_DEFAULTS.outputPath;
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !isNormalisedAbsolutePath(value)) {
      this.issue("outputPath", "must be a normalised absolute path (no '..', no trailing '/')");
      return fallback;
    }
    if (value === "/" || value.endsWith("/")) {
      this.issue("outputPath", "must not be the root directory or end with '/'");
      return fallback;
    }
    const clash = [...FORBIDDEN_OUTPUT_ROOTS, CONTAINER_PATHS.itemFile].find(
      (root) => value === root || value.startsWith(`${root}/`) || root.startsWith(`${value}/`),
    );
    if (clash !== undefined) {
      this.issue("outputPath", `must not overlap ${clash}`);
      return fallback;
    }
    return value;
  }

  /** An llm-inference `model`: the architecture and its four hashed files. */
  llmModel(value: unknown): LlmModel {
    const blank = (): ModelFile => ({ uri: "", sha256: `0x${"0".repeat(64)}` });
    const model: LlmModel = {
      architecture: "gpt2",
      config: blank(),
      weights: blank(),
      vocab: blank(),
      merges: blank(),
    };
    if (value === undefined) {
      this.issue("model", "is required");
      return model;
    }
    if (!isPlainObject(value)) {
      this.issue("model", `must be an object with ${LLM_MODEL_FILES.join(", ")}`);
      return model;
    }
    this.unknownKeys(value, LLM_MODEL_KEYS, "model");
    model.architecture = this.oneOf<"gpt2">(value.architecture, "model.architecture", ["gpt2"], "gpt2");
    for (const name of LLM_MODEL_FILES) model[name] = this.modelFile(value[name], `model.${name}`);
    return model;
  }

  /** One model file: `{ uri, sha256 }`, normalised like a container input. */
  modelFile(value: unknown, path: string): ModelFile {
    if (value === undefined) {
      this.issue(path, "is required");
      return { uri: "", sha256: `0x${"0".repeat(64)}` };
    }
    if (!isPlainObject(value)) {
      this.issue(path, "must be an object with uri and sha256");
      return { uri: "", sha256: `0x${"0".repeat(64)}` };
    }
    this.unknownKeys(value, MODEL_FILE_KEYS, path);
    let uri = "";
    if (value.uri === undefined) this.issue(`${path}.uri`, "is required");
    else if (typeof value.uri !== "string" || !isFetchableUri(value.uri)) {
      this.issue(`${path}.uri`, "must be a file://, http:// or https:// URL");
    } else uri = value.uri;
    const sha256 = this.hex32(value.sha256, `${path}.sha256`, true);
    return { uri, sha256 };
  }

  /** The prompts: 1 – 4096 non-empty strings of at most 16 KiB of UTF-8 each. */
  prompts(value: unknown): string[] {
    const L = LLM_SPEC_LIMITS;
    if (value === undefined) {
      this.issue("items", "is required");
      return [];
    }
    if (!Array.isArray(value) || value.length < L.items.min || value.length > L.items.max) {
      this.issue("items", `must be an array of ${L.items.min} to ${L.items.max} prompts (strings)`);
      return [];
    }
    return value.map((item, i) => {
      const path = `items[${i}]`;
      if (typeof item !== "string" || item.length === 0) {
        this.issue(path, "must be a non-empty string");
        return "";
      }
      if (utf8Length(item) > L.promptBytes) this.issue(path, `must be at most ${L.promptBytes} bytes of UTF-8`);
      return item;
    });
  }

  /** `decoding`: `{ mode: "greedy" }` (the default) or `{ mode: "sample", temperatureMilli, topPMilli, seed }`. */
  decoding(value: unknown): LlmDecoding {
    const L = LLM_SPEC_LIMITS;
    if (value === undefined) return { mode: "greedy" };
    if (!isPlainObject(value)) {
      this.issue("decoding", 'must be { "mode": "greedy" } or { "mode": "sample", … }');
      return { mode: "greedy" };
    }
    const mode = this.oneOf<"greedy" | "sample">(value.mode, "decoding.mode", ["greedy", "sample"], "greedy");
    if (mode === "greedy") {
      this.unknownKeys(value, GREEDY_KEYS, "decoding");
      return { mode };
    }
    this.unknownKeys(value, SAMPLE_KEYS, "decoding");
    const temperatureMilli = this.int(
      value.temperatureMilli,
      "decoding.temperatureMilli",
      undefined,
      L.temperatureMilli.min,
      L.temperatureMilli.max,
    );
    const topPMilli = this.int(value.topPMilli, "decoding.topPMilli", undefined, L.topPMilli.min, L.topPMilli.max);
    const seed = this.hex32(value.seed, "decoding.seed", true);
    return { mode, temperatureMilli, topPMilli, seed };
  }

  items(value: unknown): JsonValue[] | undefined {
    if (value === undefined) return undefined;
    const L = CONTAINER_SPEC_LIMITS.items;
    if (!Array.isArray(value) || value.length < L.min || value.length > L.max) {
      this.issue("items", `must be an array of ${L.min} to ${L.max} JSON values`);
      return undefined;
    }
    return value.map((item, i) => {
      const path = `items[${i}]`;
      const problem = jsonProblem(item, path, 0);
      if (problem !== undefined) {
        this.issue(problem.path, problem.message);
        return null;
      }
      const size = utf8Length(JSON.stringify(item));
      if (size > CONTAINER_SPEC_LIMITS.itemBytes) {
        this.issue(path, `must be at most ${CONTAINER_SPEC_LIMITS.itemBytes} bytes of JSON`);
      }
      return item as JsonValue;
    });
  }
}

/** The first reason `value` is not a spec JSON value (safe integers only, depth ≤ 32), if any. */
function jsonProblem(value: unknown, path: string, depth: number): SpecIssue | undefined {
  if (depth > 32) return { path, message: "is nested too deeply (32 levels at most)" };
  if (value === null || typeof value === "boolean" || typeof value === "string") return undefined;
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? undefined : { path, message: "numbers must be safe integers (use strings)" };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = jsonProblem(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = jsonProblem(v, join(path, k), depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  return { path, message: "is not a JSON value" };
}

/** UTF-8 length of a string, without Node's `Buffer` (this module also runs in the browser, app/). */
export function utf8Length(value: string): number {
  return new TextEncoder().encode(value).length;
}

/**
 * Whether `value` is an absolute POSIX path that `path.posix.normalize` leaves unchanged (no empty,
 * `.` or `..` segment; a trailing `/` is kept, as normalize keeps it), without Node's `path`: this
 * module runs in the browser too.
 */
export function isNormalisedAbsolutePath(value: string): boolean {
  if (!value.startsWith("/")) return false;
  if (value === "/") return true;
  const segments = value.slice(1).split("/");
  return segments.every((s, i) => (s === "" ? i === segments.length - 1 : s !== "." && s !== ".."));
}

function isFetchableUri(uri: string): boolean {
  try {
    const u = new URL(uri);
    if (u.protocol === "file:") return u.host === "" && u.pathname.length > 1;
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function join(prefix: string, key: string): string {
  const part = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
  if (prefix === "") return part;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${prefix}.${key}` : `${prefix}[${part}]`;
}

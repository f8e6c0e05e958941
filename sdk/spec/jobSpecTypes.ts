/**
 * The job spec schema shared by every part (docs/PROTOCOL.md, "Job specs"). A spec is JSON; its
 * canonical form (see `canonicalJson`) is hashed with keccak256 and that hash is the on-chain spec hash.
 * Every number in a spec is a safe integer, so every language serialises it the same way.
 */

/** A JSON value as it may appear in a spec (numbers are safe integers only). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The schema version this sdk writes and reads. */
export const JOB_SPEC_VERSION = 1;

/** `none`: the container has only a loopback interface. `bridge`: Docker's default bridge network. */
export type ContainerNetwork = "none" | "bridge";

/**
 * `sampled`: itemised, deterministic jobs; an oracle re-runs sampled items and compares hashes.
 * `receipt`: the operator's signed execution receipt is checked for consistency only
 * (shown to users as *attested, not verified*).
 */
export type VerificationMode = "sampled" | "receipt";

/** One input file, fetched by the operator, checked against `sha256`, mounted read-only. */
export interface ContainerInput {
  /** File name inside the container's inputs directory (`/rigel/inputs/<name>`). */
  name: string;
  /** `file://`, `http://` or `https://`. */
  uri: string;
  /** sha256 of the file's bytes: `0x` + 64 lowercase hex digits. */
  sha256: `0x${string}`;
}

/**
 * What an operator's hardware must be to run the job, beyond the on-chain `minVramMiB` and
 * `minOpsPerSec` (PROTOCOL §12.1, §15.1). Optional on every kind; absent, it is not written into
 * the canonical form (older specs keep their hash).
 */
export interface JobRequirements {
  /**
   * GPU models that may run the job (1 – 16 names of at most 32 bytes): an operator qualifies when
   * its attested `gpuModel` matches one of them, case-insensitively, as whole words
   * (`gpuModelMatches`: `"H100"` matches `"NVIDIA H100 80GB HBM3"`).
   */
  gpuModels: string[];
}

/** A container job: one image run once, or once per item. All fields present after parsing. */
export interface ContainerJobSpec {
  kind: "container";
  version: number;
  /** A Docker image reference; pin it by digest (`name@sha256:...`) for reproducible jobs. */
  image: string;
  /** The argv to run; empty means the image's own CMD. */
  command: string[];
  /** Extra environment; names in {@link RESERVED_ENV} are set by the executor only and refused here. */
  env: Record<string, string>;
  /** How many GPUs the container gets (0: none). The operator chooses which devices. */
  gpus: number;
  /** Memory limit in MiB (swap is not added on top). */
  memoryMiB: number;
  /** CPU limit in thousandths of a CPU (1000 = one CPU). */
  milliCpus: number;
  /** Most processes/threads the container may have at once. */
  pidsLimit: number;
  network: ContainerNetwork;
  inputs: ContainerInput[];
  /** Absolute path in the container where the writable output directory is mounted. */
  outputPath: string;
  /** Wall-clock limit of one container invocation (one item, or the single run), in seconds. */
  timeoutSec: number;
  /**
   * Optional: most bytes one invocation may leave in its output directory (absent:
   * {@link CONTAINER_RUN_DEFAULTS}.outputBytes). Over it the run is cut off and fails (PROTOCOL §12.3).
   */
  outputBytes?: number;
  /** Optional: most files and directories one invocation may leave in its output (absent: the default). */
  outputFiles?: number;
  /** Optional: size of the writable `/tmp` (a tmpfs counted in `memoryMiB`), MiB (absent: the default). */
  tmpMiB?: number;
  /** Independent work items; each one is its own container invocation. Absent: a single run. */
  items?: JsonValue[];
  verification: VerificationMode;
  /**
   * Optional uneven split: how many items each shard runs, in shard order (sums to `items.length`,
   * each ≥ 1, ≤ 64 entries). Absent: the even split. The job must then have `split.length` shards.
   */
  split?: number[];
  /**
   * Optional: where the operator's agent also PUTs the shard's results after settlement
   * (docs/PROTOCOL.md §14.9). Absent: results are only served by the agent.
   */
  uploadUrl?: string;
  /** Optional: the GPU models that may run it (PROTOCOL §12.1). */
  requirements?: JobRequirements;
}

/** A matmul-int8 proof-of-work job (docs/PROTOCOL.md §3): rows `[rowStart, rowEnd)` of `C = A·B`. */
export interface MatmulInt8Spec {
  kind: "matmul-int8";
  version: number;
  /** bytes32: `0x` + 64 lowercase hex digits. */
  seed: `0x${string}`;
  m: number;
  n: number;
  k: number;
  rowStart: number;
  rowEnd: number;
  /**
   * Optional uneven split: how many rows each shard computes, in shard order (sums to
   * `rowEnd − rowStart`, each ≥ 1, ≤ 64 entries). Absent: the even split. The job must then have
   * `split.length` shards.
   */
  split?: number[];
  /**
   * Optional: where the operator's agent also PUTs the shard's results after settlement
   * (docs/PROTOCOL.md §14.9). Absent: results are only served by the agent.
   */
  uploadUrl?: string;
  /** Optional: the GPU models that may run it (PROTOCOL §12.1). */
  requirements?: JobRequirements;
}

/** One file of a model: fetched like a container input and checked against `sha256` (PROTOCOL §19.1). */
export interface ModelFile {
  /** `file://`, `http://` or `https://`. */
  uri: string;
  /** sha256 of the file's bytes: `0x` + 64 lowercase hex digits. */
  sha256: `0x${string}`;
}

/** A language model in the Hugging Face GPT-2 layout (PROTOCOL §19.1): four hashed files. */
export interface LlmModel {
  /** The only architecture so far. */
  architecture: "gpt2";
  /** `config.json`: `n_layer`, `n_head`, `n_embd`, `n_positions`, `vocab_size`, `layer_norm_epsilon`. */
  config: ModelFile;
  /** `model.safetensors` with the standard GPT-2 tensor names. */
  weights: ModelFile;
  /** The byte-level BPE tokenizer's `vocab.json`. */
  vocab: ModelFile;
  /** The byte-level BPE tokenizer's `merges.txt`. */
  merges: ModelFile;
}

/**
 * How tokens are chosen from the logits (PROTOCOL §19.2). `sample` draws with a per-item seed
 * derived from `seed` and the item's global index, so a verifier reproduces every draw.
 * Fractions are integers in thousandths, as everywhere in a spec.
 */
export type LlmDecoding =
  | { mode: "greedy" }
  | {
      mode: "sample";
      /** Temperature × 1000 (1 – 10 000). */
      temperatureMilli: number;
      /** Nucleus top-p × 1000 (1 – 1000; 1000 = no cut). */
      topPMilli: number;
      /** bytes32: `0x` + 64 lowercase hex digits. */
      seed: `0x${string}`;
    };

/** A verified language-model inference job (PROTOCOL §19): prompts in, generated text out. */
export interface LlmInferenceSpec {
  kind: "llm-inference";
  version: number;
  model: LlmModel;
  /** The prompts, one per item (1 – 4096, each a non-empty string of at most 16 KiB UTF-8). */
  items: string[];
  /** Most tokens generated per item (1 – 4096); prompt + generated must fit `n_positions`. */
  maxNewTokens: number;
  decoding: LlmDecoding;
  /** The only mode for this kind: sampled items re-computed and compared by fingerprints. */
  verification: "activations";
  /** As for the other kinds: items per shard, in shard order. */
  split?: number[];
  /** As for the other kinds (PROTOCOL §14.9). */
  uploadUrl?: string;
  /** As for the other kinds: the GPU models that may run it. */
  requirements?: JobRequirements;
}

/** Every job kind, discriminated by `kind`. */
export type JobSpec = ContainerJobSpec | MatmulInt8Spec | LlmInferenceSpec;

/** The files of an {@link LlmModel}, in the order the spec lists them. */
export const LLM_MODEL_FILES = ["config", "weights", "vocab", "merges"] as const;

/** The standard file name of each model file in a model directory (Hugging Face GPT-2 layout). */
export const LLM_MODEL_FILE_NAMES = {
  config: "config.json",
  weights: "model.safetensors",
  vocab: "vocab.json",
  merges: "merges.txt",
} as const satisfies Record<(typeof LLM_MODEL_FILES)[number], string>;

/** Inclusive bounds of an llm-inference spec (PROTOCOL §19.1). */
export const LLM_SPEC_LIMITS = {
  items: { min: 1, max: 4096 },
  /** Largest prompt, in UTF-8 bytes. */
  promptBytes: 16 * 1024,
  maxNewTokens: { min: 1, max: 4096 },
  temperatureMilli: { min: 1, max: 10_000 },
  topPMilli: { min: 1, max: 1000 },
} as const;

/** Defaults filled in by the parser; the canonical form always carries them explicitly. */
export const CONTAINER_SPEC_DEFAULTS = {
  version: JOB_SPEC_VERSION,
  command: [] as string[],
  env: {} as Record<string, string>,
  gpus: 0,
  memoryMiB: 2048,
  milliCpus: 1000,
  pidsLimit: 256,
  network: "none" as ContainerNetwork,
  inputs: [] as ContainerInput[],
  outputPath: "/rigel/output",
  timeoutSec: 3600,
} as const;

/**
 * The limits that apply when a container spec leaves its optional run limits out: protocol
 * constants, so the agent and the oracle cut a run at the same point (PROTOCOL §12.3). Optional
 * fields are not written into the canonical form when absent, so older specs keep their hash.
 */
export const CONTAINER_RUN_DEFAULTS = {
  outputBytes: 1024 * 1024 * 1024,
  outputFiles: 10_000,
  tmpMiB: 64,
} as const;

/** The run limits of a container spec, its optional fields filled in from {@link CONTAINER_RUN_DEFAULTS}. */
export function containerRunLimits(spec: Pick<ContainerJobSpec, "outputBytes" | "outputFiles" | "tmpMiB">): {
  outputBytes: number;
  outputFiles: number;
  tmpMiB: number;
} {
  return {
    outputBytes: spec.outputBytes ?? CONTAINER_RUN_DEFAULTS.outputBytes,
    outputFiles: spec.outputFiles ?? CONTAINER_RUN_DEFAULTS.outputFiles,
    tmpMiB: spec.tmpMiB ?? CONTAINER_RUN_DEFAULTS.tmpMiB,
  };
}

/**
 * Environment names a spec may not set (PROTOCOL §12.3): the executor's own (`RIGEL_*`), and those
 * that change how the dynamic linker, the GPU runtime or the container tooling treat the process.
 * `prefixes` match the start of a name, `names` the whole name; both case-insensitively.
 */
export const RESERVED_ENV = {
  prefixes: ["RIGEL_", "LD_", "NVIDIA_", "CUDA_", "DOCKER_", "GCONV_", "MALLOC_", "GLIBC_", "ROCR_", "HIP_"],
  names: ["GPU_DEVICE_ORDINAL"],
} as const;

/** The reserved prefix or name `name` falls under, if any ({@link RESERVED_ENV}). */
export function reservedEnvName(name: string): string | undefined {
  const upper = name.toUpperCase();
  const prefix = RESERVED_ENV.prefixes.find((p) => upper.startsWith(p));
  if (prefix !== undefined) return `${prefix}*`;
  return RESERVED_ENV.names.find((n) => n === upper);
}

/** Inclusive bounds the parser enforces. */
export const CONTAINER_SPEC_LIMITS = {
  gpus: { min: 0, max: 16 },
  memoryMiB: { min: 8, max: 4 * 1024 * 1024 },
  milliCpus: { min: 10, max: 512_000 },
  pidsLimit: { min: 8, max: 1_000_000 },
  timeoutSec: { min: 1, max: 7 * 24 * 3600 },
  outputBytes: { min: 0, max: 2 ** 50 },
  outputFiles: { min: 1, max: 10_000_000 },
  tmpMiB: { min: 1, max: 1024 * 1024 },
  inputs: { max: 256 },
  items: { min: 1, max: 4096 },
  /** Largest canonical JSON of one item, in bytes. */
  itemBytes: 16 * 1024,
  envEntries: 256,
  stringBytes: 4096,
} as const;

/** Bounds of the optional `split` field (the market's shard limit). */
export const SPLIT_LIMITS = { maxShards: 64 } as const;

/** Where the executor puts things inside every container. */
export const CONTAINER_PATHS = {
  /** Each input is mounted read-only at `<inputsDir>/<name>`. */
  inputsDir: "/rigel/inputs",
  /** The current item, as canonical JSON, mounted read-only (itemised jobs only). */
  itemFile: "/rigel/item.json",
} as const;

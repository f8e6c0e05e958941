import fs from "node:fs/promises";
import path from "node:path";
import type { Hex } from "viem";
import { commitOutputs } from "../../sdk/executor/commitOutputs";
import { RigelError } from "../../sdk/errors/RigelError";
import { inferSpecArgs } from "../../sdk/llm/inferSpecArgs";
import { LLM_OUTPUT_FILE, llmItemHash } from "../../sdk/llm/llmItemHash";
import { llmItemTokens } from "../../sdk/llm/llmItemTokens";
import { prepareModelDir } from "../../sdk/llm/prepareModelDir";
import { readModelConfig } from "../../sdk/llm/readModelConfig";
import { runInfer } from "../../sdk/llm/runInfer";
import { writePromptsFile } from "../../sdk/llm/writePromptsFile";
import type { LlmInferenceSpec } from "../../sdk/spec/jobSpecTypes";
import type { WorkRange } from "../../sdk/spec/shardWork";

/** Folders of an llm-inference shard inside its workspace. */
export const LLM_SHARD_FILES = {
  /** The model directory: links into the input cache under the standard names. */
  modelDir: "model",
  /** The shard's prompts, one JSON string per line (local item i is line i). */
  promptsFile: "prompts.jsonl",
  /** The runtime's `--out`: `<local i>/output.json`. */
  generateDir: "generate",
} as const;

/** The runtime did not generate the shard (exit, kill, timeout, a missing output): retried, never submitted. */
export class LlmRunError extends RigelError {
  override readonly name = "LlmRunError";
  constructor(message: string, details: Record<string, unknown>) {
    super("AGENT_LLM_RUN_FAILED", message, { details });
  }
}

/** The arguments of {@link runLlmShard}. */
export interface RunLlmShardParameters {
  spec: LlmInferenceSpec;
  /** The shard's items (global indices, sdk/spec/shardWork `llmShardItems`). */
  items: WorkRange;
  /** The shard's workspace folder. */
  workDir: string;
  /** The hash-checked input cache, shared with container inputs. */
  cacheDir: string;
  /** Where item `i`'s `output.json` is kept and served (the workspace's item output folder, global index). */
  itemOutputDir: (item: number) => string;
  pythonPath?: string;
  timeoutMs: number;
  allowRemoteHosts?: boolean;
  allowedFileRoots?: readonly string[];
  /** devCheat `cheaper-model` (dev chain only): generate with ⌈n_layer / 2⌉ layers. */
  cheaperModel?: boolean;
  onStderrLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Tests: a fake runtime script. */
  script?: string;
}

/** What the shard produced. */
export interface RunLlmShardReturnType {
  root: Hex;
  /** Σ over the items of (prompt tokens + generated tokens), as their outputs say. */
  units: bigint;
  /** Item hashes by LOCAL index: the leaves of the root (§12.4). */
  itemHashes: Hex[];
  seconds: number;
}

/**
 * Runs an llm-inference shard (docs/PROTOCOL.md §19.7): fetches the model's four files into the
 * hash-checked cache and lays them out as a model directory, writes the shard's prompts, runs
 * `infer.py generate … --first-item <the shard's first global item>` as a child process (stderr
 * progress to `onStderrLine`, killed at the timeout or on `signal`), then keeps each item's
 * `output.json` in its item output folder and commits the items with the itemised outputs
 * commitment (each item's manifest is its one file). Units are Σ(promptTokens + generatedTokens).
 * The whole shard is one run: a restart generates it again.
 * @throws LlmRunError when the runtime fails; fetch errors (sdk/executor/fetchInput) pass through.
 */
export async function runLlmShard(p: RunLlmShardParameters): Promise<RunLlmShardReturnType> {
  const modelDir = path.join(p.workDir, LLM_SHARD_FILES.modelDir);
  const promptsFile = path.join(p.workDir, LLM_SHARD_FILES.promptsFile);
  const outDir = path.join(p.workDir, LLM_SHARD_FILES.generateDir);
  await prepareModelDir({
    model: p.spec.model,
    dir: modelDir,
    cacheDir: p.cacheDir,
    allowRemoteHosts: p.allowRemoteHosts,
    allowedFileRoots: p.allowedFileRoots,
  });
  await writePromptsFile(promptsFile, p.spec.items.slice(p.items.start, p.items.end));
  await fs.rm(outDir, { recursive: true, force: true });
  const args = [
    "--model",
    modelDir,
    "--prompts",
    promptsFile,
    "--out",
    outDir,
    ...inferSpecArgs(p.spec, p.items.start),
  ];
  if (p.cheaperModel) {
    const { n_layer } = await readModelConfig(path.join(modelDir, "config.json"));
    args.push("--layers", String(Math.ceil(n_layer / 2)));
  }
  const ran = await runInfer({
    pythonPath: p.pythonPath,
    command: "generate",
    args,
    timeoutMs: p.timeoutMs,
    signal: p.signal,
    onStderrLine: p.onStderrLine,
    script: p.script,
  });
  if (ran.exitCode !== 0) {
    const how = ran.timedOut
      ? `timed out after ${p.timeoutMs} ms`
      : ran.aborted
        ? "was stopped"
        : `exited ${ran.exitCode}`;
    throw new LlmRunError(`the inference runtime ${how}`, {
      exitCode: ran.exitCode,
      stderr: ran.stderrTail.slice(-2000),
    });
  }
  const itemHashes: Hex[] = [];
  let units = 0n;
  for (let item = p.items.start; item < p.items.end; item++) {
    const local = item - p.items.start;
    const file = path.join(outDir, String(local), LLM_OUTPUT_FILE);
    const bytes = await fs.readFile(file).catch((err: unknown) => {
      throw new LlmRunError(`the runtime wrote no output for item ${local}`, { file, cause: String(err) });
    });
    const tokens = llmItemTokens(bytes.toString("utf8"));
    units += BigInt(tokens.promptTokens + tokens.generatedTokens);
    itemHashes.push(llmItemHash(bytes));
    const keep = p.itemOutputDir(item);
    await fs.mkdir(keep, { recursive: true });
    await fs.writeFile(path.join(keep, LLM_OUTPUT_FILE), bytes);
  }
  return {
    root: commitOutputs({ mode: "items", itemHashes }).root,
    units,
    itemHashes,
    seconds: ran.ms / 1000,
  };
}

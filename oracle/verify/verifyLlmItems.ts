import fs from "node:fs/promises";
import path from "node:path";
import type { Hex } from "viem";
import { inferSpecArgs } from "../../sdk/llm/inferSpecArgs";
import { LLM_OUTPUT_FILE, llmItemHash } from "../../sdk/llm/llmItemHash";
import { prepareModelDir } from "../../sdk/llm/prepareModelDir";
import { runInfer, type RunInferReturnType } from "../../sdk/llm/runInfer";
import { writePromptsFile } from "../../sdk/llm/writePromptsFile";
import type { RevealedLlmItemJson } from "../../sdk/oracleApi/types";
import type { LlmInferenceSpec } from "../../sdk/spec/jobSpecTypes";
import { llmRangeMaxUnits, llmShardItems } from "../../sdk/spec/shardWork";
import { ExecutorUnavailableError } from "./executorUnavailableError";
import { checkPostedSample } from "./checkPostedSample";
import type { VerifierFinding } from "./verdict";

/** Input of {@link verifyLlmItems}. */
export interface VerifyLlmItemsParameters {
  spec: LlmInferenceSpec;
  shards: number;
  shard: number;
  root: Hex;
  beacon: Hex;
  /** The sampled items as posted: LOCAL indices, in the order drawn, each with its `output.json` (base64). */
  items: readonly RevealedLlmItemJson[];
  /** This verification's own folder (created; the caller removes it). */
  workDir: string;
  /** The node's hash-checked model cache (shared by verifications). */
  cacheDir: string;
  allowRemoteHosts?: boolean;
  allowedFileRoots?: readonly string[];
  /** The python that runs `sdk/python/infer.py` (default `python3`). */
  pythonPath?: string;
  /** Kill the runtime after this long: the node's own trouble (503), never evidence. */
  timeoutMs: number;
  /** The node's queue: at most so many runtimes at once, earliest reveal deadline first. */
  gate: <T>(work: () => Promise<T>) => Promise<T>;
  /** Runs the runtime (tests pass a fake one); default {@link runInfer}. */
  run?: typeof runInfer;
  /** The runtime's script (tests point it at a fake); default sdk/python/infer.py. */
  script?: string;
}

/** The runtime's answer on stdout (docs/PROTOCOL.md §19.2). */
interface VerifyAnswer {
  valid: boolean;
  reason: string | null;
  items: { index: number; valid: boolean; reason: string | null }[];
}

/**
 * llm-inference jobs in `activations` mode (docs/PROTOCOL.md §19.4–§19.6). In this order:
 * 1. `verifyItemSample` (sdk/itemSample): the posted items are exactly the beacon's sample (else 400
 *    ORACLE_SAMPLE_MISMATCH, nothing signed) and each leaf `[i, outputHash]` is in the submitted root
 *    (else Invalid `ITEM_BAD_PROOF`);
 * 2. each revealed `output.json` hashes to its leaf through the one-file manifest (`llmItemHash`),
 *    else Invalid `ITEM_OUTPUT_MISMATCH` (the operator cannot open its own commitment);
 * 3. in the node's queue: the model files are fetched and hash-checked into the node's cache, the
 *    shard's prompts written, the revealed outputs laid out, and `infer.py verify --items <sample>`
 *    re-computes each sampled item in one prefill. Exit 0 → Valid (`workUnits` = the shard's token
 *    bound, so no oracle signs more than Σ(prompt bytes + maxNewTokens) of its items); exit 1 →
 *    Invalid with the runtime's reason (evidence against the result).
 * What is the node's own trouble (a model file that cannot be fetched or does not match its hash,
 * python missing, exit 2, any other exit, a kill, a timeout, an answer that is not the runtime's
 * JSON) throws {@link ExecutorUnavailableError} (503 ORACLE_EXECUTOR_UNAVAILABLE): never Invalid.
 */
export async function verifyLlmItems(p: VerifyLlmItemsParameters): Promise<VerifierFinding> {
  const range = llmShardItems(p.spec, p.shards, p.shard);
  const sample = checkPostedSample({
    root: p.root,
    beacon: p.beacon,
    itemCount: range.end - range.start,
    items: p.items,
  });
  if ("finding" in sample) return sample.finding;
  const { indices } = sample;
  const outputs = p.items.map((item) => Buffer.from(item.output, "base64"));
  for (const [i, item] of p.items.entries()) {
    const hash = llmItemHash(outputs[i]);
    if (hash !== item.outputHash.toLowerCase()) {
      return {
        verdict: "invalid",
        reason: `ITEM_OUTPUT_MISMATCH: the revealed output.json of item ${item.index} hashes to ${hash}, its leaf says ${item.outputHash}`,
        verified: true,
      };
    }
  }
  const answer = await p.gate(() => runVerify(p, range.start, range.end, indices, outputs));
  if (answer.valid) {
    return { verdict: "valid", reason: "verified", verified: true, workUnits: llmRangeMaxUnits(p.spec, range) };
  }
  const bad = answer.items.find((item) => !item.valid);
  const reason = bad ? `item ${bad.index}: ${bad.reason ?? answer.reason}` : (answer.reason ?? "invalid");
  return { verdict: "invalid", reason: `ACTIVATIONS_MISMATCH: ${reason}`, verified: true };
}

async function runVerify(
  p: VerifyLlmItemsParameters,
  start: number,
  end: number,
  indices: readonly number[],
  outputs: readonly Buffer[],
): Promise<VerifyAnswer> {
  const modelDir = path.join(p.workDir, "model");
  const resultDir = path.join(p.workDir, "result");
  const promptsFile = path.join(p.workDir, "prompts.jsonl");
  try {
    await prepareModelDir({
      model: p.spec.model,
      dir: modelDir,
      cacheDir: p.cacheDir,
      allowRemoteHosts: p.allowRemoteHosts,
      allowedFileRoots: p.allowedFileRoots,
    });
  } catch (err) {
    throw new ExecutorUnavailableError(`the model cannot be fetched here: ${(err as Error).message}`, { cause: err });
  }
  await writePromptsFile(promptsFile, p.spec.items.slice(start, end));
  for (const [i, index] of indices.entries()) {
    await fs.mkdir(path.join(resultDir, String(index)), { recursive: true });
    await fs.writeFile(path.join(resultDir, String(index), LLM_OUTPUT_FILE), outputs[i]);
  }
  let ran: RunInferReturnType;
  try {
    ran = await (p.run ?? runInfer)({
      pythonPath: p.pythonPath,
      command: "verify",
      args: [
        "--model",
        modelDir,
        "--prompts",
        promptsFile,
        "--result",
        resultDir,
        "--items",
        [...new Set(indices)].join(","),
        ...inferSpecArgs(p.spec, start),
      ],
      timeoutMs: p.timeoutMs,
      script: p.script,
    });
  } catch (err) {
    throw new ExecutorUnavailableError(`the inference runtime cannot start here: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const unavailable = (why: string) =>
    new ExecutorUnavailableError(`the inference runtime could not verify here: ${why}`, {
      details: { exitCode: ran.exitCode, stderr: ran.stderrTail.slice(-2000) },
    });
  if (ran.timedOut) throw unavailable(`timed out after ${p.timeoutMs} ms`);
  if (ran.exitCode !== 0 && ran.exitCode !== 1) throw unavailable(`exit ${ran.exitCode ?? "by signal"}`);
  const answer = parseAnswer(ran.stdout);
  // Exit code and answer must agree, else the runtime is not behaving as specified: not evidence.
  if (answer === undefined || answer.valid !== (ran.exitCode === 0)) {
    throw unavailable(`exit ${ran.exitCode} with an answer that is not the runtime's JSON`);
  }
  return answer;
}

/** The last line of stdout that parses as the runtime's answer, or undefined. */
function parseAnswer(stdout: string): VerifyAnswer | undefined {
  const lines = stdout.trim().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i]) as VerifyAnswer;
      if (typeof v === "object" && v !== null && typeof v.valid === "boolean" && Array.isArray(v.items)) return v;
    } catch {
      // not this line
    }
  }
  // The runtime may print the object over several lines.
  try {
    const v = JSON.parse(stdout) as VerifyAnswer;
    if (typeof v === "object" && v !== null && typeof v.valid === "boolean" && Array.isArray(v.items)) return v;
  } catch {
    return undefined;
  }
  return undefined;
}

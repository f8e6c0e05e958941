import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { INFER_SCRIPT } from "../../../sdk/llm/runInfer";
import { LLM_MODEL_FILE_NAMES, LLM_MODEL_FILES, type LlmModel } from "../../../sdk/spec/jobSpecTypes";

/**
 * A small deterministic GPT-2 written by the runtime's own `infer.py make-model` into `dir` (2
 * layers, 64 wide, 128 positions: about a second), as a spec's `model` of file:// URIs.
 */
export function makeTestModel(dir: string, options: { layers?: number; python?: string } = {}): LlmModel {
  execFileSync(
    options.python ?? "python3",
    [INFER_SCRIPT, "make-model", "--out", dir, "--layers", String(options.layers ?? 2)],
    { stdio: "pipe" },
  );
  const entry = (name: (typeof LLM_MODEL_FILES)[number]) => {
    const file = path.join(dir, LLM_MODEL_FILE_NAMES[name]);
    const sha256 = `0x${createHash("sha256").update(fs.readFileSync(file)).digest("hex")}` as const;
    return { uri: pathToFileURL(file).href, sha256 };
  };
  return {
    architecture: "gpt2",
    config: entry("config"),
    weights: entry("weights"),
    vocab: entry("vocab"),
    merges: entry("merges"),
  };
}

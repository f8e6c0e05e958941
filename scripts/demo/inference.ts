// The demo's inference part: a small GPT-2 made by the runtime (`infer.py make-model`), the prompts,
// and whether this host can run the runtime at all.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { probeInferRuntime } from "../../sdk/llm/probeInferRuntime";
import { INFER_SCRIPT } from "../../sdk/llm/runInfer";

/** The honest inference job's prompts (one JSON string a line in the file the CLI reads). */
export const DEMO_PROMPTS = [
  "Once upon a time",
  "The quick brown fox",
  "In the beginning",
  "Rigel is a network of GPUs that",
];

/** The cheated inference job's prompts: the cheater generates them with half the model's layers. */
export const CHEATED_PROMPTS = ["A verifier checks", "Honest hardware passes"];

/** Undefined when `python` runs sdk/python/infer.py with numpy; otherwise why not. */
export async function inferenceProblem(python: string): Promise<string | undefined> {
  const probe = await probeInferRuntime(python);
  return probe.runnable ? undefined : probe.reason;
}

/**
 * Writes a small deterministic GPT-2 (2 layers, 64 wide: about a second) into `dir` with the
 * runtime's own `make-model`; returns the seconds it took. Its files are served to the local
 * agents and oracles as file:// URIs.
 */
export function makeDemoModel(python: string, dir: string): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(python, [INFER_SCRIPT, "make-model", "--out", dir, "--layers", "2"], { timeout: 120_000 }, (err, _o, e) =>
      err ? reject(new Error(`make-model failed: ${e.trim() || err.message}`)) : resolve((Date.now() - started) / 1000),
    );
  });
}

/** Writes `prompts` as the runtime's prompts file (one JSON string a line) and returns its path. */
export function writePrompts(dir: string, name: string, prompts: readonly string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, prompts.map((p) => `${JSON.stringify(p)}\n`).join(""));
  return file;
}

import { execFile } from "node:child_process";
import fs from "node:fs";
import { INFER_SCRIPT } from "./runInfer";

/** Whether the inference runtime runs on this host, and why not. */
export type ProbeInferRuntimeReturnType = { runnable: true } | { runnable: false; reason: string };

/**
 * Probes the language-model runtime (docs/PROTOCOL.md §19.2) once: sdk/python/infer.py is there and
 * `pythonPath` starts and imports numpy within `timeoutMs` (default 30 s). Never throws.
 */
export function probeInferRuntime(pythonPath: string, timeoutMs = 30_000): Promise<ProbeInferRuntimeReturnType> {
  if (!fs.existsSync(INFER_SCRIPT)) return Promise.resolve({ runnable: false, reason: `${INFER_SCRIPT} is missing` });
  return new Promise((resolve) => {
    execFile(pythonPath, ["-c", "import numpy"], { timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (!err) return resolve({ runnable: true });
      const why = stderr.trim().split("\n").pop() || err.message;
      resolve({ runnable: false, reason: `${pythonPath} -c "import numpy" failed: ${why}` });
    });
  });
}

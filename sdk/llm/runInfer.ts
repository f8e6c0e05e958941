import { spawn } from "node:child_process";
import path from "node:path";
import { RigelError } from "../errors/RigelError";

/** The language-model runtime's entry point (docs/PROTOCOL.md §19.2). */
export const INFER_SCRIPT = path.resolve(__dirname, "..", "python", "infer.py");

/** The runtime could not be started at all (no such python, not executable). */
export class InferSpawnError extends RigelError {
  override readonly name = "InferSpawnError";
  constructor(pythonPath: string, cause: unknown) {
    super("LLM_RUNTIME_SPAWN", `could not start ${pythonPath}: ${(cause as Error).message}`, {
      details: { pythonPath },
      cause,
    });
  }
}

/** The arguments of {@link runInfer}. */
export interface RunInferParameters {
  /** The python interpreter (the agent's and oracle's `pythonPath`, default `python3`). */
  pythonPath?: string;
  /** `generate` or `verify` (or `make-model`), then its options. */
  command: "generate" | "verify" | "make-model";
  args: readonly string[];
  /** Kill the runtime after this long (SIGKILL) and report `timedOut`. */
  timeoutMs: number;
  /** Kills the runtime when aborted (shutdown). */
  signal?: AbortSignal;
  /** Each line the runtime writes to stderr (its progress), as it comes. */
  onStderrLine?: (line: string) => void;
  /** The script to run (tests point it at a fake runtime); default {@link INFER_SCRIPT}. */
  script?: string;
}

/** How the runtime ended. */
export interface RunInferReturnType {
  /** The exit code; null when it was killed by a signal. */
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** Everything on stdout (at most 4 MiB kept). */
  stdout: string;
  /** The last lines of stderr (at most 64 KiB kept). */
  stderrTail: string;
  ms: number;
}

const MAX_STDOUT = 4 * 1024 * 1024;
const MAX_STDERR_TAIL = 64 * 1024;

/**
 * Runs `python3 sdk/python/infer.py <command> …` as a child process (docs/PROTOCOL.md §19.2): stdout
 * collected, stderr handed line by line to `onStderrLine`, killed (SIGKILL) at the timeout or when
 * `signal` aborts. Resolves with how it ended, whatever the exit code.
 * @throws InferSpawnError when the interpreter cannot be started.
 */
export function runInfer(p: RunInferParameters): Promise<RunInferReturnType> {
  const started = performance.now();
  const python = p.pythonPath ?? "python3";
  return new Promise((resolve, reject) => {
    const child = spawn(python, [p.script ?? INFER_SCRIPT, p.command, ...p.args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    let stdout = "";
    let stderrTail = "";
    let partial = "";
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, p.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    p.signal?.addEventListener("abort", onAbort, { once: true });
    if (p.signal?.aborted) onAbort();
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < MAX_STDOUT) stdout += chunk.slice(0, MAX_STDOUT - stdout.length);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-MAX_STDERR_TAIL);
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line !== "") p.onStderrLine?.(line);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      p.signal?.removeEventListener("abort", onAbort);
      reject(new InferSpawnError(python, err));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      p.signal?.removeEventListener("abort", onAbort);
      if (partial !== "") p.onStderrLine?.(partial);
      resolve({ exitCode: code, timedOut, aborted, stdout, stderrTail, ms: performance.now() - started });
    });
  });
}

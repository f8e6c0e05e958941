// Child services for the demo and end-to-end tests: each in its own process group with its output
// in a log file, stopped by that group (SIGTERM, then SIGKILL after a grace period).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface Service {
  name: string;
  pid: number;
  logFile: string;
  /** True once the process has exited. */
  exited(): boolean;
  /** Resolves with the exit code (or signal name) when the process ends. */
  done: Promise<number | string>;
  /** SIGTERM the group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL the group at once (a crash). */
  kill(): Promise<void>;
}

const root = path.resolve(__dirname, "..", "..");

/** Starts `node scripts/rigel.js <args>` (or any command) as a service. */
export function startService(params: {
  name: string;
  command?: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
}): Service {
  fs.mkdirSync(path.dirname(params.logFile), { recursive: true });
  const out = fs.openSync(params.logFile, "a");
  const child: ChildProcess = spawn(params.command ?? process.execPath, params.args, {
    cwd: root,
    env: { ...process.env, ...params.env },
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  let hasExited = false;
  const done = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      hasExited = true;
      resolve(code ?? signal ?? "unknown");
    });
    // A command that cannot be started (no such file) emits `error`, and may never emit `exit`.
    child.once("error", (err) => {
      hasExited = true;
      resolve(`not started: ${err.message}`);
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (hasExited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  return {
    name: params.name,
    pid: child.pid ?? -1,
    logFile: params.logFile,
    exited: () => hasExited,
    done,
    async stop(graceMs = 10_000) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await done;
      clearTimeout(timer);
    },
    async kill() {
      signalGroup("SIGKILL");
      await done;
    },
  };
}

/** Waits until `url` answers 2xx, or the service exits, or `timeoutMs` passes. */
export async function waitForHttp(
  url: string,
  service?: Service,
  timeoutMs = 60_000,
  options: { anyStatus?: boolean } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (service?.exited()) throw new Error(`${service.name} exited before ${url} answered; see ${service.logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok || options.anyStatus) return;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms${service ? `; see ${service.logFile}` : ""}`);
}

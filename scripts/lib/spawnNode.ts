// Spawning a local chain node (scripts/lib/localNode.ts picks which): its own process group, so
// that stopping it stops every child and no orphan keeps the port.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";

/** Which node runs the local chain. */
export type ChainKind = "hardhat" | "anvil";

export interface LocalNode {
  kind: ChainKind;
  url: string;
  port: number;
  pid: number;
  /** Stop the node and everything in its process group; resolves when it has exited. */
  stop(): Promise<void>;
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Spawns a node in its own process group and waits until its RPC answers on 127.0.0.1:`port`.
 * Refuses a port already in use.
 */
export async function spawnLocalNode(p: {
  kind: ChainKind;
  command: string;
  args: string[];
  port: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile?: string;
  timeoutMs?: number;
}): Promise<LocalNode> {
  const url = `http://127.0.0.1:${p.port}`;
  const timeoutMs = p.timeoutMs ?? 180_000;
  if (await rpcAnswers(url))
    throw new Error(`port ${p.port} already serves an RPC endpoint; refusing to start another`);
  const out = p.logFile ? fs.openSync(p.logFile, "a") : "ignore";
  const child: ChildProcess = spawn(p.command, p.args, {
    cwd: p.cwd,
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, ...p.env },
  });
  if (typeof out === "number") fs.closeSync(out);
  let exited = false;
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
    exited = true;
  });
  const exitedPromise = new Promise<void>((resolve) =>
    child.once("close", () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 5000);
    await exitedPromise;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await rpcAnswers(url))) {
    if (exited)
      throw new Error(
        `${p.kind} node exited before answering on ${url}` +
          (spawnError ? `: ${spawnError.message}` : p.logFile ? `; see ${p.logFile}` : ""),
      );
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${p.kind} node did not answer on ${url} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { kind: p.kind, url, port: p.port, pid: child.pid!, stop };
}

import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface HardhatNode {
  url: string;
  port: number;
  pid: number;
  /** Stop the node and everything in its process group; resolves when it has exited. */
  stop(): Promise<void>;
}

export interface StartHardhatNodeParameters {
  port: number;
  /** Where the node's output goes (default: discarded). */
  logFile?: string;
  /** How long to wait for the RPC to answer (ms). */
  timeoutMs?: number;
  /**
   * Keep the chain clock at the wall clock: automined blocks may share a timestamp (Hardhat's
   * `allowBlocksWithSameTimestamp`, through RIGEL_NODE_WALL_CLOCK). Default off: one second per block.
   */
  wallClock?: boolean;
}

const root = path.resolve(__dirname, "..", "..");

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
 * Start `hardhat node` on 127.0.0.1 in its own process group (so that stopping it stops every child,
 * and no orphan keeps the port), and wait until its RPC answers. Refuses a port already in use.
 */
export async function startHardhatNode({
  port,
  logFile,
  timeoutMs = 180_000,
  wallClock = false,
}: StartHardhatNodeParameters): Promise<HardhatNode> {
  const url = `http://127.0.0.1:${port}`;
  if (await rpcAnswers(url)) throw new Error(`port ${port} already serves an RPC endpoint; refusing to start another`);
  const out = logFile ? fs.openSync(logFile, "a") : "ignore";
  const child: ChildProcess = spawn(
    path.join(root, "node_modules", ".bin", "hardhat"),
    ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, RIGEL_NODE_WALL_CLOCK: wallClock ? "true" : "false" },
    },
  );
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once("exit", () => {
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
    if (exited) throw new Error(`hardhat node exited before answering on ${url}${logFile ? `; see ${logFile}` : ""}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer on ${url} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, pid: child.pid!, stop };
}

// Spawning a local chain node (scripts/lib/localNode.ts picks which): its own process group, so
// that stopping it stops every child and no orphan keeps the port.
import { startService } from "./processes";

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
 * Starts a node as a service in its own process group (scripts/lib/processes.ts) and waits until its
 * RPC answers on 127.0.0.1:`port`. Refuses a port already in use.
 */
export async function spawnLocalNode(p: {
  kind: ChainKind;
  command: string;
  args: string[];
  port: number;
  env?: NodeJS.ProcessEnv;
  logFile?: string;
  timeoutMs?: number;
}): Promise<LocalNode> {
  const url = `http://127.0.0.1:${p.port}`;
  const timeoutMs = p.timeoutMs ?? 180_000;
  if (await rpcAnswers(url))
    throw new Error(`port ${p.port} already serves an RPC endpoint; refusing to start another`);
  const service = startService({
    name: `${p.kind} node`,
    command: p.command,
    args: p.args,
    env: p.env,
    logFile: p.logFile ?? "/dev/null",
  });
  const stop = () => service.stop(5_000);
  const deadline = Date.now() + timeoutMs;
  while (!(await rpcAnswers(url))) {
    if (service.exited())
      throw new Error(
        `${p.kind} node exited before answering on ${url} (${await service.done})` +
          (p.logFile ? `; see ${p.logFile}` : ""),
      );
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${p.kind} node did not answer on ${url} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { kind: p.kind, url, port: p.port, pid: service.pid, stop };
}

import path from "node:path";
import type { StartLocalNodeParameters } from "./localNode";
import { spawnLocalNode, type LocalNode } from "./spawnNode";

/** A `hardhat node` (see {@link startHardhatNode}). */
export type HardhatNode = LocalNode;

const root = path.resolve(__dirname, "..", "..");

/**
 * Start `hardhat node` on 127.0.0.1 in its own process group (so that stopping it stops every child,
 * and no orphan keeps the port), and wait until its RPC answers. Refuses a port already in use.
 * `wallClock` sets Hardhat's `allowBlocksWithSameTimestamp` (through RIGEL_NODE_WALL_CLOCK), so
 * automined blocks may share a timestamp; default off: one second per block.
 */
export async function startHardhatNode({
  port,
  logFile,
  timeoutMs,
  wallClock = false,
}: Omit<StartLocalNodeParameters, "chain">): Promise<HardhatNode> {
  return spawnLocalNode({
    kind: "hardhat",
    command: path.join(root, "node_modules", ".bin", "hardhat"),
    args: ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    env: { RIGEL_NODE_WALL_CLOCK: wallClock ? "true" : "false" },
    port,
    logFile,
    timeoutMs,
  });
}

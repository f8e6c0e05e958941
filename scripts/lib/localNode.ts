// A local chain node on 127.0.0.1 in its own process group: `hardhat node` (the demo's, the tests')
// or anvil (the load run's, scripts/lib/anvilNode.ts). Stopping it stops the whole group, so no
// orphan keeps the port.
import { startAnvilNode } from "./anvilNode";
import { startHardhatNode } from "./hardhatNode";
import type { ChainKind, LocalNode } from "./spawnNode";

export type { ChainKind, LocalNode } from "./spawnNode";

export const CHAIN_KINDS: readonly ChainKind[] = ["hardhat", "anvil"];

export interface StartLocalNodeParameters {
  chain?: ChainKind;
  port: number;
  /** Where the node's output goes (default: discarded). */
  logFile?: string;
  /** How long to wait for the RPC to answer (ms). */
  timeoutMs?: number;
  /**
   * Hardhat only: keep the chain clock at the wall clock (automined blocks may share a timestamp).
   * Anvil always does; Hardhat's default is one second per block.
   */
  wallClock?: boolean;
}

/** Starts the chosen node (default Hardhat's). */
export async function startLocalNode(p: StartLocalNodeParameters): Promise<LocalNode> {
  if (p.chain === "anvil") {
    if (p.wallClock === false) throw new Error("anvil always keeps the chain clock at the wall clock");
    return startAnvilNode(p);
  }
  return startHardhatNode(p);
}

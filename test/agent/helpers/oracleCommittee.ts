// Three real oracle nodes (oracle/oracleNode.ts of #6) in this process, over any viem transport,
// ticking in the background: the committee the agent tests prove to.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPublicClient, type Transport } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { OracleNode } from "../../../oracle/oracleNode";
import type { ContainerItemVerifier } from "../../../oracle/proofService";
import { createLogger } from "../../../sdk/log/createLogger";

const MNEMONIC = "test test test test test test test test test test test junk";

export interface TestCommittee {
  urls: string[];
  nodes: OracleNode[];
  stop(): Promise<void>;
}

/** Starts the committee (Hardhat accounts 12-14) on `ports`, each ticking every `tickMs`. */
export async function startTestCommittee(p: {
  transport: Transport;
  chainId: number;
  market: `0x${string}`;
  committee: `0x${string}`;
  startBlock: bigint;
  ports: number[];
  tickMs?: number;
  /** Each node's container verifier (oracle/verify/dockerItemVerifier), by node index; default none. */
  containerVerifier?: (node: number) => ContainerItemVerifier;
}): Promise<TestCommittee> {
  const logger = createLogger({ name: "oracle", level: "silent", destination: { write: () => undefined } });
  const publicClient = createPublicClient({ chain: hardhat, transport: p.transport, pollingInterval: 100 });
  const nodes = [12, 13, 14].map(
    (index, i) =>
      new OracleNode({
        account: mnemonicToAccount(MNEMONIC, { addressIndex: index }),
        publicClient: publicClient as never,
        chainId: p.chainId,
        market: p.market,
        committee: p.committee,
        logger,
        dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `rigel-oracle-${i}-`)),
        host: "127.0.0.1",
        port: p.ports[i],
        peers: [],
        relay: false,
        relayValid: false,
        startBlock: p.startBlock,
        revealWindowSec: 0,
        bodyLimit: "1mb",
        ratePerMinute: 10_000,
        containerVerifier: p.containerVerifier?.(i),
      }),
  );
  for (const node of nodes) await node.init();
  let stopped = false;
  const loops = nodes.map(async (node) => {
    while (!stopped) {
      await node.tick().catch(() => undefined);
      await new Promise((r) => setTimeout(r, p.tickMs ?? 100));
    }
  });
  return {
    urls: nodes.map((n) => n.url),
    nodes,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const node of nodes) await node.shutdown();
    },
  };
}

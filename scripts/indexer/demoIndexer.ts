// The demo's indexer (`npm run demo -- --keep`): started once the network has run, left running
// beside the chain, with one query printed (the first operator's rewards per epoch, PROTOCOL §21.3).
import type { Service } from "../lib/processes";
import path from "node:path";
import { formatEther, type Address } from "viem";
import type { Devnet } from "../lib/devnet";
import { INDEXER_DEFAULT_PORT, startIndexer, waitIndexed } from "./startIndexer";

export interface DemoIndexer {
  url: string;
  pid: number;
  /** The indexer's process group: stopped with the kept network. */
  service: Service;
}

interface EpochRow {
  epoch: string;
  settled: boolean;
  workPoints: string;
  availabilityPoints: string;
  reward: string;
}

/** Starts the indexer on the demo's chain, waits until it has caught up, and prints one query. */
export async function startDemoIndexer(
  devnet: Pick<Devnet, "deploymentFile" | "rpcUrl" | "client" | "operators">,
  workDir: string,
  say: (line: string) => void,
  port = INDEXER_DEFAULT_PORT,
): Promise<DemoIndexer> {
  say(`starting the indexer (Ponder, PGlite in ${path.relative(process.cwd(), workDir) || "."}/indexer)`);
  const ix = await startIndexer({
    deploymentFile: devnet.deploymentFile,
    rpcUrl: devnet.rpcUrl,
    port,
    dataDir: path.join(workDir, "indexer"),
    logFile: path.join(workDir, "logs", "indexer.log"),
    logLevel: "warn",
  });
  await waitIndexed(ix.url, await devnet.client.getBlockNumber({ cacheTime: 0 }), 300_000);
  const operator: Address = devnet.operators[0].address;
  const query = `${ix.url}/v1/operators/${operator}/rewards-per-epoch`;
  const body = (await (await fetch(query)).json()) as { epochs: EpochRow[] };
  console.log(`\nIndexer: ${ix.url}/graphql (GraphQL), ${ix.url}/sql/* (SQL), ${ix.url}/v1/* (REST)`);
  console.log(`  curl ${query}`);
  for (const e of body.epochs) {
    console.log(
      `  epoch ${e.epoch}: ${e.settled ? `${formatEther(BigInt(e.reward))} RGL` : "not settled yet"} (work points ${e.workPoints}, availability points ${e.availabilityPoints})`,
    );
  }
  console.log(
    `Open the app with it: VITE_RIGEL_INDEXER_URL=${ix.url} (beside VITE_RIGEL_RPC_URL and RIGEL_DEPLOYMENT)`,
  );
  return { url: ix.url, pid: ix.service.pid, service: ix.service };
}

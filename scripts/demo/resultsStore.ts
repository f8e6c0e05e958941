// The demo's results store (PROTOCOL §18.8), kept apart from the demo's own flow: one store in the
// demo process, on 127.0.0.1, whose `/v1/store` URL the demo's specs name as `uploadUrl`, so that
// every settled shard's results are also kept there and outlive the agent that computed them.
import path from "node:path";
import type { Devnet } from "../lib/devnet";
import { createLogger } from "../../sdk/log/createLogger";
import { ResultsStore } from "../../store/resultsStore";
import { marketStoreChain } from "../../store/storeChain";

/** A started results store for the demo: its `uploadUrl` and how to stop it. */
export interface DemoResultsStore {
  uploadUrl: string;
  stop(): Promise<void>;
}

/** Starts the demo's results store over the devnet's market, files under `<workDir>/store`. */
export async function startDemoResultsStore(devnet: Devnet, workDir: string, port = 0): Promise<DemoResultsStore> {
  const store = new ResultsStore({
    host: "127.0.0.1",
    port,
    dataDir: path.join(workDir, "store"),
    chain: marketStoreChain(devnet.client, devnet.deployment.contracts.JobMarket),
    limits: {
      maxFileBytes: 1024 ** 3,
      maxShardBytes: 4 * 1024 ** 3,
      maxShardFiles: 10_000,
      maxStoreBytes: 16 * 1024 ** 3,
    },
    pendingTtlSec: 3600,
    ratePerAddressPerMinute: 100_000,
    logger: createLogger({ name: "store", level: "warn" }),
  });
  await store.init();
  return { uploadUrl: store.uploadUrl, stop: () => store.shutdown() };
}

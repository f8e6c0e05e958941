import type { Address, PublicClient } from "viem";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";
import { readHistory, type HistoryEntry } from "./readHistory";
import { readJobs, type JobRow } from "./readJobs";
import { readShardHistory, type OperatorShard } from "./readShardHistory";
import { readHistoryFromIndexer, readJobsFromIndexer, readShardHistoryFromIndexer } from "./readFromIndexer";

/**
 * Where the page's history comes from (PROTOCOL §21.4): the indexer when `rigel.json` names one
 * (`indexerUrl`), else the chain's logs from the deployment block. Both give the same shapes.
 */
export interface HistoryReader {
  source: "indexer" | "chain";
  history(account?: Address, limit?: number): Promise<HistoryEntry[]>;
  shardHistory(operator: Address, limit?: number): Promise<OperatorShard[]>;
  jobs(developer: Address, limit?: number): Promise<JobRow[]>;
}

/** Rebuilds history from chain logs (`getLogs` from the deployment block). */
export function chainHistoryReader(client: PublicClient, deployment: Deployment): HistoryReader {
  return {
    source: "chain",
    history: (account, limit) => readHistory(client, deployment, account, limit),
    shardHistory: (operator, limit) => readShardHistory(client, deployment, operator, limit),
    jobs: (developer, limit) => readJobs(client, deployment, developer, limit),
  };
}

/** Reads history from the indexer at `indexerUrl` (job status still from the chain). */
export function indexerHistoryReader(indexerUrl: string, client: PublicClient, deployment: Deployment): HistoryReader {
  return {
    source: "indexer",
    history: (account, limit) => readHistoryFromIndexer(indexerUrl, account, limit),
    shardHistory: (operator, limit) => readShardHistoryFromIndexer(indexerUrl, operator, limit),
    jobs: (developer, limit) => readJobsFromIndexer(indexerUrl, client, deployment, developer, limit),
  };
}

/** The reader `rigel.json` asks for. */
export function historyReader(
  config: { deployment: Deployment; indexerUrl?: string },
  client: PublicClient,
): HistoryReader {
  return config.indexerUrl
    ? indexerHistoryReader(config.indexerUrl, client, config.deployment)
    : chainHistoryReader(client, config.deployment);
}

// `rigel store start|config`: the results store (PROTOCOL §18.8).
import path from "node:path";
import { createPublicClient, http, type PublicClient } from "viem";
import { defineCommand, runCli } from "../sdk/cli/commands";
import { loadDeployment } from "../sdk/contracts/deployments";
import { RigelError } from "../sdk/errors/RigelError";
import { createLogger } from "../sdk/log/createLogger";
import { runDaemon } from "../sdk/service/runDaemon";
import { storeConfig, type StoreConfig } from "./config";
import { ResultsStore } from "./resultsStore";
import { marketStoreChain } from "./storeChain";

/** A results store from a loaded configuration (deployments/<chainId>.json names the market). */
export function createResultsStoreFromConfig(config: StoreConfig): ResultsStore {
  const deployment = loadDeployment({ chainId: config.chainId, dir: path.resolve(config.deploymentsDir) });
  const client = createPublicClient({ transport: http(config.rpcUrl) }) as PublicClient;
  return new ResultsStore({
    host: config.host,
    port: config.port,
    dataDir: path.resolve(config.dataDir),
    chain: marketStoreChain(client, deployment.contracts.JobMarket),
    limits: {
      maxFileBytes: config.maxFileBytes,
      maxShardBytes: config.maxShardBytes,
      maxShardFiles: config.maxShardFiles,
      maxStoreBytes: config.maxStoreBytes,
    },
    pendingTtlSec: config.pendingTtlSec,
    ratePerAddressPerMinute: config.ratePerAddressPerMinute,
    metricsToken: config.metricsToken,
    logger: createLogger({ name: "store", level: config.logLevel }),
  });
}

const configFlag = {
  type: "string",
  description: "JSON config file (keys as in `rigel store config`)",
  value: "FILE",
} as const;

const start = defineCommand({
  name: "start",
  summary: "run the results store until SIGTERM (a spec's uploadUrl is <url>/v1/store)",
  flags: {
    config: configFlag,
    port: { type: "string", value: "PORT", description: "HTTP port (overrides the config)" },
  },
  async run({ flags }) {
    const config = storeConfig.load({ file: flags.config, overrides: flags.port ? { port: flags.port } : {} });
    const store = createResultsStoreFromConfig(config);
    const logger = createLogger({ name: "store", level: config.logLevel });
    await runDaemon({ daemon: store, logger, intervalMs: config.pollMs }).done;
    return 0;
  },
});

const config = defineCommand({
  name: "config",
  summary: "list every configuration key (env name, type, default), or check a config with --check",
  flags: {
    config: configFlag,
    check: { type: "boolean", description: "load and validate, print the redacted values" },
  },
  async run({ flags, out }) {
    if (!flags.check) {
      out.result(storeConfig.describe().join("\n"));
      return 0;
    }
    try {
      out.result(JSON.stringify(storeConfig.redact(storeConfig.load({ file: flags.config })), null, 2));
      return 0;
    } catch (err) {
      if (err instanceof RigelError) {
        out.error(err.message);
        return 1;
      }
      throw err;
    }
  },
});

/** `rigel store …` (scripts/rigel.js). */
export function main(argv: string[]): Promise<number> {
  return runCli({
    program: "rigel store",
    summary: "The results store: keeps shards' result files after settlement, for each job's developer.",
    commands: [start, config],
    argv,
  });
}

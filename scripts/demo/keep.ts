// `npm run demo -- --keep`: after the scenario, the whole network keeps running (chain, oracles,
// agents, and whatever `startKeptExtras` adds) until Ctrl-C; the app's config is written beside the
// deployment and the one command that opens the app against it is printed.
import fs from "node:fs";
import path from "node:path";
import type { Network } from "../lib/network";
import type { Service } from "../lib/processes";
import { startDemoIndexer } from "../indexer/demoIndexer";

/** The app's port (`npm run app`, app/vite.config.mts: RIGEL_APP_PORT, default 8671). */
export const APP_PORT = Number(process.env.RIGEL_APP_PORT ?? 8671);

/** What the kept network offers: the app's config (`rigel.json`, as the app reads it) and the command that opens it. */
export interface KeptNetwork {
  /** `<work dir>/rigel.json`: `{ rpcUrl, deployment, oracleUrls, agentUrls }` (the app's config, shared interface B). */
  configFile: string;
  /** One command, run from the repository root, that serves the app against the kept network and opens it. */
  appCommand: string;
  appUrl: string;
  /** Every service kept running, for the banner and the test. */
  services: { name: string; url: string; pid: number }[];
  /** Extra services (`startKeptExtras`), stopped with the network. */
  extras: Service[];
}

/**
 * Services the demo adds only when it keeps the network running: the indexer (issue 24, `indexer/`,
 * PROTOCOL §21), returned as a Service, its URL written into the app's config (`indexerUrl`) and the
 * printed command (`VITE_RIGEL_INDEXER_URL`). A failure to start it is reported, not fatal.
 */
export async function startKeptExtras(
  network: Network,
  workDir: string,
  say: (line: string) => void,
): Promise<{
  services: Service[];
  config: Record<string, unknown>;
  env: Record<string, string>;
}> {
  try {
    const indexer = await startDemoIndexer(network.devnet, workDir, say);
    return {
      services: [indexer.service],
      config: { indexerUrl: indexer.url },
      env: { VITE_RIGEL_INDEXER_URL: indexer.url },
    };
  } catch (err) {
    say(`the indexer did not start: ${err instanceof Error ? err.message : String(err)}`);
    return { services: [], config: {}, env: {} };
  }
}

/** Writes the app's config and returns what the banner prints. */
export async function keepNetwork(
  network: Network,
  workDir: string,
  say: (line: string) => void,
): Promise<KeptNetwork> {
  const { devnet } = network;
  const extras = await startKeptExtras(network, workDir, say);
  const configFile = path.join(workDir, "rigel.json");
  fs.writeFileSync(
    configFile,
    JSON.stringify(
      {
        rpcUrl: devnet.rpcUrl,
        deployment: devnet.deployment,
        oracleUrls: network.oracleUrls,
        agentUrls: network.agentUrls,
        ...extras.config,
      },
      (_k, v) => (typeof v === "bigint" ? v.toString() : v),
      2,
    ),
  );
  const rel = (p: string) => path.relative(process.cwd(), p) || ".";
  const env = {
    VITE_RIGEL_RPC_URL: devnet.rpcUrl,
    RIGEL_DEPLOYMENT: rel(devnet.deploymentFile),
    RIGEL_ORACLE_URLS: network.oracleUrls.join(","),
    ...extras.env,
  };
  const appUrl = `http://127.0.0.1:${APP_PORT}`;
  const appCommand = `${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")} npm run app -- --open`;
  const services = [
    { name: "chain", url: devnet.rpcUrl, pid: devnet.node.pid },
    ...network.oracles.map((s, i) => ({ name: s.name, url: network.oracleUrls[i], pid: s.pid })),
    ...network.agents.map((s, i) => ({ name: s.name, url: network.agentUrls[i], pid: s.pid })),
    ...extras.services.map((s) => ({ name: s.name, url: "", pid: s.pid })),
  ];
  return { configFile, appCommand, appUrl, services, extras: extras.services };
}

/** The lines printed once the kept network is ready. */
export function keepBanner(k: KeptNetwork): string[] {
  return [
    "",
    "The network keeps running (--keep):",
    ...k.services.map((s) => `  ${s.name.padEnd(12)} ${s.url.padEnd(24)} pid ${s.pid}`),
    `App config: ${path.relative(process.cwd(), k.configFile)}`,
    `Open the app against it (another terminal, from this folder; it serves ${k.appUrl}):`,
    `  ${k.appCommand}`,
    "Press Ctrl-C here to stop every process the demo started.",
  ];
}

/** Resolves with the first SIGINT or SIGTERM. */
export function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

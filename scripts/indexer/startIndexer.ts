// Starts the Rigel indexer (indexer/, Ponder) for a deployment, as `npm run indexer`, the demo and
// the indexer tests do: `ponder start` on 127.0.0.1 with the embedded PGlite store in a data dir of
// its own per chain instance, or Postgres when `databaseUrl` is given (PROTOCOL §21.1).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { loadDeployment } from "../../sdk/contracts/deployments";
import { startService, waitForHttp, type Service } from "../lib/processes";

const root = path.resolve(__dirname, "..", "..");

export const INDEXER_DEFAULT_PORT = 42069;
/** The Ponder project, and the directory Ponder runs in. */
export const INDEXER_DIR = path.join(root, "indexer");
export const PONDER_BIN = path.join(root, "node_modules", ".bin", "ponder");

export interface IndexerOptions {
  /** The deployment record (absolute, or relative to the repository root). */
  deploymentFile: string;
  rpcUrl: string;
  port: number;
  hostname?: string;
  /** PGlite directory; default `indexer/.ponder/<storeTag>`. */
  dataDir?: string;
  /** Postgres connection string; the PGlite store when absent. */
  databaseUrl?: string;
  /** Postgres schema; default `rigel_<storeTag>`. */
  dbSchema?: string;
  /** How often realtime sync polls for a new block (ms). */
  pollMs?: number;
  logLevel?: "error" | "warn" | "info" | "debug" | "trace";
}

/** The indexer's code and ABIs: a change re-indexes into a new store (Ponder refuses a store another build wrote). */
function codeFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? codeFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith(".ts"));
}

function codeHash(): string {
  const hash = crypto.createHash("sha256");
  const files = [
    path.join(root, "indexer", "ponder.config.ts"),
    path.join(root, "indexer", "ponder.schema.ts"),
    path.join(root, "sdk", "contracts", "abis.ts"),
    ...codeFiles(path.join(root, "indexer", "src")).sort(),
  ];
  for (const f of files) hash.update(fs.readFileSync(f));
  return hash.digest("hex").slice(0, 8);
}

/**
 * Names a store after the chain instance and the indexer's code: `<chainId>_<8 hex of the deployment
 * block's hash>_<8 hex of the code>`. The same deployment on a restarted dev chain is another chain.
 */
export async function storeTag(deploymentFile: string, rpcUrl: string): Promise<string> {
  const deployment = loadDeployment({ file: path.resolve(root, deploymentFile) });
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 60_000 }) });
  let hash: string;
  try {
    hash = (await client.getBlock({ blockNumber: deployment.block })).hash;
  } catch (err) {
    throw new Error(
      `no chain answers at ${rpcUrl} with block ${deployment.block} of the deployment (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`,
    );
  }
  return `${deployment.chainId}_${hash.slice(2, 10)}_${codeHash()}`;
}

/** The command line and environment that run Ponder for `opts`. */
export async function indexerCommand(opts: IndexerOptions): Promise<{ args: string[]; env: NodeJS.ProcessEnv }> {
  const tag = await storeTag(opts.deploymentFile, opts.rpcUrl);
  const dataDir = path.resolve(root, opts.dataDir ?? path.join("indexer", ".ponder", tag));
  const env: NodeJS.ProcessEnv = {
    RIGEL_REPO_ROOT: root,
    RIGEL_DEPLOYMENT: path.resolve(root, opts.deploymentFile),
    RIGEL_RPC_URL: opts.rpcUrl,
    RIGEL_INDEXER_POLL_MS: String(opts.pollMs ?? 1000),
    RIGEL_INDEXER_DATA_DIR: dataDir,
    PONDER_TELEMETRY_DISABLED: "true",
    DATABASE_URL: opts.databaseUrl ?? "",
    DATABASE_PRIVATE_URL: "",
  };
  if (!opts.databaseUrl) fs.mkdirSync(dataDir, { recursive: true });
  const args = [
    "--root",
    INDEXER_DIR,
    "--log-level",
    opts.logLevel ?? "info",
    "start",
    "--port",
    String(opts.port),
    "--hostname",
    opts.hostname ?? "127.0.0.1",
    "--schema",
    opts.dbSchema ?? `rigel_${tag}`,
  ];
  return { args, env };
}

export interface RunningIndexer {
  url: string;
  service: Service;
  stop(): Promise<void>;
}

/** Starts the indexer in the background (output to `logFile`) and waits until its API answers. */
export async function startIndexer(
  opts: IndexerOptions & { logFile: string; timeoutMs?: number },
): Promise<RunningIndexer> {
  const { args, env } = await indexerCommand(opts);
  // In indexer/: Ponder writes generated/schema.graphql under the working directory.
  const service = startService({
    name: "indexer",
    command: "/bin/sh",
    args: ["-c", 'cd "$1" && shift && exec "$@"', "sh", INDEXER_DIR, PONDER_BIN, ...args],
    env,
    logFile: opts.logFile,
  });
  const url = `http://${opts.hostname ?? "127.0.0.1"}:${opts.port}`;
  try {
    await waitForHttp(`${url}/health`, service, opts.timeoutMs ?? 180_000);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return { url, service, stop: () => service.stop() };
}

/** The block the indexer has indexed up to (0 before the first checkpoint). */
export async function indexedBlock(url: string): Promise<number> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) return 0;
  const status = (await res.json()) as Record<string, { block?: { number?: number } }>;
  return Object.values(status)[0]?.block?.number ?? 0;
}

/** Waits until the indexer has indexed `block` (and is ready), or throws after `timeoutMs`. */
export async function waitIndexed(url: string, block: bigint | number, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < until) {
    try {
      last = await indexedBlock(url);
      if (last >= Number(block)) {
        const ready = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) });
        if (ready.ok) return;
      }
    } catch {
      // Not answering yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the indexer at ${url} reached block ${last}, not ${block}, within ${timeoutMs} ms`);
}

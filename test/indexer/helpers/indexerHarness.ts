// The indexer tests' harness: the in-process Hardhat network served over HTTP (so the fixtures'
// TypeChain contracts drive the chain that Ponder indexes), a deployment record for it, and one
// indexer per store: the embedded PGlite, and Postgres when the machine has one
// (scripts/indexer-postgres.sh), else a printed reason.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { network, run } from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import type { Protocol } from "../../../fixtures/protocolFixture";
import { startIndexer, waitIndexed, type RunningIndexer } from "../../../scripts/indexer/startIndexer";

const root = path.resolve(__dirname, "..", "..", "..");

export interface ServedChain {
  url: string;
  close(): Promise<void>;
}

/** Serves the in-process Hardhat network as JSON-RPC on 127.0.0.1:`port` (0: a free port). */
export async function serveHardhat(port = 0): Promise<ServedChain> {
  const server = (await run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port, provider: network.provider })) as {
    listen(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  const bound = await server.listen();
  return { url: `http://127.0.0.1:${bound.port}`, close: () => server.close() };
}

/** A port free on 127.0.0.1 now (the OS's pick), for a child process that needs a number. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Writes the deployment record of a fixture protocol (the fixture has no timelock: the admin stands in). */
export async function writeDeployment(p: Protocol, block: number, dir: string): Promise<string> {
  const file = path.join(dir, "31337.json");
  const contracts = {
    ComputeToken: await p.rgl.getAddress(),
    OracleCommittee: await p.committee.getAddress(),
    OperatorStaking: await p.staking.getAddress(),
    RewardsDistributor: await p.rewards.getAddress(),
    JobMarket: await p.market.getAddress(),
    TimelockController: p.admin.address,
  };
  const record = { chainId: 31337, network: "hardhat", deployer: p.admin.address, block, contracts, parameters: {} };
  fs.writeFileSync(file, JSON.stringify(record, null, 2));
  return file;
}

export interface StoreIndexer extends RunningIndexer {
  store: "pglite" | "postgres";
  dropStore(): Promise<void>;
}

/** The Postgres URL from scripts/indexer-postgres.sh, or the reason there is none. */
export function postgresUrl(): { url?: string; reason?: string } {
  try {
    const url = execFileSync(path.join(root, "scripts", "indexer-postgres.sh"), {
      encoding: "utf8",
      stdio: "pipe",
    }).trim();
    return { url };
  } catch (err) {
    const e = err as { stderr?: Buffer | string; message: string };
    return { reason: String(e.stderr ?? "").trim() || e.message };
  }
}

/** Starts one indexer per available store against `rpcUrl`, each on a free port. */
export async function startStores(deploymentFile: string, rpcUrl: string): Promise<StoreIndexer[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-indexer-test-"));
  const started: StoreIndexer[] = [];
  const common = { deploymentFile, rpcUrl, pollMs: 100, logLevel: "warn" as const };
  const pglite = startIndexer({
    ...common,
    port: await freePort(),
    dataDir: path.join(work, "pglite"),
    logFile: path.join(work, "pglite.log"),
  }).then((ix) => ({ ...ix, store: "pglite" as const, dropStore: async () => undefined }));
  const pg = postgresUrl();
  if (!pg.url && process.env.RIGEL_REQUIRE_POSTGRES) throw new Error(`RIGEL_REQUIRE_POSTGRES is set: ${pg.reason}`);
  if (!pg.url) console.log(`      (Postgres case skipped: ${pg.reason})`);
  const schema = `rigel_test_${process.pid}_${Date.now() % 1e8}`;
  const postgres = pg.url
    ? startIndexer({
        ...common,
        port: await freePort(),
        databaseUrl: pg.url,
        dbSchema: schema,
        logFile: path.join(work, "postgres.log"),
      }).then((ix) => ({ ...ix, store: "postgres" as const, dropStore: () => dropSchema(pg.url!, schema) }))
    : undefined;
  for (const ix of await Promise.all([pglite, ...(postgres ? [postgres] : [])])) started.push(ix);
  return started;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  execFileSync("psql", [url, "-qc", `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { stdio: "pipe" });
}

/** Waits until every indexer has indexed the chain's head. */
export async function waitAll(indexers: RunningIndexer[], head: number): Promise<void> {
  await Promise.all(indexers.map((ix) => waitIndexed(ix.url, head, 180_000)));
}

/** GET a JSON path of the indexer. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A GraphQL query against the indexer. */
export async function graphql<T>(baseUrl: string, query: string): Promise<T> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

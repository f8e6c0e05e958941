// `npm run indexer`: the Rigel indexer (indexer/, Ponder 0.16) against a deployment, in the
// foreground. GraphQL at /graphql, SQL over HTTP at /sql/*, REST aggregates at /v1/* (PROTOCOL §21).
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { INDEXER_DEFAULT_PORT, INDEXER_DIR, PONDER_BIN, indexerCommand } from "./indexer/startIndexer";

const HELP = `Usage: npm run indexer -- [flags]

Indexes every Rigel contract event of a deployment (operators, delegations, epochs and rewards,
jobs and shards, committee, RGL transfers) and serves them:
  GraphQL   http://HOST:PORT/graphql
  SQL       http://HOST:PORT/sql/*      (Ponder's SQL-over-HTTP client)
  REST      http://HOST:PORT/v1/operators/:address/rewards-per-epoch, /v1/network/daily-volume, ...
  status    http://HOST:PORT/status, /ready

The store is embedded (PGlite, nothing to install) unless DATABASE_URL names a Postgres database.

Flags:
  --deployment FILE  the deployment record (default deployments/31337.json; env RIGEL_DEPLOYMENT)
  --rpc URL          the chain's JSON-RPC endpoint (default http://127.0.0.1:8545; env RIGEL_RPC_URL)
  --port N           the API's port (default ${INDEXER_DEFAULT_PORT})
  --host HOST        the address to bind (default 127.0.0.1)
  --data-dir DIR     the PGlite store (default indexer/.ponder/<chainId>_<block hash>_<code hash>)
  --db-schema NAME   the Postgres schema (default rigel_<chainId>_<block hash>_<code hash>)
  --poll-ms MS       how often to poll the chain for new blocks (default 1000)
  --log-level LEVEL  error | warn | info | debug | trace (default info)
  -h, --help         this help

Environment: DATABASE_URL=postgres://user:pass@host:5432/db uses Postgres instead of PGlite.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      deployment: { type: "string", default: process.env.RIGEL_DEPLOYMENT ?? "deployments/31337.json" },
      rpc: { type: "string", default: process.env.RIGEL_RPC_URL ?? "http://127.0.0.1:8545" },
      port: { type: "string", default: String(INDEXER_DEFAULT_PORT) },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string" },
      "db-schema": { type: "string" },
      "poll-ms": { type: "string", default: "1000" },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error("--port must be an integer in [1, 65535]");
  const pollMs = Number(values["poll-ms"]);
  if (!Number.isInteger(pollMs) || pollMs < 50) throw new Error("--poll-ms must be an integer ≥ 50");
  const level = values["log-level"]!;
  if (!["error", "warn", "info", "debug", "trace"].includes(level)) {
    throw new Error("--log-level must be error, warn, info, debug or trace");
  }
  const { args, env } = await indexerCommand({
    deploymentFile: values.deployment!,
    rpcUrl: values.rpc!,
    port,
    hostname: values.host,
    dataDir: values["data-dir"],
    databaseUrl: process.env.DATABASE_URL || undefined,
    dbSchema: values["db-schema"],
    pollMs,
    logLevel: level as "info",
  });
  console.log(
    `indexer: ${process.env.DATABASE_URL ? "Postgres (DATABASE_URL)" : `PGlite in ${env.RIGEL_INDEXER_DATA_DIR}`}`,
  );
  console.log(`indexer: GraphQL at http://${values.host}:${port}/graphql`);
  // In indexer/: Ponder writes generated/schema.graphql under the working directory.
  const child = spawn(PONDER_BIN, args, {
    cwd: INDEXER_DIR,
    env: { ...process.env, ...env },
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`indexer: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

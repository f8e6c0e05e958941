// The Rigel indexer's Ponder config (PROTOCOL §21), built from the deployment record: the protocol's
// five event-emitting contracts on one chain, from the deployment block, with the ABIs the sdk
// generates from the Hardhat artifacts (sdk/contracts/abis.ts, via src/lib/followedContracts.ts), so an event a contract adds or
// changes is picked up by `node scripts/gen-abis.js`, never by a hard-coded topic.
//
// Environment (scripts/indexer.ts sets it from its flags):
//   RIGEL_DEPLOYMENT        the deployment record (default deployments/31337.json)
//   RIGEL_RPC_URL           the chain's JSON-RPC endpoint (default http://127.0.0.1:8545)
//   RIGEL_INDEXER_POLL_MS   how often realtime sync polls for a new block (default 1000)
//   DATABASE_URL            Postgres; without it the embedded PGlite store in RIGEL_INDEXER_DATA_DIR
//   RIGEL_INDEXER_DATA_DIR  the PGlite directory (default indexer/.ponder/pglite)
import fs from "node:fs";
import path from "node:path";
import { createConfig } from "ponder";
import { followedContracts as abi } from "./src/lib/followedContracts";
import { parseDeployment } from "../sdk/contracts/parseDeployment";

const repoRoot = path.resolve(process.env.RIGEL_REPO_ROOT ?? path.join(process.cwd()));
const deploymentFile = path.resolve(repoRoot, process.env.RIGEL_DEPLOYMENT ?? "deployments/31337.json");
if (!fs.existsSync(deploymentFile)) {
  throw new Error(
    `no deployment at ${deploymentFile}: deploy first (npx hardhat run scripts/deploy.ts --network localhost) or pass --deployment FILE`,
  );
}
const deployment = parseDeployment(JSON.parse(fs.readFileSync(deploymentFile, "utf8")), deploymentFile);
const rpcUrl = process.env.RIGEL_RPC_URL ?? "http://127.0.0.1:8545";
const pollingInterval = Number(process.env.RIGEL_INDEXER_POLL_MS ?? 1000);
const startBlock = Number(deployment.block);
const c = deployment.contracts;

export default createConfig({
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : {
        kind: "pglite",
        directory: path.resolve(repoRoot, process.env.RIGEL_INDEXER_DATA_DIR ?? "indexer/.ponder/pglite"),
      },
  chains: {
    rigel: {
      id: deployment.chainId,
      rpc: rpcUrl,
      pollingInterval,
      // A dev chain's ids and block numbers repeat on every restart: never serve a cached answer.
      disableCache: deployment.chainId === 31337,
    },
  },
  contracts: {
    ComputeToken: { chain: "rigel", abi: abi.ComputeToken, address: c.ComputeToken, startBlock },
    OperatorStaking: { chain: "rigel", abi: abi.OperatorStaking, address: c.OperatorStaking, startBlock },
    OracleCommittee: { chain: "rigel", abi: abi.OracleCommittee, address: c.OracleCommittee, startBlock },
    RewardsDistributor: { chain: "rigel", abi: abi.RewardsDistributor, address: c.RewardsDistributor, startBlock },
    // Receipts give each shard transition's gas used.
    JobMarket: {
      chain: "rigel",
      abi: abi.JobMarket,
      address: c.JobMarket,
      startBlock,
      includeTransactionReceipts: true,
    },
  },
});

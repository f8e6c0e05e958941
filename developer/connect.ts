// How `rigel job` reaches the chain: RPC URL, deployment file and the developer's key, from flags,
// then environment, then the local dev chain's defaults.
import fs from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseDeployment, type Deployment } from "../sdk/contracts/deployments";
import { decryptKeystore } from "../sdk/keystore/keystore";
import { UsageError } from "../sdk/cli/commands";

/** Hardhat's first dev account: a published test key, used only on chain 31337 when no key is given. */
export const DEV_CHAIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;
export const DEV_CHAIN_ID = 31337;
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** Things a test (or the app) may hand in instead of flags and environment. */
export interface JobCliDeps {
  /** A viem transport (e.g. `custom(hre.network.provider)` for the in-process chain). */
  transport?: Transport;
  deployment?: Deployment;
  env?: Record<string, string | undefined>;
  /** Asks the user to confirm; default reads a line from stdin. */
  confirm?: (question: string) => Promise<boolean>;
  /** Sleeps between `status --watch` polls. */
  sleep?: (ms: number) => Promise<void>;
}

/** The connection flags every command takes. */
export const CONNECTION_FLAGS = {
  rpc: { type: "string", value: "URL", description: `JSON-RPC URL (env RIGEL_RPC_URL; default ${DEFAULT_RPC_URL})` },
  deployment: {
    type: "string",
    value: "FILE",
    description: "deployment record (env RIGEL_DEPLOYMENT; default deployments/<chainId>.json)",
  },
  key: { type: "string", value: "HEX", description: "private key (env RIGEL_PRIVATE_KEY; prefer --keystore)" },
  keystore: {
    type: "string",
    value: "FILE",
    description: "encrypted keystore (env RIGEL_KEYSTORE; password from RIGEL_KEYSTORE_PASSWORD)",
  },
  json: { type: "boolean", description: "print the result as JSON" },
} as const;

export interface Connection {
  publicClient: PublicClient;
  walletClient?: WalletClient<Transport, Chain, Account>;
  account?: Account;
  deployment: Deployment;
  chainId: number;
}

/** Connects; `needsKey` commands also load the developer's key. */
export async function connect(
  flags: { rpc?: string; deployment?: string; key?: string; keystore?: string },
  deps: JobCliDeps,
  needsKey: boolean,
): Promise<Connection> {
  const env = deps.env ?? process.env;
  const transport = deps.transport ?? http(flags.rpc ?? env.RIGEL_RPC_URL ?? DEFAULT_RPC_URL);
  const probe = createPublicClient({ transport, pollingInterval: 200 });
  const chainId = await probe.getChainId();
  const chain: Chain = {
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [flags.rpc ?? env.RIGEL_RPC_URL ?? DEFAULT_RPC_URL] } },
  };
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 200 }) as PublicClient;
  const deployment = deps.deployment ?? loadDeploymentFile(flags.deployment ?? env.RIGEL_DEPLOYMENT, chainId);
  if (deployment.chainId !== chainId) {
    throw new UsageError(
      "RIGEL_JOB_CHAIN_MISMATCH",
      `the deployment is for chain ${deployment.chainId}, the RPC serves ${chainId}`,
    );
  }
  if (!needsKey) return { publicClient, deployment, chainId };
  const account = privateKeyToAccount(loadKey(flags, env, chainId));
  const walletClient = createWalletClient({ account, chain, transport, pollingInterval: 200 });
  return { publicClient, walletClient, account, deployment, chainId };
}

function loadDeploymentFile(file: string | undefined, chainId: number): Deployment {
  const p = path.resolve(file ?? path.join(__dirname, "..", "deployments", `${chainId}.json`));
  if (!fs.existsSync(p)) {
    throw new UsageError(
      "RIGEL_JOB_NO_DEPLOYMENT",
      `no deployment record at ${p} (run scripts/deploy.ts, or pass --deployment)`,
    );
  }
  return parseDeployment(JSON.parse(fs.readFileSync(p, "utf8")), p);
}

function loadKey(
  flags: { key?: string; keystore?: string },
  env: Record<string, string | undefined>,
  chainId: number,
): `0x${string}` {
  const keystore = flags.keystore ?? env.RIGEL_KEYSTORE;
  if (keystore) {
    const password = env.RIGEL_KEYSTORE_PASSWORD;
    if (password === undefined) {
      throw new UsageError("RIGEL_JOB_NO_PASSWORD", "RIGEL_KEYSTORE_PASSWORD must hold the keystore's password");
    }
    return decryptKeystore(JSON.parse(fs.readFileSync(keystore, "utf8")), password);
  }
  const key = flags.key ?? env.RIGEL_PRIVATE_KEY;
  if (key) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key))
      throw new UsageError("RIGEL_JOB_BAD_KEY", "the private key must be 0x + 64 hex digits");
    return key as `0x${string}`;
  }
  if (chainId === DEV_CHAIN_ID) return DEV_CHAIN_KEY;
  throw new UsageError("RIGEL_JOB_NO_KEY", "no key: pass --keystore (or --key, or RIGEL_PRIVATE_KEY)");
}

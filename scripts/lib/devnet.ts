// A whole local chain for the demo, end-to-end tests and benchmarks: a real `hardhat node` (or anvil,
// the load run's) on 127.0.0.1, the protocol deployed with the Ignition module (scripts/deploy.ts), a
// bonded oracle committee, and funded operator, developer and delegator accounts from Hardhat's test
// mnemonic.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  maxUint256,
  parseEther,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { computeTokenAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { loadDeployment, type Deployment } from "../../sdk/contracts/deployments";
import { HARDHAT_MNEMONIC } from "./hardhatAccountKey";
import { startLocalNode, type ChainKind, type LocalNode } from "./localNode";

/** Hardhat's well-known test mnemonic: its keys are public, for local chains only. */
export const DEV_MNEMONIC = HARDHAT_MNEMONIC;

const root = path.resolve(__dirname, "..", "..");

/** Account i of the dev mnemonic, with its private key (for services that take a key). */
export interface DevAccount {
  account: HDAccount;
  address: Address;
  privateKey: Hex;
}

export function devAccount(index: number): DevAccount {
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key for dev account ${index}`);
  return { account, address: account.address, privateKey: `0x${Buffer.from(key).toString("hex")}` };
}

export interface StartDevnetParameters {
  port: number;
  /** Where the node log and the deployment record go. */
  workDir: string;
  oracles?: number;
  operators?: number;
  developers?: number;
  delegators?: number;
  /** RGL each operator, developer and delegator receives from the deployer. */
  fundEach?: bigint;
  /** Extra Ignition parameters (module `Rigel`), e.g. `{ epochLength: "30" }`. */
  parameters?: Record<string, string>;
  /** Which node runs the chain (default `hardhat node`; the load run's is anvil). */
  chain?: ChainKind;
  /** Hardhat's node keeps the chain clock at the wall clock (see {@link startLocalNode}); default off. */
  wallClock?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Devnet {
  node: LocalNode;
  rpcUrl: string;
  chain: Chain;
  client: PublicClient;
  deployment: Deployment;
  deploymentFile: string;
  deployer: DevAccount;
  oracles: DevAccount[];
  operators: DevAccount[];
  developers: DevAccount[];
  delegators: DevAccount[];
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, "a");
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", out, out] });
    child.on("error", reject);
    child.on("exit", (code) => {
      fs.closeSync(out);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(cmd)} ${args.join(" ")} exited with ${code}; see ${logFile}`));
    });
  });
}

/**
 * Starts a node, deploys the protocol, bonds `oracles` committee members (accounts 1..), and funds
 * the operators, developers and delegators that follow them. Stop it with `stop()`.
 */
export async function startDevnet(params: StartDevnetParameters): Promise<Devnet> {
  const log = params.log ?? (() => undefined);
  const counts = {
    oracles: params.oracles ?? 3,
    operators: params.operators ?? 3,
    developers: params.developers ?? 1,
    delegators: params.delegators ?? 1,
  };
  fs.mkdirSync(params.workDir, { recursive: true });
  const logFile = path.join(params.workDir, "chain.log");
  const chain = params.chain ?? "hardhat";
  log(`starting ${chain === "anvil" ? "anvil" : "a Hardhat node"} on 127.0.0.1:${params.port}`);
  const node = await startLocalNode({ chain, port: params.port, logFile, wallClock: params.wallClock });
  try {
    let next = 1;
    const take = (n: number) => Array.from({ length: n }, () => devAccount(next++));
    const deployer = devAccount(0);
    const oracles = take(counts.oracles);
    const operators = take(counts.operators);
    const developers = take(counts.developers);
    const delegators = take(counts.delegators);

    log("deploying the protocol with Ignition");
    const paramsFile = path.join(params.workDir, "ignition-parameters.json");
    fs.writeFileSync(paramsFile, JSON.stringify({ Rigel: params.parameters ?? {} }));
    await run(
      path.join(root, "node_modules", ".bin", "hardhat"),
      ["run", "scripts/deploy.ts", "--network", "localhost"],
      {
        RIGEL_LOCALHOST_URL: node.url,
        RIGEL_DEPLOYMENTS_DIR: params.workDir,
        RIGEL_ORACLE_SIGNERS: oracles.map((o) => o.address).join(","),
        RIGEL_IGNITION_PARAMETERS: paramsFile,
      },
      path.join(params.workDir, "deploy.log"),
    );
    const deploymentFile = path.join(params.workDir, "31337.json");
    const deployment = loadDeployment({ file: deploymentFile, chainId: 31337 });
    const chain: Chain = { ...hardhat, rpcUrls: { default: { http: [node.url] } } };
    // Reads made in the same tick go as one JSON-RPC batch (the load run's receipts and follower).
    const transport = http(node.url, { batch: { wait: 0 } });
    const client = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 250 }) as PublicClient;
    const rgl = deployment.contracts.ComputeToken;
    const committee = deployment.contracts.OracleCommittee;

    const fundEach = params.fundEach ?? parseEther("100000");
    const bond = await client.readContract({ address: committee, abi: oracleCommitteeAbi, functionName: "bondAmount" });
    const deployerWallet = createWalletClient({ account: deployer.account, chain, transport });
    log(`funding ${oracles.length} oracles and ${operators.length + developers.length + delegators.length} accounts`);
    for (const who of [
      ...oracles.map((o) => [o, bond] as const),
      ...[...operators, ...developers, ...delegators].map((a) => [a, fundEach] as const),
    ]) {
      const hash = await deployerWallet.writeContract({
        address: rgl,
        abi: computeTokenAbi,
        functionName: "transfer",
        args: [who[0].address, who[1]],
      });
      await client.waitForTransactionReceipt({ hash });
    }
    log("bonding the oracle committee");
    for (const oracle of oracles) {
      const wallet = createWalletClient({ account: oracle.account, chain, transport });
      const approve = await wallet.writeContract({
        address: rgl,
        abi: computeTokenAbi,
        functionName: "approve",
        args: [committee, maxUint256],
      });
      await client.waitForTransactionReceipt({ hash: approve });
      const post = await wallet.writeContract({
        address: committee,
        abi: oracleCommitteeAbi,
        functionName: "postBond",
      });
      await client.waitForTransactionReceipt({ hash: post });
    }
    return {
      node,
      rpcUrl: node.url,
      chain,
      client,
      deployment,
      deploymentFile,
      deployer,
      oracles,
      operators,
      developers,
      delegators,
      stop: () => node.stop(),
    };
  } catch (err) {
    await node.stop();
    throw err;
  }
}

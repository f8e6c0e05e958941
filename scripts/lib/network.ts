// The whole network as child processes, for the demo, the end-to-end tests and the load script: a
// devnet (scripts/lib/devnet.ts), a 2-of-3 oracle committee (`rigel oracle start`), and agents whose
// operators are registered and staked, whose capacity is attested by the committee (`rigel agent
// benchmark`), running `rigel agent run`. Any service can be killed and started again.
//
// Ports on 127.0.0.1: the chain at `port`, oracle i at `port + 1 + i`, agent i at `port + 11 + i`.
import path from "node:path";
import { createWalletClient, http, parseEther, type WalletClient } from "viem";
import { operatorMetadataDataUri } from "../../sdk/agentApi/metadata";
import { computeTokenAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { startDevnet, type DevAccount, type Devnet } from "./devnet";
import type { ChainKind } from "./localNode";
import { startService, waitForHttp, type Service } from "./processes";

/** One agent of the network. */
export interface NetworkAgent {
  /** A short name used in logs and summaries (`agent-1`, `cheater`). */
  name: string;
  /** Dev-chain fault injection (agent/work/devCheat.ts). */
  cheat?: "corrupt-rows" | "cheaper-model";
  /** Extra environment for this agent only, after `agentEnv` (e.g. `RIGEL_AGENT_CPU_THREADS`). */
  env?: NodeJS.ProcessEnv;
}

export interface StartNetworkParameters {
  port: number;
  /** Logs (`logs/`), service data directories and the deployment record. */
  workDir: string;
  agents: NetworkAgent[];
  developers?: number;
  delegators?: number;
  /** RGL each operator stakes (default 20,000). */
  stake?: bigint;
  /** Commission of every operator in basis points (default 1,000 = 10%). */
  commissionBps?: number;
  /** The RPC URL the services use (default the node's): a proxy in front of it for RPC-fault tests. */
  serviceRpcUrl?: string;
  /** Oracle i's own RPC URL, where given (default `serviceRpcUrl`): one oracle's RPC can fail alone. */
  oracleRpcUrls?: readonly (string | undefined)[];
  /** Extra Ignition parameters (module `Rigel`). */
  parameters?: Record<string, string>;
  /** Which node runs the chain (default `hardhat node`). */
  chain?: ChainKind;
  /** Hardhat's node keeps the chain clock at the wall clock (automined blocks may share a timestamp). */
  wallClock?: boolean;
  /** Extra environment for every oracle (e.g. its container executor). */
  oracleEnv?: NodeJS.ProcessEnv;
  /** Extra environment for oracle i only, after `oracleEnv` (e.g. a broken runtime on one node). */
  oracleEnvs?: readonly (NodeJS.ProcessEnv | undefined)[];
  /** Extra environment for every agent. */
  agentEnv?: NodeJS.ProcessEnv;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface Network {
  devnet: Devnet;
  oracleUrls: string[];
  agentUrls: string[];
  /** The running oracle services (a restarted one replaces its entry). */
  oracles: Service[];
  /** The running agent services, in `agents` order. */
  agents: Service[];
  /** Operator accounts in `agents` order. */
  operators: DevAccount[];
  /** Display names of the network's accounts, by address. */
  names: Record<string, string>;
  /**
   * Starts oracle i again (after it was stopped or killed) and waits until it answers healthy, or
   * with `anyStatus` until it answers at all (a node that halts its signing answers 503).
   */
  startOracle(i: number, options?: { anyStatus?: boolean }): Promise<Service>;
  /** Starts agent i again (after it was stopped or killed) and waits until it answers. */
  startAgent(i: number): Promise<Service>;
  /** Throws when a service that should run has exited. */
  assertRunning(): void;
  /** Stops every service, then the chain unless `keepChain`. */
  stop(options?: { keepChain?: boolean }): Promise<void>;
}

export function walletOf(devnet: Devnet, who: DevAccount): WalletClient {
  return createWalletClient({ account: who.account, chain: devnet.chain, transport: http(devnet.rpcUrl) });
}

/** Sends one contract call from `who` and waits for a successful receipt. */
export async function sendAs(
  devnet: Devnet,
  who: DevAccount,
  request: Omit<Parameters<WalletClient["writeContract"]>[0], "account" | "chain">,
) {
  const hash = await walletOf(devnet, who).writeContract({
    ...request,
    account: who.account,
    chain: devnet.chain,
  } as Parameters<WalletClient["writeContract"]>[0]);
  const receipt = await devnet.client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

/** Starts the chain, the committee and the agents; on failure stops whatever it started. */
export async function startNetwork(p: StartNetworkParameters): Promise<Network> {
  const log = p.log ?? (() => undefined);
  const logs = path.join(p.workDir, "logs");
  const devnet = await startDevnet({
    port: p.port,
    workDir: p.workDir,
    oracles: 3,
    operators: p.agents.length,
    developers: p.developers ?? 1,
    delegators: p.delegators ?? 1,
    parameters: p.parameters,
    chain: p.chain,
    wallClock: p.wallClock,
    log,
  });
  const rpcUrl = p.serviceRpcUrl ?? devnet.rpcUrl;
  const { deployment } = devnet;
  const oracleUrls = devnet.oracles.map((_, i) => `http://127.0.0.1:${p.port + 1 + i}`);
  const agentUrls = p.agents.map((_, i) => `http://127.0.0.1:${p.port + 11 + i}`);
  const names: Record<string, string> = {};
  devnet.operators.forEach((o, i) => (names[o.address] = p.agents[i].name));
  devnet.developers.forEach(
    (d, i) => (names[d.address] = devnet.developers.length > 1 ? `developer-${i + 1}` : "developer"),
  );
  devnet.delegators.forEach(
    (d, i) => (names[d.address] = devnet.delegators.length > 1 ? `delegator-${i + 1}` : "delegator"),
  );
  const oracles: Service[] = [];
  const agents: Service[] = [];
  const helpers: Service[] = [];

  const oracleService = (i: number) =>
    startService({
      name: `oracle-${i + 1}`,
      args: ["scripts/rigel.js", "oracle", "start"],
      logFile: path.join(logs, `oracle-${i + 1}.log`),
      env: {
        RIGEL_ORACLE_RPC_URL: p.oracleRpcUrls?.[i] ?? rpcUrl,
        RIGEL_ORACLE_DEPLOYMENTS_DIR: p.workDir,
        RIGEL_ORACLE_PORT: String(p.port + 1 + i),
        // A local devnet on loopback: the tests and the demo read every oracle's /metrics.
        RIGEL_ORACLE_METRICS: "public",
        // Every agent and peer of a devnet shares 127.0.0.1.
        RIGEL_ORACLE_RATE_PER_ADDRESS_PER_MINUTE: "1000000",
        RIGEL_ORACLE_DATA_DIR: path.join(p.workDir, `oracle-${i + 1}`),
        RIGEL_ORACLE_WORK_DIR: path.join(p.workDir, `oracle-${i + 1}`, "work"),
        RIGEL_ORACLE_SIGNER_KEY: devnet.oracles[i].privateKey,
        RIGEL_ORACLE_PEERS: oracleUrls.filter((_, j) => j !== i).join(","),
        RIGEL_ORACLE_RELAY: i === 0 ? "true" : "false",
        RIGEL_ORACLE_START_BLOCK: String(deployment.block),
        RIGEL_ORACLE_POLL_MS: "500",
        ...p.oracleEnv,
        ...p.oracleEnvs?.[i],
      },
    });
  const agentEnv = (i: number): NodeJS.ProcessEnv => ({
    RIGEL_AGENT_RPC_URL: rpcUrl,
    RIGEL_AGENT_DEPLOYMENT_FILE: devnet.deploymentFile,
    RIGEL_AGENT_PRIVATE_KEY: devnet.operators[i].privateKey,
    RIGEL_AGENT_DATA_DIR: path.join(p.workDir, p.agents[i].name),
    RIGEL_AGENT_PORT: String(p.port + 11 + i),
    RIGEL_AGENT_ORACLE_URLS: oracleUrls.join(","),
    RIGEL_AGENT_POLL_INTERVAL_MS: "500",
    RIGEL_AGENT_CLAIM_INTERVAL_SEC: "0",
    RIGEL_AGENT_DEV_CHEAT: p.agents[i].cheat ?? "none",
    ...p.agentEnv,
    ...p.agents[i].env,
  });
  const agentService = (i: number) =>
    startService({
      name: p.agents[i].name,
      args: ["scripts/rigel.js", "agent", "run"],
      logFile: path.join(logs, `${p.agents[i].name}.log`),
      env: agentEnv(i),
    });

  const stop = async (options: { keepChain?: boolean } = {}) => {
    await Promise.all([...agents, ...oracles, ...helpers].map((s) => s.stop()));
    if (!options.keepChain) await devnet.stop();
  };
  try {
    devnet.oracles.forEach((_, i) => oracles.push(oracleService(i)));
    await Promise.all(oracleUrls.map((u, i) => waitForHttp(`${u}/healthz`, oracles[i], 120_000)));
    log(`oracle committee up: ${oracleUrls.join(", ")} (threshold 2)`);

    const stake = p.stake ?? parseEther("20000");
    for (const [i, op] of devnet.operators.entries()) {
      const uri = operatorMetadataDataUri({ version: 1, endpoint: agentUrls[i], region: "local", gpus: [] });
      const staking = deployment.contracts.OperatorStaking;
      await sendAs(devnet, op, {
        address: deployment.contracts.ComputeToken,
        abi: computeTokenAbi,
        functionName: "approve",
        args: [staking, stake],
      });
      await sendAs(devnet, op, {
        address: staking,
        abi: operatorStakingAbi,
        functionName: "register",
        args: [uri, p.commissionBps ?? 1000],
      });
      await sendAs(devnet, op, { address: staking, abi: operatorStakingAbi, functionName: "stake", args: [stake] });
      log(
        `${p.agents[i].name} ${op.address} registered and staked ${Number(stake / 10n ** 18n).toLocaleString("en-US")} RGL`,
      );
    }

    // One at a time: the committee times each answer, and on a small host parallel benchmarks would
    // slow each other down (and skew the peers' own timing). One retry covers a missed quorum.
    log("capacity: each agent answers a challenge from the committee (rigel agent benchmark)");
    for (const [i, agent] of p.agents.entries()) {
      for (let attempt = 1; ; attempt++) {
        const benchmark = startService({
          name: `${agent.name}-benchmark`,
          args: ["scripts/rigel.js", "agent", "benchmark"],
          logFile: path.join(logs, `${agent.name}-benchmark.log`),
          env: agentEnv(i),
        });
        helpers.push(benchmark);
        const code = await benchmark.done;
        if (code === 0) break;
        if (attempt === 2) throw new Error(`${benchmark.name} exited with ${code}; see ${benchmark.logFile}`);
        log(`${agent.name}: the capacity challenge failed (${benchmark.logFile}); trying once more`);
      }
    }
    for (const [i, op] of devnet.operators.entries()) {
      const cap = await devnet.client.readContract({
        address: deployment.contracts.OperatorStaking,
        abi: operatorStakingAbi,
        functionName: "capacityOf",
        args: [op.address],
      });
      log(`${p.agents[i].name}: attested ${(Number(cap.opsPerSec) / 1e9).toFixed(2)} GOPS`);
    }

    p.agents.forEach((_, i) => agents.push(agentService(i)));
    await Promise.all(agentUrls.map((u, i) => waitForHttp(`${u}/healthz`, agents[i], 120_000)));
    log(
      `${p.agents.length} agents running: ${p.agents.map((a) => a.name + (a.cheat ? ` (${a.cheat})` : "")).join(", ")}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    devnet,
    oracleUrls,
    agentUrls,
    oracles,
    agents,
    operators: devnet.operators,
    names,
    async startOracle(i, options = {}) {
      oracles[i] = oracleService(i);
      await waitForHttp(`${oracleUrls[i]}/healthz`, oracles[i], 120_000, options);
      return oracles[i];
    },
    async startAgent(i) {
      agents[i] = agentService(i);
      await waitForHttp(`${agentUrls[i]}/healthz`, agents[i], 120_000);
      return agents[i];
    },
    assertRunning() {
      for (const s of [...oracles, ...agents]) {
        if (s.exited()) throw new Error(`${s.name} stopped unexpectedly; see ${s.logFile}`);
      }
    },
    stop,
  };
}

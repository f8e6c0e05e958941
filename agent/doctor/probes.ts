import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import Dockerode from "dockerode";
import { createPublicClient, http, type PublicClient } from "viem";
import { computeTokenAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { detectGpus } from "../../sdk/gpu/detectGpus";
import { loadAccount, loadAgentDeployment } from "../agentContext";
import type { AgentConfig } from "../config";
import type { DoctorProbes } from "./checks";
import { readFundingInputs } from "./fundingEstimate";

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr.trim().split("\n").pop() || err.message)) : resolve(stdout.trim()),
    ),
  );
}

/** Whether host:port can be bound now; when not, whether an agent answers /healthz there. */
async function portState(host: string, port: number): Promise<"free" | "agent" | "taken"> {
  const free = await new Promise<boolean>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => (err.code === "EADDRINUSE" ? resolve(false) : reject(err)));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  if (free) return "free";
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/healthz`;
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
  return res?.ok ? "agent" : "taken";
}

/** The real machine and chain behind doctor's checks (agent/doctor/checks.ts). */
export function machineProbes(config: AgentConfig): DoctorProbes {
  const client: PublicClient = createPublicClient({
    transport: http(config.rpcUrl, { retryCount: 0, timeout: 10_000 }),
  });
  let address: `0x${string}` | undefined;
  const deployment = () => loadAgentDeployment(config);
  const needAddress = () => {
    if (!address) throw new Error("no operator key");
    return address;
  };
  const docker = new Dockerode();
  return {
    async openKey() {
      address = loadAccount(config).address;
      return address;
    },
    chainId: () => client.getChainId(),
    async deployment() {
      const d = deployment();
      const code = await client.getCode({ address: d.contracts.JobMarket });
      return {
        chainId: d.chainId,
        file: config.deploymentFile ? path.resolve(config.deploymentFile) : `deployments/${config.chainId}.json`,
        marketHasCode: code !== undefined && code !== "0x",
      };
    },
    ethBalance: () => client.getBalance({ address: needAddress() }),
    maxFeePerGas: async () => (await client.estimateFeesPerGas()).maxFeePerGas,
    rglBalance: () =>
      client.readContract({
        address: deployment().contracts.ComputeToken,
        abi: computeTokenAbi,
        functionName: "balanceOf",
        args: [needAddress()],
      }),
    collateralRatioBps: async () =>
      (await readFundingInputs(client, deployment().contracts.JobMarket)).collateralRatioBps,
    async operator() {
      const info = await client.readContract({
        address: deployment().contracts.OperatorStaking,
        abi: operatorStakingAbi,
        functionName: "operatorInfo",
        args: [needAddress()],
      });
      return {
        registered: info.registered,
        jailedUntil: BigInt(info.jailedUntil),
        selfStake: info.selfStake,
        locked: info.lockedStake,
      };
    },
    now: async () => (await client.getBlock()).timestamp,
    async dockerInfo() {
      const info = (await docker.info()) as { ServerVersion?: string; Runtimes?: Record<string, unknown> };
      return { version: info.ServerVersion ?? "?", runtimes: Object.keys(info.Runtimes ?? {}) };
    },
    gpus: () => detectGpus(),
    numpyVersion: () => run(config.pythonPath, ["-c", "import numpy; print(numpy.__version__)"]),
    async oracleHealth(url) {
      const res = await fetch(new URL("/healthz", url), { signal: AbortSignal.timeout(5000) });
      return { ok: res.ok, status: res.status };
    },
    port: () => portState(config.host, config.port),
  };
}

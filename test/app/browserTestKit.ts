// Helpers shared by the browser (Chromium + hardhat node) tests under test/app: the Chromium binary
// and flags, a child-process runner, a text poller for playwright-core locators, a transaction sender,
// and the setup they share (the app's build beside a Hardhat node with the protocol deployed, the
// oracle bonds, a 2-of-3 capacity record).
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import express from "express";
import type { Locator } from "playwright-core";
import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  stringToHex,
  toHex,
  type Address,
  type LocalAccount,
  type PublicClient,
} from "viem";
import { hardhat } from "viem/chains";
import { computeTokenAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { parseDeployment, type Deployment } from "../../sdk/contracts/parseDeployment";
import { startHardhatNode, type HardhatNode } from "../../scripts/lib/hardhatNode";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { rigelDomain } from "../../sdk/eip712/types";

/** The repository root; child processes started by `runLogged` run here. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The Chromium binary the browser tests drive (RIGEL_CHROMIUM overrides /usr/bin/chromium). */
export const CHROMIUM_PATH = process.env.RIGEL_CHROMIUM ?? "/usr/bin/chromium";

/** Headless Chromium flags: no sandbox, GPU, QUIC, first-run UI, background networking, updates or sync. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs `cmd args` in the repository root with `env` added, appending its output to `log`; rejects on a non-zero exit. */
export function runLogged(cmd: string, args: string[], env: Record<string, string>, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(log, "a");
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", out, out] });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}; see ${log}`)),
    );
  });
}

/** Polls a locator's text until it matches (playwright-core has no `expect`). */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = ((await locator.count()) > 0 ? await locator.first().textContent() : "") ?? "";
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${pattern}; last text: ${JSON.stringify(last)}`);
}

/** Sends one contract call from an account, waits for its receipt, asserts it succeeded and returns it. */
export type SendTx = (
  from: LocalAccount,
  address: Address,
  abi: readonly unknown[],
  functionName: string,
  args?: unknown[],
) => ReturnType<PublicClient["waitForTransactionReceipt"]>;

/** Makes a `SendTx` that signs over `rpcUrl` (hardhat chain) and waits for receipts with `pub`. */
export function txSender(rpcUrl: string, pub: PublicClient): SendTx {
  return async (from, address, abi, functionName, args = []) => {
    const wallet = createWalletClient({ account: from, chain: hardhat, transport: http(rpcUrl) });
    const hash = await wallet.writeContract({
      address,
      abi: abi as never,
      functionName: functionName as never,
      args: args as never,
    });
    const receipt = await pub.waitForTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
    return receipt;
  };
}

/** What the protocol helpers below act on: the chain, the deployment, the deployer and the oracle keys. */
export interface ProtocolHandle {
  pub: PublicClient;
  send: SendTx;
  deployment: Deployment;
  deployer: LocalAccount;
  oracles: LocalAccount[];
}

/** Funds each oracle with the committee's bond from the deployer and posts it. */
export async function bondOracleCommittee({ pub, send, deployment, deployer, oracles }: ProtocolHandle): Promise<void> {
  const committee = deployment.contracts.OracleCommittee;
  const rgl = deployment.contracts.ComputeToken;
  const bond = await pub.readContract({ address: committee, abi: oracleCommitteeAbi, functionName: "bondAmount" });
  for (const o of oracles) {
    await send(deployer, rgl, computeTokenAbi, "transfer", [o.address, bond]);
    await send(o, rgl, computeTokenAbi, "approve", [committee, bond]);
    await send(o, committee, oracleCommitteeAbi, "postBond");
  }
}

/**
 * Records `operator`'s capacity (24 GiB) signed by the first two oracles (a 2-of-3 quorum), valid
 * 7 days from the latest block (capacityValidity, PROTOCOL §6.5); `challengeTag` makes the challenge
 * id distinct when the same operator records again.
 */
export async function recordQuorumCapacity(
  { pub, send, deployment, deployer, oracles }: ProtocolHandle,
  operator: Address,
  { opsPerSec = 1_000_000_000_000n, gpuModel = "RTX 4090", challengeTag = "" } = {},
): Promise<void> {
  const domain = rigelDomain(deployment.chainId, deployment.contracts.OracleCommittee);
  const message = {
    operator,
    challengeId: keccak256(stringToHex(`capacity-${operator}${challengeTag}`)),
    opsPerSec,
    vramMiB: 24576,
    gpuModel: toHex(gpuModel, { size: 32 }),
    validUntil: (await pub.getBlock()).timestamp + 7n * 86_400n,
  };
  const sigs = await Promise.all(
    oracles
      .slice(0, 2)
      .map(async (o) => ({ signer: o.address, signature: await signCapacityAttestation(o, domain, message) })),
  );
  await send(deployer, deployment.contracts.OperatorStaking, operatorStakingAbi, "recordCapacity", [
    message,
    sortSignaturesBySigner(sigs),
  ]);
}

/** What {@link startDappTestChain} started. */
export interface DappTestChain {
  node: HardhatNode;
  deployment: Deployment;
  pub: PublicClient;
  send: SendTx;
  /** The app's build into `dist`, still running: await it before opening the page. */
  build: Promise<void>;
  /** The log file of the build and the deploy. */
  log: string;
  /** The deployment record `scripts/deploy.ts` wrote. */
  deploymentFile: string;
}

/**
 * The browser tests' common start: the app built into `dist` in the background (its own folder, so
 * builds of different tests never race), a Hardhat node on `port`, and the protocol deployed on it
 * with `oracleSigners` as the committee (`scripts/deploy.ts`); logs and the deployment record in `work`.
 */
export async function startDappTestChain(p: {
  work: string;
  dist: string;
  port: number;
  oracleSigners: readonly Address[];
  /** Extra environment of the app's build (VITE_… settings). */
  buildEnv?: Record<string, string>;
}): Promise<DappTestChain> {
  fs.mkdirSync(p.work, { recursive: true });
  const log = path.join(p.work, "e2e.log");
  fs.writeFileSync(log, "");
  const build = runLogged(
    path.join(REPO_ROOT, "node_modules", ".bin", "vite"),
    ["build", "--config", "app/vite.config.mts", "--logLevel", "warn", "--outDir", p.dist],
    p.buildEnv ?? {},
    log,
  );
  const rpc = `http://127.0.0.1:${p.port}`;
  const node = await startHardhatNode({ port: p.port, logFile: path.join(p.work, "hardhat-node.log") });
  const deploymentFile = path.join(p.work, "deployment.json");
  await runLogged(
    path.join(REPO_ROOT, "node_modules", ".bin", "hardhat"),
    ["run", "scripts/deploy.ts", "--network", "localhost"],
    {
      RIGEL_LOCALHOST_URL: rpc,
      RIGEL_DEPLOYMENT_FILE: deploymentFile,
      RIGEL_ORACLE_SIGNERS: p.oracleSigners.join(","),
    },
    log,
  );
  const deployment = parseDeployment(JSON.parse(fs.readFileSync(deploymentFile, "utf8")));
  const pub = createPublicClient({ chain: hardhat, transport: http(rpc) }) as PublicClient;
  return { node, deployment, pub, send: txSender(rpc, pub), build, log, deploymentFile };
}

/**
 * Serves the built app from `dist` on 127.0.0.1:`port`, with `/rigel.json` answering `rigelJson`
 * (the page's config: `rpcUrl`, `deployment` and whatever the test sets, e.g. `oracleUrls`).
 */
export async function serveDapp(dist: string, port: number, rigelJson: Record<string, unknown>): Promise<Server> {
  const app = express();
  app.get("/rigel.json", (_req, res) => {
    res.json(rigelJson);
  });
  app.use(express.static(dist));
  return new Promise<Server>((resolve) => {
    const s = app.listen(port, "127.0.0.1", () => resolve(s));
  });
}

// Liveness in the page (PROTOCOL §12.6, §16.3, §16.6), in headless Chromium against a real `hardhat
// node`, a real oracle (OracleNode over HTTP) and one real agent: of two registered operators with
// valid capacity, one runs its agent (which sends heartbeats to the oracle) and the other never
// starts. The page reads the oracle's heartbeats (rigel.json `oracleUrls`), plans the job on the
// running operator only and says why the other is left out; a job assigned to the offline operator
// shows, in the job list, who it waits for and when it reopens to others. Ports 9341-9344.
// Screenshots: test-artifacts/app/plan-offline-operator.png, job-waiting-offline-operator.png.
import { expect } from "chai";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { createWalletClient, http, type Address, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { AgentChain } from "../../agent/chain/agentChain";
import { AgentDaemon } from "../../agent/daemon/agentDaemon";
import { OracleNode } from "../../oracle/oracleNode";
import type { HardhatNode } from "../../scripts/lib/hardhatNode";
import { computeTokenAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/parseDeployment";
import { createLogger } from "../../sdk/log/createLogger";
import { validateHeartbeatsResponse } from "../../sdk/liveness/validateHeartbeat";
import { createJob } from "../../sdk/market/createJob";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { committeeDouble, hardhatAccount, tempDataDir } from "../../fixtures/agentHarness";
import {
  bondOracleCommittee,
  CHROMIUM_FLAGS,
  CHROMIUM_PATH,
  recordQuorumCapacity,
  waitForText,
  type SendTx,
  serveDapp,
  startDappTestChain,
} from "./browserTestKit";
import { installTestWallet } from "./testWallet";

const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "app");
const WORK = path.join(ROOT, "test-artifacts", "app-liveness");
const DIST = path.join(WORK, "dist");
const NODE_PORT = 9341;
const APP_PORT = 9342;
const AGENT_PORT = 9343;
const ORACLE_PORT = 9344;
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const APP = `http://127.0.0.1:${APP_PORT}/`;
const ORACLE = `http://127.0.0.1:${ORACLE_PORT}`;
const E18 = 10n ** 18n;

const deployer = hardhatAccount(0);
const developer = hardhatAccount(2);
const oracles = [12, 13, 14].map(hardhatAccount);
const running = hardhatAccount(5);
const neverStarted = hardhatAccount(6);

describe("dapp: operators the oracles do not hear from are left out of the plan, with the reason", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let oracle: OracleNode | undefined;
  let daemon: AgentDaemon | undefined;
  let deployment: Deployment;
  let pub: PublicClient;
  const logs: string[] = [];

  let send: SendTx;
  const rgl = () => deployment.contracts.ComputeToken;

  const protocol = () => ({ pub, send, deployment, deployer, oracles });
  const recordCapacity = (op: Address) => recordQuorumCapacity(protocol(), op);

  before(async function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      console.log(`    skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const dapp = await startDappTestChain({
      work: WORK,
      dist: DIST,
      port: NODE_PORT,
      oracleSigners: oracles.map((o) => o.address),
    });
    ({ node, deployment, pub, send } = dapp);
    const { build, deploymentFile } = dapp;
    await bondOracleCommittee(protocol());
    for (const account of [running, neverStarted]) {
      await send(deployer, rgl(), computeTokenAbi, "transfer", [account.address, 10_000n * E18]);
      await send(account, deployment.contracts.OperatorStaking, operatorStakingAbi, "register", [
        `http://127.0.0.1:${AGENT_PORT}/`,
        1000,
      ]);
      await send(account, rgl(), computeTokenAbi, "approve", [deployment.contracts.OperatorStaking, 10_000n * E18]);
      await send(account, deployment.contracts.OperatorStaking, operatorStakingAbi, "stake", [10_000n * E18]);
      await recordCapacity(account.address);
    }
    await send(deployer, rgl(), computeTokenAbi, "transfer", [developer.address, 1_000n * E18]);

    const logger = (name: string) =>
      createLogger({ name, level: "debug", destination: { write: (line: string) => void logs.push(line) } });
    // A real oracle node: the heartbeats' receiver and the page's source of liveness.
    oracle = new OracleNode({
      account: oracles[0]!,
      publicClient: pub,
      chainId: deployment.chainId,
      market: deployment.contracts.JobMarket,
      committee: deployment.contracts.OracleCommittee,
      logger: logger("oracle"),
      dataDir: tempDataDir("app-liveness-oracle"),
      host: "127.0.0.1",
      port: ORACLE_PORT,
      peers: [],
      relay: false,
      relayValid: false,
      startBlock: 0n,
      revealWindowSec: 600,
      bodyLimit: "1mb",
      ratePerMinute: 1000,
    });
    await oracle.init();
    // The running operator's agent, beating every second; the other operator's is never started.
    const chain = new AgentChain({ transport: http(RPC), account: running, deployment });
    daemon = new AgentDaemon({
      logger: logger("agent"),
      chain,
      oracle: committeeDouble(chain),
      dataDir: tempDataDir("app-liveness-agent"),
      port: AGENT_PORT,
      device: "cpu",
      claimIntervalSec: 0,
      submitMarginSec: 5,
      retrySec: 0,
      detectGpus: async () => [],
      // Matmul is not taken: the agent stays up and beating, and the job below stays Open.
      policy: { kinds: ["container"], minPricePerUnit: 0n, paymentTokens: [], maxShardsPerGpu: 1, cpuSlots: 1 },
      heartbeats: { oracleUrls: [ORACLE], intervalMs: 1000, agentVersion: "e2e" },
    });
    await daemon.init();

    await build;
    server = await serveDapp(DIST, APP_PORT, {
      rpcUrl: RPC,
      oracleUrls: [ORACLE],
      deployment: JSON.parse(fs.readFileSync(deploymentFile, "utf8")),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  });

  after(async function () {
    this.timeout(60_000);
    fs.mkdirSync(WORK, { recursive: true });
    fs.writeFileSync(path.join(WORK, "services.log"), logs.join(""));
    await daemon?.shutdown().catch(() => undefined);
    await oracle?.shutdown().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await node?.stop();
  });

  it("plans on the running operator only, says the other was never seen, and a job assigned to it says why it waits", async () => {
    // The oracle has the running agent's heartbeat, and none of the other operator.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { operators } = validateHeartbeatsResponse(await (await fetch(`${ORACLE}/v1/heartbeats`)).json());
      if (operators[running.address]) {
        expect(operators[neverStarted.address]).to.equal(undefined);
        break;
      }
      if (Date.now() > deadline) throw new Error("no heartbeat reached the oracle");
      await new Promise((r) => setTimeout(r, 250));
    }

    context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    await installTestWallet(context, developer, RPC, deployment.chainId);
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`[page] ${err.message}`));
    await page.goto(`${APP}#/developer`);
    await page.getByTestId("connect").click();
    await waitForText(page.getByTestId("connected-address"), /0x/);

    await page.getByTestId("job-m").fill("64");
    await page.getByTestId("job-price").fill("2");
    await page.getByTestId("plan-budget").fill("100");
    // One shard, on the running operator (0x9965…A4dc); the never-started one (0x976E…0aa9) left out.
    await waitForText(page.getByTestId("plan-shard-0"), /0x9965…A4dc.*64 \[0, 64\).*100\.0%/i);
    expect(await page.getByTestId("plan-shard-1").count()).to.equal(0);
    await waitForText(
      page.getByTestId("plan-offline"),
      /^Left out as offline \(1\): 0x976E…0aa9: never seen by the oracles$/i,
    );
    await waitForText(
      page.getByTestId(`plan-decision-${neverStarted.address.toLowerCase()}`),
      /0x976E…0aa9 left out \(offline\): never seen by the oracles/i,
    );
    await page.getByTestId("plan-offline").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "plan-offline-operator.png"), fullPage: true });

    // A job whose one shard is assigned to the operator that never started (created outside the page).
    const wallet = createWalletClient({ account: developer, chain: hardhat, transport: http(RPC) });
    const now = (await pub.getBlock()).timestamp;
    const { jobId, receipt } = await createJob(
      { publicClient: pub, walletClient: wallet },
      {
        market: deployment.contracts.JobMarket,
        spec: parseJobSpec({ kind: "matmul-int8", seed: `0x${"5a".repeat(32)}`, m: 16, n: 64, k: 64 }),
        shardOperators: [neverStarted.address],
        paymentToken: rgl(),
        maxPricePerUnit: E18,
        deadline: now + 86_400n,
      },
    );
    const row = page.getByTestId(`shard-${jobId}-0`);
    await waitForText(row.getByTestId("shard-operator-liveness"), /offline/);
    // The reopen time is the job's creation + 10 min (this branch's market has no assignmentsReopenAt).
    const createdAt = (await pub.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    const reopens = new Date(Number(createdAt + 600n) * 1000).toISOString().slice(11, 16);
    await waitForText(
      row.getByTestId("shard-wait-reason"),
      new RegExp(`^assigned operator 0x976E…0aa9 never seen by the oracles — reopens to others at ${reopens}$`),
    );
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "job-waiting-offline-operator.png"), fullPage: true });
  });
});

// The Operator and Rewards pages (PROTOCOL §16.8), in headless Chromium against a real `hardhat
// node`, a real oracle (OracleNode over HTTP) and one real agent. Operator page: the running agent's
// heartbeats show it online with its GPU; once the agent stops it shows offline (rigel.json
// livenessWindowSec 3 s: the test waits for the state, not a sleep). Rewards page: after both
// operators' capacity records earn an epoch's availability share and the epoch is settled, the yield
// over the chosen window and the calculator match a computation from chain reads. Ports 9361-9364.
// Slashed operator: the never-started operator accepts a shard and lets its deadline pass; `expire`
// slashes it (no-show) and its Operator page explains the slash from the events.
// Screenshots: test-artifacts/app/operator-online.png, operator-offline.png, rewards-yield.png,
// operator-slashed.png.
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
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, rewardsDistributorAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/parseDeployment";
import { createLogger } from "../../sdk/log/createLogger";
import { validateHeartbeatsResponse } from "../../sdk/liveness/validateHeartbeat";
import { createJob } from "../../sdk/market/createJob";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { committeeDouble, hardhatAccount, tempDataDir } from "../../fixtures/agentHarness";
import { formatBps, formatToken } from "../../app/src/lib/format";
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
const WORK = path.join(ROOT, "test-artifacts", "app-operator-pages");
const DIST = path.join(WORK, "dist");
const NODE_PORT = 9361;
const APP_PORT = 9362;
const AGENT_PORT = 9363;
const ORACLE_PORT = 9364;
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const APP = `http://127.0.0.1:${APP_PORT}/`;
const ORACLE = `http://127.0.0.1:${ORACLE_PORT}`;
const E18 = 10n ** 18n;
const YEAR = 365n * 86_400n;

const deployer = hardhatAccount(0);
const developer = hardhatAccount(2);
const oracles = [12, 13, 14].map(hardhatAccount);
const running = hardhatAccount(5);
const neverStarted = hardhatAccount(6);

describe("dapp: the Operator page shows the node live and offline; the Rewards page's yield window and calculator", function () {
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
  const recordCapacity = (op: Address, tag = "") => recordQuorumCapacity(protocol(), op, { challengeTag: tag });

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
      dataDir: tempDataDir("app-operator-pages-oracle"),
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
      dataDir: tempDataDir("app-operator-pages-agent"),
      port: AGENT_PORT,
      device: "cpu",
      claimIntervalSec: 0,
      submitMarginSec: 5,
      retrySec: 0,
      detectGpus: async () => [{ model: "RTX 4090", vramMiB: 24576, driver: "550", uuid: "GPU-e2e" }],
      // Matmul is not taken: the agent stays up and beating, and the job below stays Open.
      policy: { kinds: ["container"], minPricePerUnit: 0n, paymentTokens: [], maxShardsPerGpu: 1, cpuSlots: 1 },
      heartbeats: { oracleUrls: [ORACLE], intervalMs: 1000, agentVersion: "e2e" },
    });
    await daemon.init();

    await build;
    server = await serveDapp(DIST, APP_PORT, {
      rpcUrl: RPC,
      oracleUrls: [ORACLE],
      livenessWindowSec: 3,
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

  it("shows the running operator online with its GPU, then offline once its agent stops", async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { operators } = validateHeartbeatsResponse(await (await fetch(`${ORACLE}/v1/heartbeats`)).json());
      if (operators[running.address]) break;
      if (Date.now() > deadline) throw new Error("no heartbeat reached the oracle");
      await new Promise((r) => setTimeout(r, 250));
    }
    context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    await installTestWallet(context, running, RPC, deployment.chainId);
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`[page] ${err.message}`));
    await page.goto(`${APP}#/operator`);
    await page.getByTestId("connect").click();
    await waitForText(page.getByTestId("connected-address"), /0x/);

    await waitForText(page.getByTestId("live-status"), /^online$/);
    await waitForText(page.getByTestId("live-gpus"), /RTX 4090.*24 GiB/);
    await waitForText(page.getByTestId("live-in-flight"), /^Shards in flight: none$/);
    await waitForText(page.getByTestId("live-failures"), /Recent failures: none/);
    await waitForText(page.getByTestId("delegators-none"), /No delegators/);
    await waitForText(page.getByTestId("slashes-none"), /Never slashed/);
    // The chart draws once its history is read: wait for a second tick rather than count at once
    // (the count raced the chart's read on a busy machine: "expected 0 to be above 1").
    await page.getByTestId("earnings-chart").getByTestId("y-tick").nth(1).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("earnings-chart").getByTestId("y-tick").count()).to.be.greaterThan(1);
    await page.screenshot({ path: path.join(ARTIFACTS, "operator-online.png"), fullPage: true });

    // The agent stops: no more heartbeats; after the 3 s window the page says offline, with when it was last seen.
    await daemon!.shutdown();
    daemon = undefined;
    await waitForText(page.getByTestId("live-status"), /^offline$/, 60_000);
    await waitForText(page.getByTestId("live-last-seen"), /^last heartbeat \d+ s ago/);
    await page.screenshot({ path: path.join(ARTIFACTS, "operator-offline.png"), fullPage: true });
    await page.close();
  });

  it("prints the yield over the chosen window and a calculator that match the chain's settled epochs", async function () {
    // One retry, kept while the epoch alignment above is new: the settled epoch used to pay no
    // availability reward in some runs (rewardSum 0).
    this.retries(1);
    const rewards = deployment.contracts.RewardsDistributor;
    const schedule = await pub.readContract({ address: rewards, abi: rewardsDistributorAbi, functionName: "schedule" });
    // To the first second of the next epoch (not "+ one epoch length", which from late in an epoch
    // left the capacity record to the next epoch's last seconds, and sometimes past its end).
    const nextEpoch = async () => {
      const now = (await pub.getBlock()).timestamp;
      const next = schedule.genesis + ((now - schedule.genesis) / schedule.epochLength + 1n) * schedule.epochLength;
      await pub.request({ method: "evm_setNextBlockTimestamp" as never, params: [Number(next) + 1] as never });
      await pub.request({ method: "evm_mine" as never, params: [] as never });
    };
    // Stake added during an epoch does not count in it (§6.8): in the next epoch, with the stake there
    // all along, both operators prove capacity again (the availability share), then that epoch ends
    // and is settled for both.
    await nextEpoch();
    for (const op of [running, neverStarted]) await recordCapacity(op.address, "-window");
    await nextEpoch();
    for (const op of [running, neverStarted])
      await send(deployer, rewards, rewardsDistributorAbi, "settleOperator", [op.address]);
    const current = await pub.readContract({
      address: rewards,
      abi: rewardsDistributorAbi,
      functionName: "currentEpoch",
    });
    const settled = await pub.getContractEvents({
      address: rewards,
      abi: rewardsDistributorAbi,
      eventName: "EpochSettled",
      args: { operator: running.address },
      fromBlock: deployment.block,
    });
    const stats = await pub.readContract({
      address: rewards,
      abi: rewardsDistributorAbi,
      functionName: "operatorStats",
      args: [running.address],
    });
    // The window "last 24 epochs": epochs max(0, c − 24) … c − 1.
    const n = current > 24n ? 24n : current;
    const inWindow = settled.filter((e) => e.args.epoch! >= current - n && e.args.epoch! < current);
    const rewardSum = inWindow.reduce((s, e) => s + e.args.reward!, 0n);
    const afterCommission = inWindow.reduce((s, e) => s + e.args.reward! - e.args.commission!, 0n);
    expect(rewardSum > 0n, "the settled epoch paid an availability reward").to.equal(true);
    const stake = stats.selfStake + stats.delegatedStake;
    const operatorYield = (rewardSum * YEAR * 10_000n) / (n * schedule.epochLength * stake);
    const delegatorYield = (afterCommission * YEAR * 10_000n) / (n * schedule.epochLength * stake);
    const amount = 100n * E18;
    const perEpoch = (afterCommission * amount) / (n * (stake + amount));

    const page = await context!.newPage();
    await page.goto(`${APP}#/rewards`);
    await page.getByTestId("yield-window-select").selectOption("24");
    const row = page.getByTestId(`operator-row-${running.address.toLowerCase()}`);
    await waitForText(row.getByTestId("window-rewards"), new RegExp(`^${escapeRegExp(formatToken(rewardSum))}$`));
    await waitForText(
      row.getByTestId("operator-yield"),
      new RegExp(`^${escapeRegExp(formatBps(operatorYield))} / yr$`),
    );
    await waitForText(
      row.getByTestId("delegator-yield"),
      new RegExp(`^${escapeRegExp(formatBps(delegatorYield))} / yr$`),
    );
    await waitForText(page.getByTestId("yield-formula"), /Σ reward over the window ÷ N epochs/);
    await waitForText(
      page.getByTestId("yield-window-epochs"),
      new RegExp(`epochs ${(current - n).toString()}–${(current - 1n).toString()}`),
    );

    await page.getByTestId("calc-operator").selectOption(running.address);
    await page.getByTestId("calc-window").selectOption("24");
    await page.getByTestId("calc-amount").fill("100");
    await waitForText(page.getByTestId("calc-per-epoch"), new RegExp(`^${escapeRegExp(formatToken(perEpoch))}$`));
    await waitForText(page.getByTestId("calc-assumptions"), /joins its stake/);
    // The emission chart: axes with ticks, and every epoch on "all epochs".
    await page.getByTestId("emission-range").selectOption("all");
    await waitForText(page.getByTestId("emission-chart").locator("figcaption"), /schedule/);
    await page.getByTestId("emission-chart").getByTestId("y-tick").nth(1).waitFor({ timeout: 60_000 });
    await page.getByTestId("emission-chart").getByTestId("x-tick").nth(1).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("emission-chart").getByTestId("y-tick").count()).to.be.greaterThan(1);
    expect(await page.getByTestId("emission-chart").getByTestId("x-tick").count()).to.be.greaterThan(1);
    await page.getByTestId("yield-window").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, "rewards-yield.png"), fullPage: true });
  });
  it("explains a slash on the slashed operator's page: which shard, what was found, how much, the transaction", async () => {
    await send(deployer, rgl(), computeTokenAbi, "transfer", [developer.address, 1_000n * E18]);
    const wallet = createWalletClient({ account: developer, chain: hardhat, transport: http(RPC) });
    const now = (await pub.getBlock()).timestamp;
    const { jobId } = await createJob(
      { publicClient: pub, walletClient: wallet },
      {
        market: deployment.contracts.JobMarket,
        spec: parseJobSpec({ kind: "matmul-int8", seed: `0x${"6b".repeat(32)}`, m: 16, n: 64, k: 64 }),
        shardOperators: [neverStarted.address],
        paymentToken: rgl(),
        maxPricePerUnit: E18,
        deadline: now + 86_400n,
      },
    );
    // The operator accepts (collateral locked) and never submits; past the deadline anyone expires it.
    await send(neverStarted, deployment.contracts.JobMarket, jobMarketAbi, "accept", [jobId, 0]);
    await pub.request({ method: "evm_increaseTime" as never, params: [86_401] as never });
    await pub.request({ method: "evm_mine" as never, params: [] as never });
    await send(deployer, deployment.contracts.JobMarket, jobMarketAbi, "expire", [jobId, 0]);
    const [slash] = await pub.getContractEvents({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      eventName: "Slashed",
      args: { operator: neverStarted.address },
      fromBlock: deployment.block,
    });
    expect(slash, "expire slashed the no-show").to.not.equal(undefined);
    const total = slash!.args.fromSelf! + slash!.args.fromPool!;
    expect(total > 0n).to.equal(true);

    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      await installTestWallet(ctx, neverStarted, RPC, deployment.chainId);
      const page = await ctx.newPage();
      await page.goto(`${APP}#/operator`);
      await page.getByTestId("connect").click();
      await waitForText(page.getByTestId("connected-address"), /0x/);
      const item = page.getByTestId("slash");
      await waitForText(
        item,
        new RegExp(
          `job #${jobId} shard 0: no-show: the shard was accepted but no result was submitted before its deadline\\. ` +
            `Slashed ${escapeRegExp(formatToken(total))} \\(${escapeRegExp(formatToken(slash!.args.fromSelf!))} of your stake`,
        ),
      );
      await waitForText(item, new RegExp(`${escapeRegExp(formatToken(slash!.args.burned!))} burned`));
      await waitForText(item.getByTestId("slash-tx"), new RegExp(`^${slash!.transactionHash}$`));
      if (slash!.args.jailedUntil! > 0n) await waitForText(item, /Jailed until/);
      await item.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(ARTIFACTS, "operator-slashed.png"), fullPage: true });
    } finally {
      await ctx.close();
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

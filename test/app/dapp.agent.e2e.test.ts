// End to end with real agents: the built dapp in headless Chromium plans a job over two operators of
// different attested speeds (the sdk planner), creates it with their uneven ranges and shard
// assignments, two in-process AgentDaemons (the real agent, over HTTP to a real `hardhat node`)
// compute, submit, prove and settle it, and the page downloads a settled shard's results manifest
// with a wallet-signed request: its root is the one committed on-chain and the agent's files
// recompute to it. Ports 9301-9304 (the other dapp e2e test uses 8681/8682). Screenshots go to
// test-artifacts/app-agent/.
import { committedRoot, operatorEndpoints, resultURIOf } from "../../sdk/market/claimedShards";
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { http, type Address, type PublicClient } from "viem";
import { AgentChain } from "../../agent/chain/agentChain";
import { AgentDaemon } from "../../agent/daemon/agentDaemon";
import type { HardhatNode } from "../../scripts/lib/hardhatNode";
import { downloadShardResults } from "../../sdk/agentApi/results";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/parseDeployment";
import { createLogger } from "../../sdk/log/createLogger";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
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
const ARTIFACTS = path.join(ROOT, "test-artifacts", "app-agent");
const DIST = path.join(ARTIFACTS, "dist");
const NODE_PORT = 9301;
const APP_PORT = 9302;
const AGENT_PORTS = [9303, 9304];
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const APP = `http://127.0.0.1:${APP_PORT}/`;
const E18 = 10n ** 18n;
const SETTLED = 3;

const deployer = hardhatAccount(0);
const developer = hardhatAccount(2);
// The committee double (fixtures/agentHarness.ts) signs with accounts 12 and 13 of 12-14.
const oracles = [12, 13, 14].map(hardhatAccount);
// The fast operator (3 Tops/s) and the slow one (1 Tops/s): the planner splits 3:1.
const operators = [
  { account: hardhatAccount(5), opsPerSec: 3_000_000_000_000n },
  { account: hardhatAccount(6), opsPerSec: 1_000_000_000_000n },
];

describe("dapp end to end with real agents: planned job, uneven split, signed result download", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let deployment: Deployment;
  let pub: PublicClient;
  const daemons: AgentDaemon[] = [];
  const agentLogs: string[] = [];

  let send: SendTx;
  const rgl = () => deployment.contracts.ComputeToken;
  const balance = (who: Address) =>
    pub.readContract({ address: rgl(), abi: computeTokenAbi, functionName: "balanceOf", args: [who] });
  const escrowed = () =>
    pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "escrowOf",
      args: [rgl()],
    });
  const shard = (jobId: bigint, index: number) =>
    pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "getShard",
      args: [jobId, index],
    });
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** A capacity record for `op`, signed by two committee members (sorted by signer). */
  const protocol = () => ({ pub, send, deployment, deployer, oracles });
  const recordCapacity = (op: Address, opsPerSec: bigint) => recordQuorumCapacity(protocol(), op, { opsPerSec });

  before(async function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      console.log(`    skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    this.timeout(600_000);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const dapp = await startDappTestChain({
      work: ARTIFACTS,
      dist: DIST,
      port: NODE_PORT,
      oracleSigners: oracles.map((o) => o.address),
    });
    ({ node, deployment, pub, send } = dapp);
    const { build, deploymentFile } = dapp;

    await bondOracleCommittee(protocol());
    for (const [i, { account, opsPerSec }] of operators.entries()) {
      await send(deployer, rgl(), computeTokenAbi, "transfer", [account.address, 10_000n * E18]);
      await send(account, deployment.contracts.OperatorStaking, operatorStakingAbi, "register", [
        `http://127.0.0.1:${AGENT_PORTS[i]}/`,
        1000,
      ]);
      await send(account, rgl(), computeTokenAbi, "approve", [deployment.contracts.OperatorStaking, 10_000n * E18]);
      await send(account, deployment.contracts.OperatorStaking, operatorStakingAbi, "stake", [10_000n * E18]);
      await recordCapacity(account.address, opsPerSec);
    }
    await send(deployer, rgl(), computeTokenAbi, "transfer", [developer.address, 1_000n * E18]);

    // The real agent, one per operator, on the CPU matmul kernel; the committee is the sdk-verifying double.
    for (const [i, { account }] of operators.entries()) {
      const chain = new AgentChain({ transport: http(RPC), account, deployment });
      const daemon = new AgentDaemon({
        logger: createLogger({
          name: `agent-${i}`,
          level: "debug",
          destination: { write: (line: string) => void agentLogs.push(line) },
        }),
        chain,
        oracle: committeeDouble(chain),
        dataDir: tempDataDir(`app-e2e-${i}`),
        port: AGENT_PORTS[i],
        device: "cpu",
        claimIntervalSec: 0,
        submitMarginSec: 5,
        retrySec: 0,
        detectGpus: async () => [],
        policy: {
          kinds: ["matmul-int8"],
          minPricePerUnit: 0n,
          paymentTokens: [],
          maxShardsPerGpu: 1,
          cpuSlots: 2,
        },
      });
      await daemon.init();
      daemons.push(daemon);
    }

    await build;
    server = await serveDapp(DIST, APP_PORT, {
      rpcUrl: RPC,
      deployment: JSON.parse(fs.readFileSync(deploymentFile, "utf8")),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  });

  after(async function () {
    this.timeout(60_000);
    // Also when skipped (no Chromium): the folder may not exist yet.
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, "agents.log"), agentLogs.join(""));
    for (const d of daemons) await d.shutdown().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await node?.stop();
  });

  it("plans over two operators, creates the uneven job, the agents settle it, and the page downloads a shard", async () => {
    context = await browser!.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    await installTestWallet(context, developer, RPC, deployment.chainId);
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`[page] ${err.message}`));
    await page.goto(`${APP}#/developer`);
    await page.getByTestId("connect").click();
    await waitForText(page.getByTestId("connected-address"), /0x/);

    // 64 rows of 256×256; fastest within 100 RGL, at most 8 shards: the 3:1 operators get 48 and 16 rows.
    await page.getByTestId("job-m").fill("64");
    await page.getByTestId("job-price").fill("2");
    await page.getByTestId("plan-budget").fill("100");
    await waitForText(page.getByTestId("plan-shard-0"), /0x9965…A4dc.*48 \[0, 48\).*75\.0%/i);
    await waitForText(page.getByTestId("plan-shard-1"), /0x976E…0aa9.*16 \[48, 64\).*25\.0%/i);
    // 48·256·256 multiply-adds < 10^9: one unit a shard at 2 RGL; escrow 2 × 1 × 2 RGL.
    await waitForText(page.getByTestId("plan-cost"), /^4 RGL$/);
    await waitForText(page.getByTestId("plan-makespan"), /^under 1s$/);
    await waitForText(page.getByTestId("job-escrow"), /^4 RGL$/);
    await waitForText(
      page.getByTestId("plan-decisions"),
      /0x9965…A4dc taken: shard 0, 48 rows \(75\.0%\), under 1s, 2 RGL/i,
    );
    await shot(page, "developer-planned");

    // An infeasible budget: the planner's error, and nothing can be created.
    await page.getByTestId("plan-budget").fill("1");
    await waitForText(
      page.getByTestId("plan-error"),
      /^The budget is too small: 1 RGL does not cover the plan once rounded to whole items and units \(4 RGL\)\.$/,
    );
    expect(await page.getByTestId("create-job").isDisabled()).to.equal(true);
    await shot(page, "developer-plan-infeasible");
    await page.getByTestId("plan-budget").fill("100");
    await waitForText(page.getByTestId("plan-cost"), /^4 RGL$/);

    const devBefore = await balance(developer.address);
    const opsBefore = await Promise.all(operators.map((o) => balance(o.account.address)));
    await page.getByTestId("create-job").click();
    await waitForText(page.locator("form [data-testid=tx-status]"), /Create job: confirmed/);
    expect(await balance(developer.address)).to.equal(devBefore - 4n * E18);
    expect(await escrowed()).to.equal(4n * E18);

    // On-chain: two shards assigned to the planned operators; the spec's split is what the chain hashed.
    const jobId = 1n;
    const job = await pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "getJob",
      args: [jobId],
    });
    expect(job.shards).to.equal(2);
    expect(job.maxUnitsPerShard).to.equal(1n);
    const created = await pub.getContractEvents({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "JobCreated",
      args: { jobId },
      fromBlock: deployment.block,
    });
    const { spec } = await fetchJobSpec(created[0].args.specURI!, created[0].args.specHash!);
    expect(spec.kind === "matmul-int8" && spec.split).to.deep.equal([48, 16]);
    for (const [i, o] of operators.entries()) {
      expect(
        await pub.readContract({
          address: deployment.contracts.JobMarket,
          abi: jobMarketAbi,
          functionName: "assignedOperator",
          args: [jobId, i],
        }),
      ).to.equal(o.account.address);
    }

    // The agents take their own shard each, compute, submit, prove and settle.
    const settling = Date.now();
    for (let pass = 0; ; pass++) {
      for (const d of daemons) await d.tick();
      for (const d of daemons) await d.idle();
      const states = await Promise.all([0, 1].map(async (i) => (await shard(jobId, i)).state));
      if (states.every((s) => s === SETTLED)) break;
      if (pass >= 200 && Date.now() - settling > 180_000) throw new Error(`shards not settled: ${states.join(",")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Each shard: 1 unit × 2 RGL, 2.5% fee; the escrow was exactly the pay, nothing refunded. The
    // pay is credited to the operator in the market (pull payments); the wallet moves on withdraw.
    for (const [i, o] of operators.entries()) {
      const s = await shard(jobId, i);
      expect(s.operator).to.equal(o.account.address);
      expect(s.units).to.equal(1n);
      const credited = await pub.readContract({
        address: deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        functionName: "owedOf",
        args: [rgl(), o.account.address],
      });
      const withdrawnSince = (await balance(o.account.address)) - opsBefore[i];
      expect(credited + withdrawnSince).to.equal(2n * E18 - (2n * E18 * 250n) / 10_000n);
    }
    expect(await balance(developer.address)).to.equal(devBefore - 4n * E18);
    expect(await escrowed()).to.equal(0n);
    const row = page.getByTestId("shard-1-0");
    await waitForText(row.getByTestId("shard-state"), /^Settled$/);
    await waitForText(page.getByTestId("shard-1-1").getByTestId("shard-state"), /^Settled$/);
    await shot(page, "developer-settled-by-agents");

    // The page's download: the wallet signs the request, the agent (another origin: CORS) answers
    // the manifest, whose root is the committed one.
    const settled = await shard(jobId, 0);
    // The result URI is emitted at submit, not stored (PROTOCOL §9.2).
    const [submitted] = await pub.getContractEvents({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "ShardSubmitted",
      args: { jobId, shard: 0 },
      fromBlock: deployment.block,
    });
    // A claimed shard (§20.10) emits no URI: its operator's registered endpoint serves it.
    const resultURI = await resultURIOf(
      { resultURI: submitted.args.resultURI!, operator: submitted.args.operator! },
      jobId,
      0,
      operatorEndpoints(pub, deployment.contracts.OperatorStaking),
    );
    expect(resultURI).to.equal(`http://127.0.0.1:${AGENT_PORTS[0]}/v1/results/1/0`);
    // The page downloads the files themselves and checks them in the browser (PROTOCOL §16.6).
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-1-0").click()]);
    await waitForText(
      page.getByTestId("result-status-1-0"),
      /^1 file \(49152 bytes\) verified against the committed root, from the operator's agent$/,
    );
    await shot(page, "result-verified");
    expect(download.suggestedFilename()).to.equal("job-1-shard-0.tar");
    const saved = path.join(ARTIFACTS, "job-1-shard-0.tar");
    await download.saveAs(saved);
    const untarred = tempDataDir("app-e2e-untar");
    execFileSync("tar", ["-xf", saved], { cwd: untarred });
    // The files the agent serves recompute to that root, and are the ones the page saved.
    const out = tempDataDir("app-e2e-download");
    const root = committedRoot(settled.resultRoot, submitted.args.resultRoot);
    const got = await downloadShardResults(resultURI, developer, out, { expectedRoot: root });
    expect(got.root).to.equal(root);
    expect(got.manifest).to.include({
      jobId: "1",
      shard: 0,
      commitment: "matmul-rows",
      rowStart: 0,
      rowEnd: 48,
      n: 256,
    });
    expect(fs.readFileSync(path.join(untarred, "c.bin"))).to.deep.equal(fs.readFileSync(path.join(out, "c.bin")));
    await shot(page, "developer-downloaded");
  });
});

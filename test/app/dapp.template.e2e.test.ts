// End to end from a template, with real agents and Docker: the built dapp in headless Chromium
// chooses the "batch container job over items" template (sdk/spec/templates), which fills the form;
// GPU models filter the plan with the planner's reason; the wallet checks (balances, a shortfall
// sentence, clamped inputs, disabled reasons) hold; the job is created with an exact approve (the
// allowance is 0 afterwards), two in-process AgentDaemons run its items in the local test image on
// the real Docker engine and settle it, while the page follows a running shard's live log; the
// results are pushed to a results store (the spec's uploadUrl, typed in the page); the page
// downloads each shard's and the merged result, verified against the committed root in the browser,
// from the agents and, once the agents are stopped, from the store; then the Developer page at phone
// size (390×844), with screenshots in test-artifacts/app/ (phone-developer*.png,
// developer-template-*.png, developer-live-log.png, developer-results-*.png). Ports 9571-9575.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import type { Server } from "node:http";
import path from "node:path";
import type Dockerode from "dockerode";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { http, type Address, type PublicClient } from "viem";
import { AgentChain } from "../../agent/chain/agentChain";
import { AgentDaemon } from "../../agent/daemon/agentDaemon";
import { operatorMetadataDataUri } from "../../sdk/agentApi/metadata";
import { storeResultsUri } from "../../sdk/agentApi/resultsStoreUrl";
import { ResultsStore } from "../../store/resultsStore";
import { marketStoreChain } from "../../store/storeChain";
import type { HardhatNode } from "../../scripts/lib/hardhatNode";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/parseDeployment";
import { createLogger } from "../../sdk/log/createLogger";
import { ShardState } from "../../sdk/market/enums";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { findJobTemplate } from "../../sdk/spec/templates/jobTemplates";
import { committeeDouble, hardhatAccount, tempDataDir } from "../../fixtures/agentHarness";
import { dockerForTests } from "../sdk/executor/dockerTestEnv";
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
const SHOTS = path.join(ROOT, "test-artifacts", "app");
const WORK = path.join(ROOT, "test-artifacts", "app-template");
const DIST = path.join(WORK, "dist");
const NODE_PORT = 9571;
const APP_PORT = 9572;
const AGENT_PORTS = [9573, 9574];
const STORE_PORT = 9575;
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const APP = `http://127.0.0.1:${APP_PORT}/`;
const E18 = 10n ** 18n;

// The template's command, held at a gate: each run prints a line, then waits until the test creates
// /tmp/go in its container (docker exec), so the page can read the live log of a shard while it
// runs without any timing assumption; then it writes the template's output (the item in capitals).
const GATED_COMMAND = [
  "sh",
  "-c",
  'echo "working on $RIGEL_ITEM"; while [ ! -e /tmp/go ]; do sleep 0.2; done; ' +
    'printf "%s\\n" "$RIGEL_ITEM" | tr a-z A-Z > "$RIGEL_OUTPUT/out.txt"',
];
// What the containers write, by job item (the template's items in capitals).
const OUTPUTS = ["ALPHA\n", "BETA\n", "GAMMA\n", "DELTA\n"];

/** The files of a tar archive (extracted by the system's `tar`), path → text. */
function untar(file: string): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-untar-"));
  execFileSync("tar", ["-xf", file, "-C", dir]);
  const files: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else files[p] = fs.readFileSync(path.join(dir, p), "utf8");
    }
  };
  walk("");
  fs.rmSync(dir, { recursive: true, force: true });
  return files;
}

const deployer = hardhatAccount(0);
const developer = hardhatAccount(2);
// The committee double (fixtures/agentHarness.ts) signs with accounts 12 and 13 of 12-14.
const oracles = [12, 13, 14].map(hardhatAccount);
// 3 Tops/s on an RTX 4090 and 1 Tops/s on an H100 (attested): the planner splits the 4 items 3:1.
const operators = [
  { account: hardhatAccount(5), opsPerSec: 3_000_000_000_000n, gpuModel: "NVIDIA GeForce RTX 4090" },
  { account: hardhatAccount(6), opsPerSec: 1_000_000_000_000n, gpuModel: "NVIDIA H100 80GB HBM3" },
];

describe("dapp end to end: a container job from a template, settled by real agents on Docker; the phone layout", function () {
  this.timeout(900_000);
  let docker: Dockerode;
  let node: HardhatNode | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let deployment: Deployment;
  let pub: PublicClient;
  const daemons: AgentDaemon[] = [];
  const dataDirs: string[] = [];
  let store: ResultsStore | undefined;
  const agentLogs: string[] = [];
  const requested: string[] = [];

  let send: SendTx;
  const rgl = () => deployment.contracts.ComputeToken;
  const market = () => deployment.contracts.JobMarket;
  const balance = (who: Address) =>
    pub.readContract({ address: rgl(), abi: computeTokenAbi, functionName: "balanceOf", args: [who] });
  const owed = (who: Address) =>
    pub.readContract({ address: market(), abi: jobMarketAbi, functionName: "owedOf", args: [rgl(), who] });
  const shard = (jobId: bigint, index: number) =>
    pub.readContract({ address: market(), abi: jobMarketAbi, functionName: "getShard", args: [jobId, index] });
  const shot = (name: string, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });

  /** A capacity record for `op` with its GPU model, signed by two committee members (sorted by signer). */
  const protocol = () => ({ pub, send, deployment, deployer, oracles });
  const recordCapacity = (op: Address, opsPerSec: bigint, gpuModel: string) =>
    recordQuorumCapacity(protocol(), op, { opsPerSec, gpuModel });

  before(async function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      console.log(`    skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    docker = await dockerForTests(this);
    fs.mkdirSync(SHOTS, { recursive: true });
    const dapp = await startDappTestChain({
      work: WORK,
      dist: DIST,
      port: NODE_PORT,
      oracleSigners: oracles.map((o) => o.address),
      buildEnv: { VITE_WALLETCONNECT_PROJECT_ID: "" },
    });
    ({ node, deployment, pub, send } = dapp);
    const { build, deploymentFile } = dapp;

    await bondOracleCommittee(protocol());
    for (const [i, { account, opsPerSec, gpuModel }] of operators.entries()) {
      await send(deployer, rgl(), computeTokenAbi, "transfer", [account.address, 10_000n * E18]);
      // The metadata names the agent's endpoint, where the page reads a running shard's live log (§14.1).
      const metadata = operatorMetadataDataUri({
        version: 1,
        endpoint: `http://127.0.0.1:${AGENT_PORTS[i]}`,
        region: "local",
        gpus: [],
      });
      await send(account, deployment.contracts.OperatorStaking, operatorStakingAbi, "register", [metadata, 1000]);
      await send(account, rgl(), computeTokenAbi, "approve", [deployment.contracts.OperatorStaking, 10_000n * E18]);
      await send(account, deployment.contracts.OperatorStaking, operatorStakingAbi, "stake", [10_000n * E18]);
      await recordCapacity(account.address, opsPerSec, gpuModel);
    }
    await send(deployer, rgl(), computeTokenAbi, "transfer", [developer.address, 1_000n * E18]);

    // The results store the job's spec names as its uploadUrl (PROTOCOL §18.8), reading this chain.
    store = new ResultsStore({
      host: "127.0.0.1",
      port: STORE_PORT,
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "rigel-app-template-store-")),
      chain: marketStoreChain(pub, deployment.contracts.JobMarket),
      limits: { maxFileBytes: 1 << 20, maxShardBytes: 4 << 20, maxShardFiles: 100, maxStoreBytes: 64 << 20 },
      pendingTtlSec: 600,
      ratePerAddressPerMinute: 10_000,
      logger: createLogger({ name: "store", level: "silent" }),
    });
    await store.init();

    // The real agent, one per operator, running containers on the real Docker engine; the
    // committee is the sdk double (it signs Valid for container proofs).
    for (const [i, { account }] of operators.entries()) {
      const chain = new AgentChain({ transport: http(RPC), account, deployment });
      dataDirs.push(tempDataDir(`app-template-${i}`));
      const daemon = new AgentDaemon({
        logger: createLogger({
          name: `agent-${i}`,
          level: "debug",
          destination: { write: (line: string) => void agentLogs.push(line) },
        }),
        chain,
        oracle: committeeDouble(chain),
        dataDir: dataDirs[i],
        port: AGENT_PORTS[i],
        device: "cpu",
        docker,
        claimIntervalSec: 0,
        submitMarginSec: 5,
        retrySec: 0,
        detectGpus: async () => [],
        policy: { kinds: ["container"], minPricePerUnit: 0n, paymentTokens: [], maxShardsPerGpu: 1, cpuSlots: 2 },
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
    fs.mkdirSync(WORK, { recursive: true });
    fs.writeFileSync(path.join(WORK, "agents.log"), agentLogs.join(""));
    for (const d of daemons) await d.shutdown().catch(() => undefined);
    await store?.shutdown().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await node?.stop();
  });

  it("creates the batch container job from the template, and real agents settle it on Docker", async () => {
    context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    await installTestWallet(context, developer, RPC, deployment.chainId);
    page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("request", (req) => requested.push(req.url()));
    await page.goto(`${APP}#/developer`);

    // Before a wallet: the create button is off and says why, on it and beside it.
    await waitForText(page.getByTestId("create-job-why"), /^Connect a wallet on the right chain to create a job\.$/);
    expect(await page.getByTestId("create-job").isDisabled()).to.equal(true);
    expect(await page.getByTestId("create-job").getAttribute("title")).to.equal(
      "Connect a wallet on the right chain to create a job.",
    );
    await page.getByTestId("connect").click();
    await waitForText(page.getByTestId("connected-address"), /0x/);
    await waitForText(page.getByTestId("wallet-balances"), /^Your wallet: 1,000 RGL · [\d,.]+ ETH for gas$/);

    // The template fills the form: a container job over 4 items in the local test image.
    await page.getByTestId("template-batch-container").click();
    expect(await page.getByTestId("job-kind").inputValue()).to.equal("container");
    expect(await page.getByTestId("job-items").inputValue()).to.equal('"alpha"\n"beta"\n"gamma"\n"delta"');
    // No "Buffer is not defined" (issue 22): the container spec parses in the browser.
    await waitForText(page.getByTestId("plan-shard-0"), /0x9965…A4dc.*3 \[0, 3\).*75\.0%/i);
    await waitForText(page.getByTestId("plan-shard-1"), /0x976E…0aa9.*1 \[3, 4\).*25\.0%/i);
    await waitForText(page.getByTestId("job-escrow"), /^2 RGL$/);
    await shot("developer-template-planned");

    // GPU models: only RTX 4090s; the H100 operator is left out with the planner's reason.
    await page.getByTestId("job-gpu-models").fill("RTX 4090");
    await waitForText(
      page.getByTestId("plan-decisions"),
      /0x976E…0aa9 left out \(gpu-model\): needs an RTX 4090; has an NVIDIA H100 80GB HBM3/i,
    );
    await waitForText(page.getByTestId("plan-shard-0"), /0x9965…A4dc.*4 \[0, 4\).*100\.0%/i);
    await shot("developer-template-gpu-model");
    await page.getByTestId("job-gpu-models").fill("");
    await waitForText(page.getByTestId("plan-shard-1"), /0x976E…0aa9.*1 \[3, 4\)/i);

    // Clamped input, with its note.
    await page.getByTestId("job-shards").fill("100");
    await waitForText(page.getByTestId("form-notes"), /Max shards: 100 is above the most, 64; using 64\./);
    await page.getByTestId("job-shards").fill("2");
    // A job the wallet cannot pay: the sentence, and nothing can be sent.
    await page.getByTestId("job-price").fill("600");
    await page.getByTestId("plan-budget").fill("5000");
    await waitForText(page.getByTestId("create-job-why"), /^You have 1,000 RGL; this job's escrow needs 1,200 RGL\.$/);
    expect(await page.getByTestId("create-job").isDisabled()).to.equal(true);
    await shot("developer-template-shortfall");
    await page.getByTestId("job-price").fill("1");
    await page.getByTestId("plan-budget").fill("100");
    await waitForText(page.getByTestId("job-escrow"), /^2 RGL$/);

    // The command held at a gate (for the live log), and the results store as the upload target.
    await page.getByTestId("job-command").fill(JSON.stringify(GATED_COMMAND));
    await page.getByTestId("job-upload-url").fill(store!.uploadUrl);
    await waitForText(page.getByTestId("job-escrow"), /^2 RGL$/);

    // The spec as JSON: the template's, with the gated command, the store and the plan's split written in.
    await page.getByTestId("spec-json").locator("summary").click();
    const shown = JSON.parse((await page.getByTestId("spec-json-text").textContent()) ?? "");
    const template = parseJobSpec(findJobTemplate("batch-container")!.spec);
    const expected = { ...template, command: GATED_COMMAND, uploadUrl: store!.uploadUrl, split: [3, 1] };
    expect(shown).to.deep.equal(expected);

    // Create: an exact approve of the 2 RGL escrow (no permit, no unlimited allowance), then the job.
    const devBefore = await balance(developer.address);
    await page.getByTestId("create-job").click();
    await waitForText(page.locator("form [data-testid=tx-status]"), /Create job: confirmed/);
    expect(await balance(developer.address)).to.equal(devBefore - 2n * E18);
    expect(
      await pub.readContract({
        address: rgl(),
        abi: computeTokenAbi,
        functionName: "allowance",
        args: [developer.address, market()],
      }),
    ).to.equal(0n);
    const jobId = 1n;
    const [created] = await pub.getContractEvents({
      address: market(),
      abi: jobMarketAbi,
      eventName: "JobCreated",
      args: { jobId },
      fromBlock: deployment.block,
    });
    const { spec } = await fetchJobSpec(created.args.specURI!, created.args.specHash!);
    expect(spec).to.deep.equal(expected);

    // The agents run the items in Docker (each run held at its gate), prove, submit and settle. The
    // daemons are ticked as their own loop would, without waiting for their runs.
    const opsOwedBefore = await Promise.all(operators.map((o) => owed(o.account.address)));
    const tickAll = async () => {
      for (const d of daemons) await d.tick();
    };
    const pause = () => new Promise((r) => setTimeout(r, 100));
    /** This test's running containers (their output folders are under the agents' data folders). */
    const ourContainers = async (shardIndex?: number) =>
      (await docker.listContainers({ filters: { status: ["running"], label: ["rigel.shard"] } })).filter(
        (c) =>
          dataDirs.some((d) => (c.Labels["rigel.outputDir"] ?? "").startsWith(d)) &&
          (shardIndex === undefined || c.Labels["rigel.shard"] === String(shardIndex)),
      );
    /** Opens the gate of every run of this test's job that is running now (a container may end meanwhile). */
    const openGates = async () => {
      for (const c of await ourContainers()) {
        await docker
          .getContainer(c.Id)
          .exec({ Cmd: ["touch", "/tmp/go"] })
          .then((ex) => ex.start({ Detach: true }))
          .catch(() => undefined);
      }
    };
    const waitFor = async (what: string, done: () => Promise<boolean>, step: () => Promise<void>) => {
      const since = Date.now();
      for (let pass = 0; !(await done()); pass++) {
        if (pass >= 200 && Date.now() - since > 300_000) throw new Error(`timed out waiting for ${what}`);
        await step();
        await pause();
      }
    };
    const shardStates = async () => Promise.all([0, 1].map(async (i) => (await shard(jobId, i)).state));

    // Shard 1 (the H100 operator's one item, "delta") runs, held at its gate: its shard is still
    // Open (assigned: the agent runs it first, then accepts and submits in one transaction, §20.7),
    // and the page follows its live log from the operator's agent (§14.11).
    await waitFor("shard 1's container", async () => (await ourContainers(1)).length > 0, tickAll);
    expect((await shard(jobId, 1)).state).to.equal(ShardState.Open);
    await page.getByTestId("show-logs-1-1").click({ timeout: 120_000 });
    await waitForText(page.getByTestId("logs-1-1").getByTestId("live-log"), /\[item 3\] working on delta/);
    await page.getByTestId("logs-1-1").scrollIntoViewIfNeeded();
    await shot("developer-live-log", false);
    // Waiting reasons and the log wrap in their cells: the job's table needs no sideways scroll at 1280 px.
    const jobTable = page.getByTestId("job-1").locator(".table-wrap");
    expect(await jobTable.evaluate((w) => w.scrollWidth - w.clientWidth), "sideways scroll").to.be.at.most(0);

    // The gates open: the runs end, the shards are submitted and settled.
    await waitFor(
      "both shards settled",
      async () => (await shardStates()).every((s) => s === ShardState.Settled),
      async () => {
        await tickAll();
        await openGates();
      },
    );
    // After settlement each agent pushes its shard's results to the store (the spec's uploadUrl).
    const inStore = async (i: number) =>
      (await fetch(`${storeResultsUri(store!.uploadUrl, jobId, i)}/manifest.json`)).status === 200;
    await waitFor("both shards' results in the store", async () => (await inStore(0)) && (await inStore(1)), tickAll);
    for (const d of daemons) await d.idle();
    // Each shard: 1 GPU-second unit (capped at the job's max) × 1 RGL, less the 2.5% fee, credited.
    for (const [i, o] of operators.entries()) {
      const s = await shard(jobId, i);
      expect(s.operator).to.equal(o.account.address);
      expect(s.units).to.equal(1n);
      expect((await owed(o.account.address)) - opsOwedBefore[i]).to.equal(E18 - (E18 * 250n) / 10_000n);
    }
    expect(await balance(developer.address)).to.equal(devBefore - 2n * E18);
    await waitForText(page.getByTestId("shard-1-0").getByTestId("shard-state"), /^Settled$/);
    await waitForText(page.getByTestId("shard-1-1").getByTestId("shard-state"), /^Settled$/);
    await waitForText(page.getByTestId("shard-1-0").getByTestId("shard-verdict"), /^Valid \(verified\)$/);
    await shot("developer-template-settled");
    expect(pageErrors).to.deep.equal([]);
  });

  it("the Developer page at phone size: nothing off-screen, tables scroll with the first column kept", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("phone-developer");
    // The page itself never scrolls sideways.
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth).to.be.at.most(390);
    // Every button of the form fits the screen.
    for (const id of ["create-job", "template-batch-container", "spec-download"]) {
      const box = await page.getByTestId(id).boundingBox();
      if (box) expect(box.x + box.width, id).to.be.at.most(390);
    }
    // The job's table scrolls inside its card: its money column comes into view, the shard number stays.
    const row = page.getByTestId("shard-1-0");
    const wrap = page.getByTestId("job-1").locator(".table-wrap");
    await wrap.scrollIntoViewIfNeeded();
    await wrap.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    const money = row.locator("td").nth(4);
    // The credit is read after the shard's state: wait for it rather than read it at once.
    await waitForText(money, /operator credited 0\.975 RGL/);
    const moneyBox = (await money.boundingBox())!;
    expect(moneyBox.x).to.be.at.least(0);
    expect(moneyBox.x + Math.min(moneyBox.width, 100)).to.be.at.most(390);
    expect(await money.textContent()).to.match(/operator credited 0\.975 RGL/);
    const first = (await row.locator("td").first().boundingBox())!;
    const wrapBox = (await wrap.boundingBox())!;
    expect(Math.abs(first.x - wrapBox.x)).to.be.below(2);
    await page.getByTestId("job-1").screenshot({ path: path.join(SHOTS, "phone-developer-jobs.png") });
    // No WalletConnect code is fetched when no project id is configured.
    expect(requested.filter((u) => /walletconnect|ethereum-provider/i.test(u))).to.deep.equal([]);
  });

  /** Clicks a download button; the saved file's name and files (path → text). */
  const download = async (testId: string) => {
    const [file] = await Promise.all([
      page.waitForEvent("download", { timeout: 120_000 }),
      page.getByTestId(testId).click({ timeout: 120_000 }),
    ]);
    return { name: file.suggestedFilename(), files: untar((await file.path())!) };
  };
  const shard0 = { "items/0/out.txt": OUTPUTS[0], "items/1/out.txt": OUTPUTS[1], "items/2/out.txt": OUTPUTS[2] };
  const shard1 = { "items/0/out.txt": OUTPUTS[3] };
  const merged = Object.fromEntries(OUTPUTS.map((text, i) => [`items/${i}/out.txt`, text]));
  const bytes = (files: Record<string, string>) => Object.values(files).reduce((n, t) => n + t.length, 0);

  /**
   * The element lies wholly inside the viewport and inside its job's table as shown unscrolled, its
   * text not cut: at desktop width the table needs no sideways scroll. (Before the fix the line did
   * not wrap in its cell: the table ran past its scroll area, and the line's end was off to the right.)
   */
  const expectFullyVisible = async (testId: string, viewportWidth: number) => {
    const el = page.getByTestId(testId);
    const wrap = page.getByTestId("job-1").locator(".table-wrap");
    await el.scrollIntoViewIfNeeded();
    await wrap.evaluate((w) => (w.scrollLeft = 0));
    const box = (await el.boundingBox())!;
    const wrapBox = (await wrap.boundingBox())!;
    expect(box.x, `${testId} left`).to.be.at.least(0);
    expect(box.x + box.width, `${testId} right edge in the viewport`).to.be.at.most(viewportWidth);
    expect(box.x, `${testId} left in its table's area`).to.be.at.least(wrapBox.x - 0.5);
    expect(box.x + box.width, `${testId} right edge in its table's area`).to.be.at.most(
      wrapBox.x + wrapBox.width + 0.5,
    );
    expect(box.y, `${testId} top in the viewport`).to.be.at.least(0);
    expect(box.y + box.height, `${testId} bottom in the viewport`).to.be.at.most(800);
    const sideways = await wrap.evaluate((w) => w.scrollWidth - w.clientWidth);
    expect(sideways, "the job's table needs a sideways scroll at desktop width").to.be.at.most(0);
    const overflow = await el.evaluate((e) => e.scrollWidth - e.clientWidth);
    expect(overflow, `${testId} text overflows its box`).to.be.at.most(0);
  };

  it("downloads each shard's and the merged result, verified in the page against the committed root (desktop)", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Shard 0 (3 items) from its operator's agent: one tar of exactly what the containers wrote.
    const one = await download("download-1-0");
    expect(one.name).to.equal("job-1-shard-0.tar");
    expect(one.files).to.deep.equal(shard0);
    await waitForText(
      page.getByTestId("result-status-1-0"),
      new RegExp(
        `^3 files \\(${bytes(shard0)} bytes\\) verified against the committed root, from the operator's agent$`,
      ),
    );
    // The verification line is not cut off at desktop width (it ran past the table's scroll area).
    await expectFullyVisible("result-status-1-0", 1280);
    // The merged result: both shards, items by job item index.
    const all = await download("download-merged-1");
    expect(all.name).to.equal("job-1.tar");
    expect(all.files).to.deep.equal(merged);
    expect(Object.keys(all.files)).to.deep.equal(Object.keys(merged));
    await waitForText(
      page.getByTestId("merged-status-1"),
      new RegExp(
        `^4 files \\(${bytes(merged)} bytes\\) verified against the committed root, from the operator's agent; ` +
          "2 shards merged into job-1\\.tar$",
      ),
    );
    expect(await page.getByTestId("merged-error-1").count()).to.equal(0);
  });

  it("with the operators' agents stopped, the page downloads and verifies the results from the results store", async () => {
    for (const d of daemons) await d.shutdown();
    for (const port of AGENT_PORTS) {
      const reached = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      );
      expect(reached, `agent on ${port} still answers`).to.equal(false);
    }
    const one = await download("download-1-1");
    expect(one.name).to.equal("job-1-shard-1.tar");
    expect(one.files).to.deep.equal(shard1);
    await waitForText(
      page.getByTestId("result-status-1-1"),
      new RegExp(
        `^1 file \\(${bytes(shard1)} bytes\\) verified against the committed root, from the results store ` +
          "\\(the operator's agent failed: .+\\)$",
      ),
    );
    // The longest line the page writes there, whole at desktop width too.
    await expectFullyVisible("result-status-1-1", 1280);
    await page.getByTestId("job-1").screenshot({ path: path.join(SHOTS, "developer-results-desktop.png") });
    const all = await download("download-merged-1");
    expect(all.name).to.equal("job-1.tar");
    expect(all.files).to.deep.equal(merged);
    await waitForText(
      page.getByTestId("merged-status-1"),
      new RegExp(
        `^4 files \\(${bytes(merged)} bytes\\) verified against the committed root, from the results store ` +
          "\\(the operator's agent failed: .+\\); 2 shards merged into job-1\\.tar$",
      ),
    );
    // At phone size the line wraps inside its cell, in the table's sideways scroll (a screenshot).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId("result-status-1-1").scrollIntoViewIfNeeded();
    await page.getByTestId("job-1").screenshot({ path: path.join(SHOTS, "developer-results-phone.png") });
  });
});

// End to end: an llm-inference job created from the built dapp in headless Chromium against a real
// `hardhat node` (the protocol deployed by scripts/deploy.ts, a signing test wallet), then the
// settled shard's item texts shown on the page. The model folder is served by a real HTTP server
// (the page hashes its four files); the operator and the committee are driven with the sdk; the
// operator's results endpoint is stood in for, inside this test only, by a real HTTP server that
// checks the developer's request signatures and serves fixture `output.json` files.
// Screenshots go to test-artifacts/app-llm/.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import express from "express";
import { chromium, type Browser, type Page } from "playwright-core";
import {
  createPublicClient,
  http,
  keccak256,
  recoverMessageAddress,
  stringToHex,
  toHex,
  type Address,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { startHardhatNode, type HardhatNode } from "../../scripts/lib/hardhatNode";
import { RIGEL_AUTH_HEADERS } from "../../sdk/auth/headers";
import { requestDigest } from "../../sdk/auth/requestDigest";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { parseDeployment, type Deployment } from "../../sdk/contracts/parseDeployment";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { signShardAttestation } from "../../sdk/eip712/shardAttestation";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { rigelDomain, Verdict } from "../../sdk/eip712/types";
import { JobKind, ShardState, VerificationMode } from "../../sdk/market/enums";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { CHROMIUM_PATH, runLogged, txSender, waitForText, type SendTx } from "./browserTestKit";
import { installTestWallet } from "./testWallet";

const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "app-llm");
const NODE_PORT = 8691;
const APP_PORT = 8692;
const FILES_PORT = 8693;
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const APP = `http://127.0.0.1:${APP_PORT}/`;
const FILES = `http://127.0.0.1:${FILES_PORT}`;
const E18 = 10n ** 18n;
const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"];

const deployer = account(0);
const developer = account(2);
const operator = account(5);
const oracles = [account(10), account(11), account(12)];

/** The model folder the page hashes: four files by their standard names (bytes need not be a real model here). */
const MODEL: Record<string, string> = {
  "config.json": JSON.stringify({ n_layer: 2, n_head: 2, n_embd: 64, n_positions: 128, vocab_size: 300 }),
  "model.safetensors": "fixture weights",
  "vocab.json": JSON.stringify({ a: 0 }),
  "merges.txt": "#version: 0.2\n",
};
/** Uploaded as a file of JSON strings, one a line. */
const PROMPTS = ["Once upon a time", "The naïve cat\nsat"];
const MAX_NEW_TOKENS = 8;
const sha256 = (b: string | Buffer) => `0x${createHash("sha256").update(b).digest("hex")}` as const;

describe("dapp end to end: an llm-inference job (headless Chromium, hardhat node, test wallet)", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let appServer: Server | undefined;
  let filesServer: Server | undefined;
  let browser: Browser | undefined;
  let deployment: Deployment;
  let pub: PublicClient;
  let page: Page;
  /** What the stand-in results endpoint serves, set once the shard is submitted. */
  let results: { root: string; files: Record<string, Buffer> } | undefined;
  /** Uncaught errors of the page (issue 22: `Buffer is not defined` on the spec parser's path). */
  const pageErrors: string[] = [];
  /** Signers of the requests the stand-in endpoint answered. */
  const resultSigners: Address[] = [];

  let send: SendTx;
  const rgl = () => deployment.contracts.ComputeToken;
  const balance = (who: Address) =>
    pub.readContract({ address: rgl(), abi: computeTokenAbi, functionName: "balanceOf", args: [who] });
  const fund = (to: Address, amount: bigint) => send(deployer, rgl(), computeTokenAbi, "transfer", [to, amount]);
  const now = async () => (await pub.getBlock()).timestamp;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      console.log(`    skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const log = path.join(ARTIFACTS, "e2e.log");
    fs.writeFileSync(log, "");
    const build = runLogged(
      path.join(ROOT, "node_modules", ".bin", "vite"),
      ["build", "--config", "app/vite.config.mts", "--logLevel", "warn"],
      {},
      log,
    );
    node = await startHardhatNode({ port: NODE_PORT, logFile: path.join(ARTIFACTS, "hardhat-node.log") });
    const deploymentFile = path.join(ARTIFACTS, "deployment.json");
    await runLogged(
      path.join(ROOT, "node_modules", ".bin", "hardhat"),
      ["run", "scripts/deploy.ts", "--network", "localhost"],
      {
        RIGEL_LOCALHOST_URL: RPC,
        RIGEL_DEPLOYMENT_FILE: deploymentFile,
        RIGEL_ORACLE_SIGNERS: oracles.map((o) => o.address).join(","),
      },
      log,
    );
    deployment = parseDeployment(JSON.parse(fs.readFileSync(deploymentFile, "utf8")));
    pub = createPublicClient({ chain: hardhat, transport: http(RPC) }) as PublicClient;
    send = txSender(RPC, pub);

    // The committee posts its bonds; the operator registers, stakes and proves capacity.
    const bond = await pub.readContract({
      address: deployment.contracts.OracleCommittee,
      abi: oracleCommitteeAbi,
      functionName: "bondAmount",
    });
    for (const o of oracles) {
      await fund(o.address, bond);
      await send(o, rgl(), computeTokenAbi, "approve", [deployment.contracts.OracleCommittee, bond]);
      await send(o, deployment.contracts.OracleCommittee, oracleCommitteeAbi, "postBond");
    }
    await fund(operator.address, 10_000n * E18);
    await send(operator, deployment.contracts.OperatorStaking, operatorStakingAbi, "register", [
      `${FILES}/?region=local&gpus=1`,
      1000,
    ]);
    await send(operator, rgl(), computeTokenAbi, "approve", [deployment.contracts.OperatorStaking, 10_000n * E18]);
    await send(operator, deployment.contracts.OperatorStaking, operatorStakingAbi, "stake", [10_000n * E18]);
    const domain = rigelDomain(deployment.chainId, deployment.contracts.OracleCommittee);
    const capacity = {
      operator: operator.address,
      challengeId: keccak256(stringToHex("llm-capacity")),
      opsPerSec: 50_000_000_000_000n,
      vramMiB: 24576,
      gpuModel: toHex("RTX 4090", { size: 32 }),
      validUntil: (await now()) + 7n * 86_400n, // issued now: capacityValidity (7 days) from now (PROTOCOL §6.5)
    };
    const capacitySigs = await Promise.all(
      oracles
        .slice(0, 2)
        .map(async (o) => ({ signer: o.address, signature: await signCapacityAttestation(o, domain, capacity) })),
    );
    await send(deployer, deployment.contracts.OperatorStaking, operatorStakingAbi, "recordCapacity", [
      capacity,
      sortSignaturesBySigner(capacitySigs),
    ]);
    await fund(developer.address, 1_000n * E18);

    // The model folder (CORS, as any host serving models to browsers must) and the stand-in
    // results endpoint, which answers only requests signed by the job's developer (§14.3).
    const files = express();
    files.use((_req, res, next) => {
      res.set("Access-Control-Allow-Origin", "*");
      res.set("Access-Control-Allow-Headers", Object.values(RIGEL_AUTH_HEADERS).join(", "));
      next();
    });
    files.options(/.*/, (_req, res) => void res.sendStatus(204));
    files.get("/model/:file", (req, res) => {
      const body = MODEL[req.params.file];
      if (body === undefined) res.sendStatus(404);
      else res.send(Buffer.from(body));
    });
    files.get(/^\/v1\/results\/1\/0(\/file)?$/, async (req, res) => {
      const signer = await recoverMessageAddress({
        message: {
          raw: requestDigest({
            method: "GET",
            path: req.originalUrl,
            body: "",
            timestamp: Number(req.get(RIGEL_AUTH_HEADERS.timestamp)),
            // The app signs the v2 digest with a fresh nonce (PROTOCOL §4.2).
            nonce: req.get(RIGEL_AUTH_HEADERS.nonce) as `0x${string}` | undefined,
          }),
        },
        signature: req.get(RIGEL_AUTH_HEADERS.signature) as `0x${string}`,
      }).catch(() => undefined);
      if (!signer || signer.toLowerCase() !== developer.address.toLowerCase()) return void res.sendStatus(403);
      resultSigners.push(signer);
      if (!results) return void res.sendStatus(404);
      if (req.path.endsWith("/file")) {
        const body = results.files[String(req.query.path)];
        return void (body ? res.send(body) : res.sendStatus(404));
      }
      res.json({
        jobId: "1",
        shard: 0,
        root: results.root,
        commitment: "container-items",
        files: Object.entries(results.files).map(([p, b]) => ({ path: p, sha256: sha256(b), size: b.length })),
      });
    });
    filesServer = await new Promise<Server>((resolve) => {
      const s = files.listen(FILES_PORT, "127.0.0.1", () => resolve(s));
    });

    await build;
    const app = express();
    app.get("/rigel.json", (_req, res) => {
      res.json({ rpcUrl: RPC, deployment: JSON.parse(fs.readFileSync(deploymentFile, "utf8")) });
    });
    app.use(express.static(path.join(ROOT, "app", "dist")));
    appServer = await new Promise<Server>((resolve) => {
      const s = app.listen(APP_PORT, "127.0.0.1", () => resolve(s));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && page) await shot(`failed-${this.currentTest.title.slice(0, 40)}`);
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await new Promise((r) => (appServer ? appServer.close(r) : r(undefined)));
    await new Promise((r) => (filesServer ? filesServer.close(r) : r(undefined)));
    await node?.stop();
  });

  it("a developer creates an inference job from the page: prompts uploaded, model from a served folder, priced per 1,000 tokens", async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    await installTestWallet(context, developer, RPC, deployment.chainId);
    page = await context.newPage();
    page.on("pageerror", (err) => {
      pageErrors.push(err.message);
      console.error(`[page] ${err.message}`);
    });
    await page.goto(`${APP}#/developer`);
    await page.getByTestId("connect").click();
    await waitForText(page.getByTestId("connected-address"), /0x/);

    await page.getByTestId("job-kind").selectOption("llm-inference");
    const promptsFile = path.join(ARTIFACTS, "prompts.jsonl");
    fs.writeFileSync(promptsFile, PROMPTS.map((p) => JSON.stringify(p)).join("\n") + "\n");
    await page.getByTestId("llm-prompts-file").setInputFiles(promptsFile);
    await waitForText(page.getByTestId("llm-prompts-format"), /^2 prompts, read as JSON strings/);
    await page.getByTestId("llm-model-folder").fill(`${FILES}/model`);
    await page.getByTestId("llm-model-fill").click();
    // The page fetched and hashed each file: the weights' sha256 is that of the served bytes.
    const weightsHash = sha256(MODEL["model.safetensors"]);
    const deadline = Date.now() + 30_000;
    while ((await page.getByTestId("llm-weights-sha256").inputValue()) !== weightsHash) {
      if (Date.now() > deadline) throw new Error("the model inputs were not filled from the folder");
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.getByTestId("llm-max-new-tokens").fill(String(MAX_NEW_TOKENS));
    await page.getByTestId("llm-price-1k").fill("2");
    // One operator: one shard of both prompts. Token bound = UTF-8 bytes + maxNewTokens per prompt:
    // "Once upon a time" 16 + 8, "The naïve cat\nsat" 18 + 8 → 50 tokens × 0.002 RGL = 0.1 RGL.
    await waitForText(page.getByTestId("plan-shard-0"), /0x9965…A4dc.*2 \[0, 2\).*100\.0%/i);
    await waitForText(page.getByTestId("job-tokens"), /^50$/);
    await waitForText(page.getByTestId("job-escrow"), /^0\.1 RGL$/);
    await waitForText(page.getByTestId("job-summary"), /0\.002 RGL per 1,000 tokens|2 RGL per 1,000/);
    await shot("llm-form");

    const devBefore = await balance(developer.address);
    await page.getByTestId("create-job").click();
    await waitForText(page.locator("form [data-testid=tx-status]"), /Create job: confirmed/);
    expect(
      await pub.readContract({ address: deployment.contracts.JobMarket, abi: jobMarketAbi, functionName: "jobCount" }),
    ).to.equal(1n);
    const job = await pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "getJob",
      args: [1n],
    });
    expect(job.kind).to.equal(JobKind.LlmInference);
    expect(job.verificationMode).to.equal(VerificationMode.Activations);
    expect(job.shards).to.equal(1);
    expect(job.maxUnitsPerShard).to.equal(50n);
    expect(job.maxPricePerUnit).to.equal(2n * 10n ** 15n);
    expect(job.escrow).to.equal(10n ** 17n);
    expect(await balance(developer.address)).to.equal(devBefore - 10n ** 17n);
    // The spec on-chain is the one the inputs make: prompts, model URIs and hashes, greedy decoding.
    const [created] = await pub.getContractEvents({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "JobCreated",
      args: { jobId: 1n },
      fromBlock: deployment.block,
    });
    const b64 = created.args.specURI!.replace(/^data:application\/json;base64,/, "");
    const spec = parseJobSpec(Buffer.from(b64, "base64").toString("utf8"));
    const model = (name: string) => ({ uri: `${FILES}/model/${name}`, sha256: sha256(MODEL[name]) });
    expect(spec).to.deep.equal(
      parseJobSpec({
        kind: "llm-inference",
        model: {
          architecture: "gpt2",
          config: model("config.json"),
          weights: model("model.safetensors"),
          vocab: model("vocab.json"),
          merges: model("merges.txt"),
        },
        items: PROMPTS,
        maxNewTokens: MAX_NEW_TOKENS,
        decoding: { mode: "greedy" },
      }),
    );
    expect(created.args.specHash).to.equal(hashJobSpec(spec).hash);
    await waitForText(page.getByTestId("shard-1-0").getByTestId("shard-state"), /^Open$/);
    await shot("llm-job-open");
    // Issue 22: the container form parsed its spec with Node's Buffer in the browser. The parser's
    // browser path is Buffer-free now: the container form builds its job, with no page error.
    await page.getByTestId("job-kind").selectOption("container");
    await waitForText(page.getByTestId("job-summary"), /escrow|follows from the plan/);
    expect(await page.getByTestId("job-summary").textContent()).to.not.match(/Buffer/);
    await page.getByTestId("job-kind").selectOption("llm-inference");
    expect(pageErrors).to.deep.equal([]);
  });

  it("once settled, the page shows each item's prompt → generated text, read with signed requests", async () => {
    const market = deployment.contracts.JobMarket;
    await send(operator, market, jobMarketAbi, "accept", [1n, 0]);
    const outputs = ["there was a fox.", "on the mat."].map((text, i) =>
      Buffer.from(
        JSON.stringify({
          version: 1,
          promptTokens: Array.from({ length: 4 + i }, (_, t) => t),
          generatedTokens: [1, 2, 3, 4, 5],
          text,
          finishReason: "length",
          fingerprint: "opaque",
        }),
      ),
    );
    const root = keccak256(stringToHex("llm-result-root"));
    results = { root, files: { "items/0/output.json": outputs[0], "items/1/output.json": outputs[1] } };
    // 4 + 5 and 5 + 5 tokens: 19 of the 50 escrowed.
    await send(operator, market, jobMarketAbi, "submit", [1n, 0, root, 19n, `${FILES}/v1/results/1/0`]);
    const domain = rigelDomain(deployment.chainId, deployment.contracts.OracleCommittee);
    const attestation = {
      market,
      jobId: 1n,
      shard: 0,
      operator: operator.address,
      resultRoot: root,
      verdict: Verdict.Valid,
      units: 19n,
      expiry: (await now()) + 3600n,
    };
    const sigs = await Promise.all(
      oracles
        .slice(1, 3)
        .map(async (o) => ({ signer: o.address, signature: await signShardAttestation(o, domain, attestation) })),
    );
    const owed = (who: Address) =>
      pub.readContract({ address: market, abi: jobMarketAbi, functionName: "owedOf", args: [rgl(), who] });
    const devBefore = await owed(developer.address);
    const opBefore = await owed(operator.address);
    await send(deployer, market, jobMarketAbi, "settle", [attestation, sortSignaturesBySigner(sigs)]);
    // 19 tokens × 0.002 RGL = 0.038 RGL paid less the 2.5% fee; 31 × 0.002 = 0.062 RGL refunded:
    // both credited in the market (pull payments).
    const pay = 19n * 2n * 10n ** 15n;
    expect((await owed(operator.address)) - opBefore).to.equal(pay - (pay * 250n) / 10_000n);
    expect((await owed(developer.address)) - devBefore).to.equal(31n * 2n * 10n ** 15n);
    const shard = await pub.readContract({
      address: market,
      abi: jobMarketAbi,
      functionName: "getShard",
      args: [1n, 0],
    });
    expect(shard.state).to.equal(ShardState.Settled);

    const row = page.getByTestId("shard-1-0");
    await waitForText(row.getByTestId("shard-state"), /^Settled$/);
    await waitForText(row.getByTestId("shard-verdict"), /^Valid \(verified\)$/);
    await row.getByTestId("show-outputs-1-0").click();
    await waitForText(
      row.getByTestId("item-output-0"),
      /Once upon a time → there was a fox\. \(4 \+ 5 tokens, length\)/,
    );
    await waitForText(row.getByTestId("item-output-1"), /The naïve cat\s+sat → on the mat\. \(5 \+ 5 tokens, length\)/);
    // The manifest and both files, each with its own request signed by the developer.
    expect(resultSigners.length).to.be.at.least(3);
    await shot("llm-outputs");
  });
});

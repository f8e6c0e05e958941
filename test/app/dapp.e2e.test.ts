// End to end: the built dapp in headless Chromium against a real `hardhat node` with the protocol
// deployed by scripts/deploy.ts, a signing wallet exposed to the page as `window.ethereum`, and the
// operator's side (register, stake, capacity, accept, submit) and the committee driven with the sdk.
// Screenshots of every page go to test-artifacts/app/.
import { expect } from "chai";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import express from "express";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import {
  createPublicClient,
  createTestClient,
  http,
  keccak256,
  maxUint256,
  parseEventLogs,
  stringToHex,
  toHex,
  type Address,
  type LocalAccount,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { startHardhatNode, type HardhatNode } from "../../scripts/lib/hardhatNode";
import {
  computeTokenAbi,
  jobMarketAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  rewardsDistributorAbi,
} from "../../sdk/contracts/abis";
import { parseDeployment, type Deployment } from "../../sdk/contracts/parseDeployment";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { signShardAttestation } from "../../sdk/eip712/shardAttestation";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { rigelDomain, Verdict } from "../../sdk/eip712/types";
import { CHROMIUM_FLAGS, CHROMIUM_PATH, runLogged, txSender, waitForText, type SendTx } from "./browserTestKit";
import { installTestWallet, type TestWallet } from "./testWallet";

const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "app");
const NODE_PORT = 8681;
const APP_PORT = 8682;
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const APP = `http://127.0.0.1:${APP_PORT}/`;
const E18 = 10n ** 18n;
const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });

const deployer = account(0);
const developer = account(2);
const operatorA = account(5);
const operatorB = account(6);
const holder = account(7);
const oracles = [account(10), account(11), account(12)];

describe("dapp end to end (headless Chromium, hardhat node, test wallet)", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let deployment: Deployment;
  let pub: PublicClient;
  const contexts: BrowserContext[] = [];

  let send: SendTx;
  const rgl = () => deployment.contracts.ComputeToken;
  const balance = (who: Address) =>
    pub.readContract({ address: rgl(), abi: computeTokenAbi, functionName: "balanceOf", args: [who] });
  const fund = (to: Address, amount: bigint) => send(deployer, rgl(), computeTokenAbi, "transfer", [to, amount]);
  /** What the market owes `who` in RGL (pull payments: credited at settlement, paid by `withdraw`). */
  const owed = (who: Address) =>
    pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "owedOf",
      args: [rgl(), who],
    });
  /** The market's RGL balance is its escrow plus everything it owes (the fee is burned). */
  const expectMarketConserved = async () => {
    const market = deployment.contracts.JobMarket;
    const [held, escrow, owedTotal] = await Promise.all([
      balance(market),
      pub.readContract({ address: market, abi: jobMarketAbi, functionName: "escrowOf", args: [rgl()] }),
      pub.readContract({ address: market, abi: jobMarketAbi, functionName: "owedTotal", args: [rgl()] }),
    ]);
    expect(held).to.equal(escrow + owedTotal);
  };
  const now = async () => (await pub.getBlock()).timestamp;

  /** A capacity record for `op`, signed by two committee members (sorted by signer). */
  const recordCapacity = async (op: Address, label: string) => {
    const domain = rigelDomain(deployment.chainId, deployment.contracts.OracleCommittee);
    const message = {
      operator: op,
      challengeId: keccak256(stringToHex(label)),
      opsPerSec: 50_000_000_000_000n,
      vramMiB: 24576,
      gpuModel: toHex("RTX 4090", { size: 32 }),
      validUntil: (await now()) + 7n * 86_400n, // OperatorStaking.capacityValidity (PROTOCOL §6.5)
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
  };

  const openPage = async (
    name: string,
    who?: LocalAccount,
    walletChainId?: number,
    viewport = { width: 1280, height: 900 },
  ) => {
    const context = await browser!.newContext({ viewport });
    contexts.push(context);
    let wallet: TestWallet | undefined;
    if (who) wallet = await installTestWallet(context, who, RPC, deployment.chainId, walletChainId);
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`[page ${name}] ${err.message}`));
    return { page, wallet };
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const connect = async (page: Page, hash: string) => {
    await page.goto(`${APP}#/${hash}`);
    await page.getByTestId("connect").click();
    await waitForText(page.getByTestId("connected-address"), /0x/);
  };

  before(async function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      console.log(`    skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    this.timeout(600_000);
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

    // The committee posts its bonds; the operator that will run the job registers, stakes and proves capacity.
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
    await fund(operatorA.address, 10_000n * E18);
    await send(operatorA, deployment.contracts.OperatorStaking, operatorStakingAbi, "register", [
      `http://127.0.0.1:8700/?region=local&gpus=1&price=${E18}`,
      1000,
    ]);
    await send(operatorA, rgl(), computeTokenAbi, "approve", [deployment.contracts.OperatorStaking, 10_000n * E18]);
    await send(operatorA, deployment.contracts.OperatorStaking, operatorStakingAbi, "stake", [10_000n * E18]);
    await recordCapacity(operatorA.address, "challenge-1");
    for (const who of [developer, operatorB, holder]) await fund(who.address, 1_000n * E18);

    await build;
    const app = express();
    app.get("/rigel.json", (_req, res) => {
      res.json({ rpcUrl: RPC, deployment: JSON.parse(fs.readFileSync(deploymentFile, "utf8")) });
    });
    app.use(express.static(path.join(ROOT, "app", "dist")));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(APP_PORT, "127.0.0.1", () => resolve(s));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  });

  after(async function () {
    this.timeout(60_000);
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await node?.stop();
  });

  it("shows emission, the epoch and the operators without a wallet, on a desktop and a phone", async () => {
    const { page } = await openPage("rewards");
    await page.goto(APP);
    await waitForText(page.getByTestId("no-wallet"), /No wallet found/);
    await waitForText(page.getByTestId("epoch-emission"), /1,000 RGL|999\.\d+ RGL/);
    await waitForText(page.getByTestId("epoch-countdown"), /ends in \d+[ms]/);
    await waitForText(page.getByTestId("operator-table"), /0xf39F|0x9965/i);
    // The chart draws once its epochs are read: wait for a second bar rather than count at once
    // (the same race as the Operator page's earnings chart on a busy machine).
    await page.getByTestId("emission-chart").locator("rect").nth(1).waitFor({ state: "attached", timeout: 60_000 });
    expect(await page.getByTestId("emission-chart").locator("rect").count()).to.be.greaterThan(1);
    await shot(page, "rewards-no-wallet");
    const phone = await openPage("rewards-phone", undefined, undefined, { width: 390, height: 844 });
    await phone.page.goto(APP);
    await waitForText(phone.page.getByTestId("operator-table"), /0x9965/i);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "the page must not scroll sideways on a phone").to.be.at.most(0);
    await shot(phone.page, "rewards-phone");
  });

  it("says when the wallet is on the wrong chain, and switches it", async () => {
    const { page, wallet } = await openPage("wrong-chain", developer, 1);
    await page.goto(`${APP}#/developer`);
    await page.getByTestId("connect").click();
    await waitForText(
      page.getByTestId("wrong-chain"),
      /Wrong network: your wallet is on chain 1; Rigel runs on .*31337/,
    );
    expect(await page.getByTestId("create-job").isDisabled()).to.equal(true);
    await shot(page, "wrong-chain");
    await page.getByTestId("switch-chain").click();
    await waitForText(page.getByTestId("connected-address"), /0x3C44…93BC/i);
    expect(wallet!.chainId).to.equal(deployment.chainId);
    expect(wallet!.calls).to.include("wallet_switchEthereumChain");

    // A rejected permit signature (the permit is chosen: the default approves the escrow exactly,
    // PROTOCOL §16.7): the page says so, nothing moves.
    const before = await balance(developer.address);
    await page.getByTestId("use-permit").check();
    wallet!.rejectNext();
    await page.getByTestId("create-job").click();
    await waitForText(
      page.locator("form [data-testid=tx-status]"),
      /Sign the permit failed: You rejected the request in your wallet\./,
    );
    expect(await balance(developer.address)).to.equal(before);
    expect(
      await pub.readContract({ address: deployment.contracts.JobMarket, abi: jobMarketAbi, functionName: "jobCount" }),
    ).to.equal(0n);
    await shot(page, "developer-rejected-signature");
  });

  let devPage: Page;
  let devWallet: TestWallet;
  it("a developer creates and funds a job in one step (permit), and sees it open", async () => {
    const opened = await openPage("developer", developer);
    devPage = opened.page;
    devWallet = opened.wallet!;
    await connect(devPage, "developer");
    await devPage.getByTestId("job-m").fill("64");
    await devPage.getByTestId("job-price").fill("2");
    await waitForText(devPage.getByTestId("job-escrow"), /^2 RGL$/);
    // The sdk planner: the one operator with capacity takes all 64 rows (dapp.agent.e2e plans two).
    await waitForText(devPage.getByTestId("plan-shard-0"), /0x9965…A4dc.*64 \[0, 64\).*100\.0%/i);
    const devBefore = await balance(developer.address);
    // One signature instead of an approve: chosen on purpose (the default approves exactly the escrow).
    await devPage.getByTestId("use-permit").check();
    const escrowBefore = await pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "escrowOf",
      args: [rgl()],
    });
    await devPage.getByTestId("create-job").click();
    await waitForText(devPage.locator("form [data-testid=tx-status]"), /Create job: confirmed/);
    expect(devWallet.calls).to.include("eth_signTypedData_v4");
    // createJobWithPermit applies the permit for the maximum allowance (IJobMarket).
    expect(
      await pub.readContract({
        address: rgl(),
        abi: computeTokenAbi,
        functionName: "allowance",
        args: [developer.address, deployment.contracts.JobMarket],
      }),
    ).to.equal(maxUint256);
    expect(
      await pub.readContract({ address: deployment.contracts.JobMarket, abi: jobMarketAbi, functionName: "jobCount" }),
    ).to.equal(1n);
    expect(await balance(developer.address)).to.equal(devBefore - 2n * E18);
    const escrowAfter = await pub.readContract({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "escrowOf",
      args: [rgl()],
    });
    expect(escrowAfter - escrowBefore).to.equal(2n * E18);
    await waitForText(devPage.getByTestId("shard-1-0").getByTestId("shard-state"), /^Open$/);
    await shot(devPage, "developer-job-open");
  });

  it("the operator (sdk) accepts and submits, the committee settles, and the page shows it settled", async () => {
    const market = deployment.contracts.JobMarket;
    await send(operatorA, market, jobMarketAbi, "accept", [1n, 0]);
    await waitForText(devPage.getByTestId("shard-1-0").getByTestId("shard-state"), /^Accepted$/);
    const root = keccak256(stringToHex("result-root"));
    await send(operatorA, market, jobMarketAbi, "submit", [1n, 0, root, 1n, "http://127.0.0.1:8700/v1/results/1/0"]);
    await waitForText(devPage.getByTestId("shard-1-0").getByTestId("shard-state"), /^Submitted$/);
    const domain = rigelDomain(deployment.chainId, deployment.contracts.OracleCommittee);
    const attestation = {
      market,
      jobId: 1n,
      shard: 0,
      operator: operatorA.address,
      resultRoot: root,
      verdict: Verdict.Valid,
      units: 1n,
      expiry: (await now()) + 3600n,
    };
    const sigs = await Promise.all(
      oracles
        .slice(1, 3)
        .map(async (o) => ({ signer: o.address, signature: await signShardAttestation(o, domain, attestation) })),
    );
    const opBefore = await balance(operatorA.address);
    const devBefore = await balance(developer.address);
    const owedBefore = { op: await owed(operatorA.address), dev: await owed(developer.address) };
    await send(deployer, market, jobMarketAbi, "settle", [attestation, sortSignaturesBySigner(sigs)]);
    // 1 unit × 2 RGL = pay 2 RGL; fee 2.5% burned; 0 refund (the job's max was 1 unit). The pay is
    // credited to the operator in the market, not sent: no wallet moves.
    expect((await owed(operatorA.address)) - owedBefore.op).to.equal(2n * E18 - (2n * E18 * 250n) / 10_000n);
    expect(await owed(developer.address)).to.equal(owedBefore.dev);
    expect(await balance(operatorA.address)).to.equal(opBefore);
    expect(await balance(developer.address)).to.equal(devBefore);
    await expectMarketConserved();
    const row = devPage.getByTestId("shard-1-0");
    await waitForText(row.getByTestId("shard-state"), /^Settled$/);
    await waitForText(row.getByTestId("shard-verdict"), /^Valid \(verified\)$/);
    await waitForText(row, /operator credited 1\.95 RGL/);
    await waitForText(devPage.getByTestId("job-credited-1"), /^credited: refund 0 RGL to you, 1\.95 RGL to operators$/);
    await shot(devPage, "developer-job-settled");
    await devPage.setViewportSize({ width: 390, height: 844 });
    await shot(devPage, "developer-phone");
    await devPage.setViewportSize({ width: 1280, height: 900 });
  });

  it("a rejected transaction shows its message and moves nothing", async () => {
    const before = await balance(developer.address);
    devWallet.rejectNext();
    await devPage.getByTestId("create-job").click();
    // The first job's permit left an allowance: this one is a plain createJob transaction.
    await waitForText(
      devPage.locator("form [data-testid=tx-status]"),
      /Create job failed: You rejected the request in your wallet\./,
    );
    expect(await balance(developer.address)).to.equal(before);
    expect(
      await pub.readContract({ address: deployment.contracts.JobMarket, abi: jobMarketAbi, functionName: "jobCount" }),
    ).to.equal(1n);
    await shot(devPage, "developer-rejected-transaction");
  });

  it("a developer cancels an open job, sees the refund credited, and withdraws it to the wallet", async () => {
    await devPage.getByTestId("create-job").click();
    await waitForText(devPage.locator("form [data-testid=tx-status]"), /Create job: confirmed/);
    await waitForText(devPage.getByTestId("shard-2-0").getByTestId("shard-state"), /^Open$/);
    const owedRow = devPage.getByTestId("owed").getByTestId("owed-RGL");
    await waitForText(owedRow.getByTestId("owed-amount"), /^0 RGL$/);
    expect(await owedRow.getByTestId("withdraw-RGL").isDisabled()).to.equal(true);
    const before = await balance(developer.address);
    await devPage.getByTestId("cancel-2").click();
    await waitForText(devPage.getByTestId("job-2").locator("> [data-testid=tx-status]"), /Cancel job: confirmed/);
    await waitForText(devPage.getByTestId("shard-2-0").getByTestId("shard-state"), /^Cancelled$/);
    await waitForText(devPage.getByTestId("shard-2-0"), /refund credited 2 RGL/);
    // Credited, not sent: the wallet has not moved, the market owes the developer the 2 RGL.
    expect(await balance(developer.address)).to.equal(before);
    expect(await owed(developer.address)).to.equal(2n * E18);
    expect(
      await pub.readContract({
        address: deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        functionName: "escrowOf",
        args: [rgl()],
      }),
    ).to.equal(0n);
    await expectMarketConserved();
    await waitForText(owedRow.getByTestId("owed-amount"), /^2 RGL$/);
    await shot(devPage, "developer-cancelled");

    // Withdraw: the wallet's balance rises by exactly what was owed, and the credit is gone.
    const owedNow = await owed(developer.address);
    await owedRow.getByTestId("withdraw-RGL").click();
    await waitForText(owedRow.getByTestId("tx-status"), /^Withdraw 2 RGL: confirmed \(0x[0-9a-f]{4}…[0-9a-f]{4}\)\.$/i);
    expect((await balance(developer.address)) - before).to.equal(owedNow);
    expect(await owed(developer.address)).to.equal(0n);
    await expectMarketConserved();
    await waitForText(owedRow.getByTestId("owed-amount"), /^0 RGL$/);
    expect(await owedRow.getByTestId("withdraw-RGL").isDisabled()).to.equal(true);
    await shot(devPage, "developer-withdrawn");
  });

  it("an operator registers, stakes, requests an unstake and sees the thaw countdown; a revert is decoded", async () => {
    const { page, wallet } = await openPage("operator", operatorB);
    await connect(page, "operator");
    await page.getByTestId("register").click();
    await waitForText(page.getByTestId("self-stake"), /^0 RGL$/);
    wallet!.rejectNext();
    await page.getByTestId("stake-amount").fill("500");
    await page.getByTestId("stake").click();
    await waitForText(page.getByTestId("tx-status"), /Approve RGL failed: You rejected the request in your wallet\./);
    await page.getByTestId("stake").click();
    await waitForText(page.getByTestId("tx-status"), /Stake: confirmed/);
    await waitForText(page.getByTestId("self-stake"), /^500 RGL$/);
    await page.getByTestId("unstake-amount").fill("900");
    await page.getByTestId("unstake").click();
    await waitForText(
      page.getByTestId("tx-status"),
      /Request unstake failed: StakingInsufficientFreeStake: not enough free stake: 500 RGL free, 900 RGL asked/,
    );
    await page.getByTestId("unstake-amount").fill("200");
    await page.getByTestId("unstake").click();
    await waitForText(page.getByTestId("tx-status"), /Request unstake: confirmed/);
    await waitForText(page.getByTestId("thaw-countdown"), /withdrawable in (2m|1m \d+s|\d+s)/);
    await waitForText(page.getByTestId("self-stake"), /^300 RGL$/);
    const info = await pub.readContract({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [operatorB.address],
    });
    expect(info.selfStake).to.equal(300n * E18);
    expect(info.selfThawing).to.equal(200n * E18);
    expect(await balance(operatorB.address)).to.equal(500n * E18);
    await shot(page, "operator-thawing");
  });

  it("a token holder delegates, rewards arrive, and the holder claims them", async () => {
    const { page } = await openPage("delegator", holder);
    await connect(page, "rewards");
    await waitForText(page.getByTestId("delegate-operator"), /0x9965/i);
    await page.getByTestId("delegate-amount").fill("100");
    await page.getByTestId("delegate").click();
    await waitForText(page.getByTestId("delegation").getByTestId("tx-status"), /Delegate: confirmed/);
    // A delegation is pending until the epoch it was made in ends (PROTOCOL §6.2): no reward of it.
    await waitForText(page.getByTestId("delegation-pending"), /^100 RGL$/);
    expect(await balance(holder.address)).to.equal(900n * E18);
    const test = createTestClient({ chain: hardhat, mode: "hardhat", transport: http(RPC) });
    await test.increaseTime({ seconds: 61 });
    await test.mine({ blocks: 1 });
    await waitForText(page.getByTestId("delegation-value"), /^(100|99\.\d+) RGL$/);
    await waitForText(page.getByTestId("delegation-pending"), /^0 RGL$/);

    // Availability points in this epoch, then the epoch ends and is settled: the pool gets its share.
    // The record is made in the first second of an epoch, so its issue time and its recording fall in
    // the same epoch on a busy machine too (a record issued in an earlier epoch earns nothing, §10.10).
    const [genesis, epochLength] = await pub.readContract({
      address: deployment.contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "epochClock",
    });
    const nextEpochStart = genesis + (((await now()) - genesis) / epochLength + 1n) * epochLength;
    await test.setNextBlockTimestamp({ timestamp: nextEpochStart });
    await test.mine({ blocks: 1 });
    await recordCapacity(operatorA.address, "challenge-2");
    await test.increaseTime({ seconds: 61 });
    await test.mine({ blocks: 1 });
    await send(deployer, deployment.contracts.RewardsDistributor, rewardsDistributorAbi, "settleOperator", [
      operatorA.address,
    ]);
    const delegation = await pub.readContract({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "delegationInfo",
      args: [operatorA.address, holder.address],
    });
    expect(delegation.claimable > 0n).to.equal(true);
    await waitForText(page.getByTestId("delegation-claimable"), /^(?!0 RGL)[\d,.<]+ RGL$/);
    await waitForText(page.getByTestId("history"), /epoch settled/);
    const before = await balance(holder.address);
    await page.getByTestId("delegation-claim").click();
    await waitForText(page.getByTestId("delegation").getByTestId("tx-status"), /Claim rewards: confirmed/);
    const logs = await pub.getContractEvents({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      eventName: "RewardsClaimed",
      args: { delegator: holder.address },
      fromBlock: deployment.block,
    });
    expect(logs).to.have.length(1);
    const claimed = parseEventLogs({ abi: operatorStakingAbi, logs, eventName: "RewardsClaimed" })[0].args.tokens;
    expect(claimed > 0n).to.equal(true);
    expect((await balance(holder.address)) - before).to.equal(claimed);
    await waitForText(page.getByTestId("delegation-claimable"), /^0 RGL$/);

    // Undelegating half starts its thaw: the page shows the countdown and the value left.
    await page.getByTestId("undelegate-amount").fill("50");
    await page.getByTestId("undelegate").click();
    await waitForText(page.getByTestId("delegation").getByTestId("tx-status"), /Undelegate: confirmed/);
    await waitForText(page.getByTestId("delegation-thaw"), /withdrawable in (2m|1m \d+s|\d+s)/);
    const after = await pub.readContract({
      address: deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "delegationInfo",
      args: [operatorA.address, holder.address],
    });
    // Half the shares, up to rounding in the pool's favour (PROTOCOL §6.2).
    const near50 = (x: bigint) => x > 4999n * 10n ** 16n && x < 5001n * 10n ** 16n;
    expect(near50(after.thawValue), `thawing ${after.thawValue}`).to.equal(true);
    expect(near50(after.principal), `principal ${after.principal}`).to.equal(true);
    await shot(page, "rewards-delegated");
  });

  it("the operator sees its capacity record, its shard history with earnings, and claims its rewards", async () => {
    const { page } = await openPage("operator-a", operatorA);
    await connect(page, "operator");
    await waitForText(page.getByTestId("capacity"), /^50 Tops\/s$/);
    await waitForText(page.getByTestId("capacity").locator(".."), /24 GiB RTX 4090 · expires in (6d|7d)/);
    await waitForText(page.getByTestId("shard-history"), /#1.*settled.*3 RGL.*1\.95 RGL/);

    // Its earnings from the settled job wait in the market; Withdraw pays exactly them to the wallet.
    const earnings = page.getByTestId("owed").getByTestId("owed-RGL");
    await waitForText(earnings.getByTestId("owed-amount"), /^1\.95 RGL$/);
    const owedToOperator = await owed(operatorA.address);
    expect(owedToOperator).to.equal(2n * E18 - (2n * E18 * 250n) / 10_000n);
    const walletBefore = await balance(operatorA.address);
    await earnings.getByTestId("withdraw-RGL").click();
    await waitForText(earnings.getByTestId("tx-status"), /^Withdraw 1\.95 RGL: confirmed/);
    expect((await balance(operatorA.address)) - walletBefore).to.equal(owedToOperator);
    expect(await owed(operatorA.address)).to.equal(0n);
    const withdrawn = await pub.getContractEvents({
      address: deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "Withdrawn",
      args: { account: operatorA.address },
      fromBlock: deployment.block,
    });
    expect(withdrawn.map((e) => [e.args.token, e.args.to, e.args.amount])).to.deep.equal([
      [rgl(), operatorA.address, owedToOperator],
    ]);
    await expectMarketConserved();
    await waitForText(earnings.getByTestId("owed-amount"), /^0 RGL$/);
    await shot(page, "operator-withdrawn");
    // Commission and self share vest one verify window after their epoch (PROTOCOL §10.9): the page
    // shows them as vesting until then; the chain's clock moves past the vesting time.
    await send(deployer, deployment.contracts.RewardsDistributor, rewardsDistributorAbi, "settleOperator", [
      operatorA.address,
    ]);
    const [vesting, vestedBy] = await pub.readContract({
      address: deployment.contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "vestingRewards",
      args: [operatorA.address],
    });
    if (vesting > 0n) {
      await waitForText(page.getByTestId("operator-vesting"), /^(?!0 RGL)[\d,.]+ RGL$/);
      const now = (await pub.getBlock()).timestamp;
      const test = createTestClient({ chain: hardhat, mode: "hardhat", transport: http(RPC) });
      if (vestedBy > now) await test.increaseTime({ seconds: Number(vestedBy - now) });
      await test.mine({ blocks: 1 });
      await waitForText(page.getByTestId("operator-vesting"), /^0 RGL$/);
    }
    await waitForText(page.getByTestId("operator-claimable"), /^(?!0 RGL)[\d,.]+ RGL$/);
    const claimable = await pub.readContract({
      address: deployment.contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "claimableRewards",
      args: [operatorA.address],
    });
    expect(claimable > 0n).to.equal(true);
    const before = await balance(operatorA.address);
    await page.getByTestId("operator-claim").click();
    await waitForText(page.getByTestId("tx-status"), /Claim rewards: confirmed/);
    expect((await balance(operatorA.address)) - before).to.equal(claimable);
    await waitForText(page.getByTestId("operator-claimable"), /^0 RGL$/);
    await shot(page, "operator-claimed");
  });

  it("says so when the chain is unreachable", async () => {
    await node!.stop();
    const { page } = await openPage("unreachable");
    await page.goto(APP);
    await waitForText(page.getByTestId("chain-unreachable"), /The chain is unreachable at http:\/\/127\.0\.0\.1:8681/);
    await shot(page, "chain-unreachable");
  });
});

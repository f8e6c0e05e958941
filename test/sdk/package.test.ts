// The sdk as an installed package (docs/PROTOCOL.md §17.x, issue 22): builds it (`npm run sdk:build`),
// `npm pack`s it, installs the tarball into a scratch project with its own package.json, typechecks the
// sdk README's three examples and a scratch script against the packed .d.ts (importing `@rigel/sdk` by
// name), then runs the script against a `hardhat node` with the protocol deployed by scripts/deploy.ts:
// it plans a job over the registered operator, creates it, watches it until final (cancelling it from
// the first progress callback, so no agent is needed), withdraws the refund and asks for its results.
// Run under `flock /tmp/rigel-port-tests.lock` (binds 127.0.0.1:8615).
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { startHardhatNode, type HardhatNode } from "../../scripts/lib/hardhatNode";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { parseDeployment, type Deployment } from "../../sdk/contracts/parseDeployment";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { rigelDomain } from "../../sdk/eip712/types";

const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "sdk-package");
const NODE_PORT = 8615;
const RPC = `http://127.0.0.1:${NODE_PORT}`;
const E18 = 10n ** 18n;
const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });
const deployer = account(0);
const developer = account(2);
const operator = account(5);
const oracles = [account(10), account(11), account(12)];
const TSC = path.join(ROOT, "node_modules", ".bin", "tsc");

/** Runs a command to completion; its output goes to `log`; rejects on a nonzero exit. Returns stdout when `capture`. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; log: string; capture?: boolean },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(opts.log, "a");
    fs.writeSync(out, `\n$ (${opts.cwd}) ${cmd} ${args.join(" ")}\n`);
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", opts.capture ? "pipe" : out, out],
    });
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      fs.writeSync(out, chunk);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      fs.closeSync(out);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}; see ${opts.log}`));
    });
  });
}

/** The ```ts blocks of the sdk README, in order. */
function readmeExamples(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "sdk", "README.md"), "utf8");
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The scratch project's script: everything from `@rigel/sdk` by name (and viem). Prints one JSON line. */
const SCRATCH_MAIN = `import fs from "node:fs";
import path from "node:path";
import { createPublicClient, createWalletClient, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import {
  createJob,
  downloadResults,
  jobMarketAbi,
  parseDeployment,
  parseJobSpec,
  planOnChain,
  withdraw,
  type CreateJobStep,
  type WatchJobProgress,
  watchJob,
} from "@rigel/sdk";

async function main(): Promise<void> {
  const deployment = parseDeployment(JSON.parse(fs.readFileSync(process.env.RIGEL_DEPLOYMENT!, "utf8")));
  const { contracts } = deployment;
  const transport = http(process.env.RIGEL_RPC);
  const account = privateKeyToAccount(process.env.RIGEL_KEY as Hex);
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const walletClient = createWalletClient({ chain: hardhat, transport, account });
  const spec = parseJobSpec({ kind: "matmul-int8", seed: \`0x\${"01".padStart(64, "0")}\`, m: 256, n: 256, k: 256 });
  const maxPricePerUnit = 10n ** 18n;
  const { plan, operators } = await planOnChain(publicClient, {
    contracts, fromBlock: deployment.block, paymentToken: contracts.ComputeToken, spec, maxPricePerUnit,
    objective: "fastest", budget: 100n * 10n ** 18n, maxShards: 4, vramMiB: 0, capacityMarginSec: 60,
  });
  const steps: string[] = [];
  const created = await createJob({ publicClient, walletClient }, {
    market: contracts.JobMarket, spec, plan, paymentToken: contracts.ComputeToken, maxPricePerUnit,
    deadline: (await publicClient.getBlock()).timestamp + 3600n,
    onStep: (s: CreateJobStep) => steps.push(\`\${s.step}:\${s.status}\`),
  });
  const progress: string[][] = [];
  let cancel: Promise<Hex> | undefined;
  const done = await watchJob(publicClient, {
    market: contracts.JobMarket, jobId: created.jobId, pollIntervalMs: 200, timeoutMs: 120_000,
    onProgress: (p: WatchJobProgress) => {
      progress.push(p.status.shards.map((s) => s.stateName));
      // No agent runs here: the developer cancels the Open shards, which makes them final.
      cancel ??= walletClient.writeContract({
        address: contracts.JobMarket, abi: jobMarketAbi, functionName: "cancel", args: [created.jobId],
      });
    },
  });
  await publicClient.waitForTransactionReceipt({ hash: await cancel! });
  const refund = await withdraw({ publicClient, walletClient }, { market: contracts.JobMarket, token: contracts.ComputeToken });
  const results = await downloadResults(publicClient, {
    market: contracts.JobMarket, jobId: created.jobId, fromBlock: deployment.block, account,
    outDir: path.join(__dirname, "..", "results"),
  });
  console.log(JSON.stringify({
    operatorsRead: operators.length,
    plannedShards: plan.shards.length,
    split: plan.split,
    jobId: String(created.jobId),
    escrow: String(created.escrow),
    approval: created.approval,
    steps,
    progress,
    ok: done.ok,
    final: done.final,
    unsuccessful: done.unsuccessful,
    shards: done.shards,
    refunded: String(refund.amount),
    results: results.shards.map((s) => (s.ok ? "ok" : s.error.code)),
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

describe("@rigel/sdk as an installed package (npm pack, scratch project, hardhat node)", function () {
  this.timeout(900_000);
  let node: HardhatNode | undefined;
  let deployment: Deployment;
  let deploymentFile: string;
  let pub: PublicClient;
  let scratch: string;
  /** Temporary folders this test made (the packed tarball, the scratch project); removed at the end. */
  const temps: string[] = [];
  const log = path.join(ARTIFACTS, "package.log");

  const send = async (
    from: LocalAccount,
    address: Address,
    abi: readonly unknown[],
    functionName: string,
    args: unknown[] = [],
  ) => {
    const wallet = createWalletClient({ account: from, chain: hardhat, transport: http(RPC) });
    const hash = await wallet.writeContract({
      address,
      abi: abi as never,
      functionName: functionName as never,
      args: args as never,
    });
    const receipt = await pub.waitForTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
  };
  const rgl = () => deployment.contracts.ComputeToken;
  const fund = (to: Address, amount: bigint) => send(deployer, rgl(), computeTokenAbi, "transfer", [to, amount]);
  const balance = (who: Address) =>
    pub.readContract({ address: rgl(), abi: computeTokenAbi, functionName: "balanceOf", args: [who] });

  /** Builds, packs (checking the tarball's file list) and installs the sdk into a fresh scratch project. */
  async function installPackedSdk(): Promise<void> {
    await run("npm", ["run", "--silent", "sdk:build"], { cwd: ROOT, log });
    const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-sdk-pack-"));
    temps.push(packDir);
    const packed = await run("npm", ["pack", "--json", "--pack-destination", packDir], {
      cwd: path.join(ROOT, "sdk"),
      log,
      capture: true,
    });
    const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    // Built JS and declarations only: no TypeScript sources, no Python, no tests.
    expect(paths).to.include.members(["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]);
    expect(paths.filter((p) => !/^dist\/.*\.(js|d\.ts)$/.test(p) && p !== "package.json" && p !== "README.md")).to.eql(
      [],
    );
    expect(paths.some((p) => /^dist\/(executor\/runContainer|db|keystore)/.test(p))).to.equal(false);

    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-sdk-scratch-"));
    temps.push(scratch);
    fs.writeFileSync(
      path.join(scratch, "package.json"),
      JSON.stringify({ name: "rigel-sdk-scratch", private: true, version: "0.0.0" }, null, 2),
    );
    const install = ["install", "--no-audit", "--no-fund", path.join(packDir, filename)];
    // The local npm cache first; the registry only for what the cache lacks.
    await run("npm", [...install, "--offline"], { cwd: scratch, log }).catch(() =>
      run("npm", [...install, "--prefer-offline"], { cwd: scratch, log }),
    );
  }

  before(async function () {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(log, "");
    const installed = installPackedSdk();
    installed.catch(() => undefined); // awaited below; do not let it reject unobserved meanwhile
    node = await startHardhatNode({ port: NODE_PORT, logFile: path.join(ARTIFACTS, "hardhat-node.log") });
    deploymentFile = path.join(ARTIFACTS, "deployment.json");
    await run(
      path.join(ROOT, "node_modules", ".bin", "hardhat"),
      ["run", "scripts/deploy.ts", "--network", "localhost"],
      {
        cwd: ROOT,
        env: {
          RIGEL_LOCALHOST_URL: RPC,
          RIGEL_DEPLOYMENT_FILE: deploymentFile,
          RIGEL_ORACLE_SIGNERS: oracles.map((o) => o.address).join(","),
        },
        log,
      },
    );
    deployment = parseDeployment(JSON.parse(fs.readFileSync(deploymentFile, "utf8")));
    pub = createPublicClient({ chain: hardhat, transport: http(RPC) }) as PublicClient;

    // One operator registered, staked and with a capacity record signed by two committee members.
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
      `http://127.0.0.1:8616/?region=local&gpus=1&price=${E18}`,
      1000,
    ]);
    await send(operator, rgl(), computeTokenAbi, "approve", [deployment.contracts.OperatorStaking, 10_000n * E18]);
    await send(operator, deployment.contracts.OperatorStaking, operatorStakingAbi, "stake", [10_000n * E18]);
    const domain = rigelDomain(deployment.chainId, deployment.contracts.OracleCommittee);
    const message = {
      operator: operator.address,
      challengeId: keccak256(stringToHex("sdk-package")),
      opsPerSec: 50_000_000_000_000n,
      vramMiB: 24576,
      gpuModel: toHex("RTX 4090", { size: 32 }),
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
    await fund(developer.address, 1_000n * E18);
    await installed;
  });

  after(async () => {
    await node?.stop();
    for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("typechecks the sdk README's examples (bundler resolution) and a scratch script (Node CommonJS) against the packed types", async () => {
    const examples = readmeExamples();
    expect(examples).to.have.length(3);
    examples.forEach((code, i) => fs.writeFileSync(path.join(scratch, `example${i + 1}.ts`), code));
    fs.writeFileSync(path.join(scratch, "main.ts"), SCRATCH_MAIN);
    const common = {
      target: "ES2022",
      strict: true,
      skipLibCheck: true,
      esModuleInterop: true,
      typeRoots: [path.join(scratch, "node_modules", "@types"), path.join(ROOT, "node_modules", "@types")],
      types: ["node"],
    };
    fs.writeFileSync(
      path.join(scratch, "tsconfig.examples.json"),
      JSON.stringify({
        compilerOptions: { ...common, module: "ESNext", moduleResolution: "bundler", noEmit: true },
        files: examples.map((_, i) => `example${i + 1}.ts`),
      }),
    );
    fs.writeFileSync(
      path.join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...common,
          module: "commonjs",
          moduleResolution: "node",
          outDir: "out",
          noEmitOnError: true,
        },
        files: ["main.ts"],
      }),
    );
    await run(TSC, ["--noEmit", "-p", "tsconfig.examples.json"], { cwd: scratch, log });
    await run(TSC, ["--noEmit", "-p", "tsconfig.json"], { cwd: scratch, log });
    // `@rigel/sdk` resolves to the installed tarball, not to this repository.
    const resolved = await run(process.execPath, ["-p", "require.resolve('@rigel/sdk')"], {
      cwd: scratch,
      log,
      capture: true,
    });
    expect(resolved.trim()).to.equal(
      path.join(fs.realpathSync(scratch), "node_modules", "@rigel", "sdk", "dist", "index.js"),
    );
  });

  it("plans, creates, watches (until every shard is final), refunds and asks for results from the scratch project", async () => {
    await run(TSC, ["-p", "tsconfig.json"], { cwd: scratch, log });
    const market = deployment.contracts.JobMarket;
    const [devBefore, marketBefore] = await Promise.all([balance(developer.address), balance(market)]);
    const out = await run(process.execPath, ["out/main.js"], {
      cwd: scratch,
      env: {
        RIGEL_RPC: RPC,
        RIGEL_DEPLOYMENT: deploymentFile,
        RIGEL_KEY: toHex(developer.getHdKey().privateKey!),
      },
      log,
      capture: true,
    });
    const r = JSON.parse(out.trim().split("\n").pop()!);
    expect(r.operatorsRead).to.equal(1);
    expect(r.plannedShards).to.equal(1);
    expect(r.approval).to.equal("approve");
    expect(r.steps).to.eql(["approve:wallet", "approve:pending", "create:wallet", "create:pending"]);
    // The first progress shows the Open shard; the last, after the cancel, the final state.
    expect(r.progress[0]).to.eql(["Open"]);
    expect(r.progress.at(-1)).to.eql(["Cancelled"]);
    expect(r).to.include({ ok: false, final: 1, unsuccessful: 1, shards: 1 });
    expect(BigInt(r.escrow) > 0n).to.equal(true);
    expect(r.refunded).to.equal(r.escrow);
    expect(r.results).to.eql(["RESULTS_NONE"]);

    // Escrow pulled at create, credited at cancel, paid out at withdraw: every balance back where it was.
    const job = await pub.readContract({
      address: market,
      abi: jobMarketAbi,
      functionName: "getJob",
      args: [BigInt(r.jobId)],
    });
    expect(job.developer).to.equal(developer.address);
    expect(await balance(developer.address)).to.equal(devBefore);
    expect(await balance(market)).to.equal(marketBefore);
    expect(
      await pub.readContract({
        address: market,
        abi: jobMarketAbi,
        functionName: "owedOf",
        args: [rgl(), developer.address],
      }),
    ).to.equal(0n);
  });
});

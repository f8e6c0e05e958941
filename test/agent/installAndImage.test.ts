// Issue 23's done-when: the operator's path from nothing to a settled shard, as an operator walks it.
// The install script on a fresh folder (`--no-init`), the image built from this checkout (no
// registry), then with the installed `rigel`: init (a new key), funding it with exactly what init
// says it needs, doctor, register, stake, benchmark; then `rigel agent run` FROM THE IMAGE (Docker as
// CI starts it, on the host network) against a Hardhat node and a 2-of-3 oracle committee this test
// starts, until one shard is taken and settled. Each step's time is kept in
// test-artifacts/agent/operator-path.json (the closing note quotes it).
// Ports: chain 9460, oracles 9461..9463, the agent 9475. Run it under flock /tmp/rigel-port-tests.lock.
import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { getAddress, type Address } from "viem";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { sendAs, startNetwork, type Network } from "../../scripts/lib/network";
import { createMatmulJob, PRICE, rglOwed, waitForShard } from "../e2e/helpers/jobs";
import { dockerForTests } from "../sdk/executor/dockerTestEnv";

const root = path.resolve(__dirname, "../..");
const PORT = 9460;
const AGENT_PORT = 9475;
const IMAGE = "rigel/agent:dev";
const PASSWORD = "correct horse battery staple";
const CONTAINER = `rigel-agent-test-${process.pid}`;

interface Step {
  step: string;
  command: string;
  seconds: number;
}

/** Runs a command to its end; rejects with its output on a non-zero exit. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out}`)),
    );
  });
}

describe("operator install and agent image: from nothing to a settled shard (issue 23)", function () {
  this.timeout(30 * 60_000);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-install-"));
  const installDir = path.join(workDir, "rigel-agent");
  const steps: Step[] = [];
  let network: Network | undefined;

  async function timed<T>(step: string, command: string, action: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await action();
    steps.push({ step, command, seconds: Math.round((performance.now() - started) / 100) / 10 });
    return result;
  }

  before(async function () {
    await dockerForTests(this);
  });

  after(async function () {
    if (steps.length > 0) {
      const dir = path.join(root, "test-artifacts", "agent");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "operator-path.json"), JSON.stringify(steps, null, 2) + "\n");
      if (process.env.RIGEL_E2E_VERBOSE) console.table(steps);
    }
    await promisify(execFile)("docker", ["rm", "-f", "-v", CONTAINER]).catch(() => undefined);
    await network?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("installs, builds the image, and the agent from the image takes and settles a shard", async function () {
    // 1. Install (the prerequisites are checked; init comes below, with the chain's fees).
    const installed = await timed("install", "bash scripts/install-agent.sh --dir DIR --no-init", () =>
      run("bash", ["scripts/install-agent.sh", "--dir", installDir, "--no-init"]),
    );
    expect(installed).to.match(/✓ Node v\d+/);
    const rigel = path.join(installDir, "rigel");
    expect(fs.statSync(rigel).mode & 0o111).to.not.equal(0);
    // Nothing of the checkout but the compiled agent and its runtime packages.
    expect(fs.existsSync(path.join(installDir, "app", "agent", "cli.js"))).to.equal(true);
    expect(fs.existsSync(path.join(installDir, "app", "node_modules", "typescript"))).to.equal(false);
    expect(fs.existsSync(path.join(installDir, "app", "node_modules", "hardhat"))).to.equal(false);

    // 2. The image.
    const built = await timed("build image", "bash scripts/build-agent-image.sh --from-install DIR", () =>
      run("bash", ["scripts/build-agent-image.sh", IMAGE, "--from-install", installDir]),
    );
    expect(built).to.match(/built rigel\/agent:dev: \d+ MiB/);

    // The chain and the committee an operator would find already running.
    network = await startNetwork({ port: PORT, workDir, agents: [] });
    const { devnet } = network;
    const env = {
      RIGEL_AGENT_KEYSTORE_PASSWORD: PASSWORD,
      RIGEL_AGENT_DEPLOYMENT_FILE: devnet.deploymentFile,
      RIGEL_AGENT_ORACLE_URLS: network.oracleUrls.join(","),
    };
    const config = path.join(installDir, "rigel-agent.json");

    // 3. init: a new key, and what it needs.
    const initOut = await timed("init", "rigel agent init --rpc-url URL --json", () =>
      run(
        rigel,
        [
          "agent",
          "init",
          "--json",
          "--config",
          config,
          "--keystore",
          path.join(installDir, "operator.keystore.json"),
          "--data-dir",
          path.join(installDir, "data"),
          "--rpc-url",
          devnet.rpcUrl,
          "--port",
          String(AGENT_PORT),
        ],
        env,
        installDir,
      ),
    );
    const init = JSON.parse(initOut.slice(initOut.indexOf("{"))) as {
      operator: Address;
      funding: { ethWei: string; rglWei: string };
    };
    const operator = getAddress(init.operator);
    const ethNeeded = BigInt(init.funding.ethWei);
    const rglNeeded = BigInt(init.funding.rglWei);
    expect(ethNeeded > 0n && rglNeeded > 0n).to.equal(true);

    const cli = (args: string[]) => run(rigel, ["agent", ...args, "--config", config], env, installDir);
    // Before funding, register fails in one sentence that says what to do (it printed 53 lines).
    const unfunded = await cli(["register"]).then(
      () => "",
      (err: Error) => err.message,
    );
    const said = unfunded
      .slice(unfunded.indexOf(":\n") + 2)
      .trim()
      .split("\n");
    expect(said[0]).to.equal(`error: this account has no ETH for gas: send some to ${operator}`);
    expect(said.length).to.be.at.most(3);

    // 4. Funding: exactly what init asked for (a faucet or an exchange on a real chain).
    const funder = devnet.delegators[0];
    await timed("fund", "(send the ETH and RGL init printed)", async () => {
      const wallet = (await import("../../scripts/lib/network")).walletOf(devnet, funder);
      const hash = await wallet.sendTransaction({
        account: funder.account,
        chain: devnet.chain,
        to: operator,
        value: ethNeeded,
      });
      await devnet.client.waitForTransactionReceipt({ hash });
      await sendAs(devnet, funder, {
        address: devnet.deployment.contracts.ComputeToken,
        abi: computeTokenAbi,
        functionName: "transfer",
        args: [operator, rglNeeded],
      });
    });

    await timed("register", "rigel agent register", () => cli(["register"]));
    await timed("stake", `rigel agent stake --amount ${rglNeeded / 10n ** 18n}`, () =>
      cli(["stake", "--amount", `${rglNeeded}wei`]),
    );
    await timed("benchmark", "rigel agent benchmark", () => cli(["benchmark"]));
    const info = await devnet.client.readContract({
      address: devnet.deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [operator],
    });
    expect(info.registered).to.equal(true);
    expect(info.selfStake).to.equal(rglNeeded);

    // 5. The agent from the image: host network (the chain and oracles are on 127.0.0.1), the
    // keystore and the deployment read-only, config by env.
    await timed("docker run", "docker run -d … rigel/agent:dev (until healthy)", async () => {
      await run("docker", [
        "run",
        "-d",
        "--name",
        CONTAINER,
        "--network",
        "host",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        "-v",
        `${path.join(installDir, "operator.keystore.json")}:/keystore/operator.keystore.json:ro`,
        "-v",
        `${devnet.deploymentFile}:/etc/rigel/deployment.json:ro`,
        "-e",
        `RIGEL_AGENT_KEYSTORE_PASSWORD=${PASSWORD}`,
        "-e",
        "RIGEL_AGENT_DEPLOYMENT_FILE=/etc/rigel/deployment.json",
        "-e",
        `RIGEL_AGENT_RPC_URL=${devnet.rpcUrl}`,
        "-e",
        `RIGEL_AGENT_ORACLE_URLS=${network!.oracleUrls.join(",")}`,
        "-e",
        "RIGEL_AGENT_HOST=127.0.0.1",
        "-e",
        `RIGEL_AGENT_PORT=${AGENT_PORT}`,
        "-e",
        "RIGEL_AGENT_POLL_INTERVAL_MS=500",
        "-e",
        "RIGEL_AGENT_CLAIM_INTERVAL_SEC=0",
        IMAGE,
      ]);
      // The image's own HEALTHCHECK says when the agent is up.
      const until = Date.now() + 180_000;
      for (;;) {
        const health = (
          await run("docker", ["inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", CONTAINER])
        ).trim();
        if (health === "running healthy") break;
        if (!health.startsWith("running") || Date.now() > until) {
          const logs = await run("docker", ["logs", "--tail", "40", CONTAINER]).catch((e) => String(e));
          throw new Error(`the agent container is "${health}":\n${logs}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    });

    // 6. A developer's job for this operator: taken and settled by the agent in the container.
    const dev = devnet.developers[0];
    const { jobId } = await createMatmulJob(devnet, dev, { size: 64, shards: 1, operators: [operator], seed: 2301 });
    const settled = await timed("first shard settled", "(a developer's 1-shard job, until Settled)", () =>
      waitForShard(devnet, jobId, 0, ["Settled", "Failed"], 300_000),
    );
    expect(settled).to.equal("Settled");
    const shard = await devnet.client.readContract({
      address: devnet.deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "getShard",
      args: [jobId, 0],
    });
    expect(getAddress(shard.operator)).to.equal(operator);
    // 1 unit at 1 RGL, less the 2.5 % protocol fee, credited to the operator (pull payments).
    expect(await rglOwed(devnet, operator)).to.equal(PRICE - PRICE / 40n);
    // The log is for people by default: a settled line with the amount in RGL.
    const logs = await run("docker", ["logs", CONTAINER]);
    expect(logs).to.match(/^\d\d:\d\d:\d\d INFO /m);
  });
});

// Chaos: the agent as a child process (`rigel agent run`) against a real `hardhat node` and the real
// oracle committee, killed with SIGKILL at least 20 times and restarted each time. The kills are not
// timed: each run is started with `devCrashAfter: <state>` (agent/work/devCrash.ts, dev chain only)
// and kills itself right after its journal commits a shard's move to that state, cycling through
// every phase of a shard's life (PROTOCOL §14.2), so each phase gets its kills however slow the
// machine is. Then: every shard settled, exactly one submit transaction per shard, and no token lost.
import { expect } from "chai";
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { NonceManager, type JsonRpcProvider } from "ethers";
import { ethers } from "hardhat";
import { http, decodeFunctionData, type Hex } from "viem";
import { startHardhatNode, type HardhatNode } from "../../scripts/lib/hardhatNode";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { SHARD_STATES, TERMINAL_STATES, type ShardState } from "../../agent/journal/journal";
import { deployOnNode, walletOf, type NodeDeployment } from "./helpers/deployOnNode";
import { startTestCommittee, type TestCommittee } from "../../fixtures/oracleCommittee";
import { tempDataDir } from "../../fixtures/agentHarness";
import { buildAgent } from "./helpers/buildAgent";

const NODE_PORT = 8662;
const ORACLE_PORTS = [8663, 8664, 8665];
const AGENT_PORT = 8666;
const KILLS = 20;
/**
 * The phases killed in, in turn: every state a shard of these (unassigned) jobs passes through on its
 * way to settled. `claiming` is only an assigned shard's (§20.10; its restart is tested in
 * agent.claims.test.ts).
 */
const PHASES: readonly ShardState[] = SHARD_STATES.slice(0, SHARD_STATES.indexOf("settled") + 1).filter(
  (s) => s !== "claiming",
);
/** A generous bound on one run reaching its phase (a loaded machine is slow, never this slow). */
const PHASE_TIMEOUT_MS = 180_000;
const FINAL_TIMEOUT_MS = 300_000;
const OPERATOR_KEY = walletOf(5).privateKey;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("agent: chaos (kill -9 in every journal phase, restart; real node, real oracles)", function () {
  this.timeout(1_800_000);
  let node: HardhatNode;
  let committee: TestCommittee;
  let d: NodeDeployment;
  let provider: JsonRpcProvider;
  const dataDir = tempDataDir("chaos");
  const deploymentFile = path.join(dataDir, "deployment.json");
  let child: ChildProcess | undefined;
  let agentCommand: ReturnType<typeof buildAgent>;
  const logFile = path.join(dataDir, "agent.log");

  before(async function () {
    agentCommand = buildAgent();
    node = await startHardhatNode({ port: NODE_PORT, logFile: path.join(dataDir, "node.log") });
    d = await deployOnNode(node.url);
    fs.writeFileSync(deploymentFile, JSON.stringify({ ...d, network: "localhost" }));
    provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 50 });
    committee = await startTestCommittee({
      transport: http(node.url),
      chainId: d.chainId,
      market: d.contracts.JobMarket as Hex,
      committee: d.contracts.OracleCommittee as Hex,
      startBlock: BigInt(d.block),
      ports: ORACLE_PORTS,
    });
  });

  after(async function () {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await committee?.stop();
    await node?.stop();
  });

  function startAgent(crashAfter: ShardState | "none"): ChildProcess {
    const out = fs.openSync(logFile, "a");
    const c = spawn(agentCommand.command, agentCommand.args(["run"]), {
      cwd: dataDir,
      stdio: ["ignore", out, out],
      env: {
        ...process.env,
        RIGEL_AGENT_RPC_URL: node.url,
        RIGEL_AGENT_DEPLOYMENT_FILE: deploymentFile,
        RIGEL_AGENT_PRIVATE_KEY: OPERATOR_KEY,
        RIGEL_AGENT_DATA_DIR: path.join(dataDir, "agent"),
        RIGEL_AGENT_PORT: String(AGENT_PORT),
        RIGEL_AGENT_ORACLE_URLS: committee.urls.join(","),
        RIGEL_AGENT_POLL_INTERVAL_MS: "100",
        RIGEL_AGENT_CPU_SLOTS: "3",
        RIGEL_AGENT_DEVICE: "cpu",
        RIGEL_AGENT_CLAIM_INTERVAL_SEC: "0",
        RIGEL_AGENT_LOG_LEVEL: "debug",
        RIGEL_AGENT_DEV_CRASH_AFTER: crashAfter,
      },
    });
    fs.closeSync(out);
    return c;
  }

  /** Waits for the child to exit; resolves with the signal that ended it (null for a plain exit). */
  function exited(c: ChildProcess, timeoutMs: number, what: string): Promise<NodeJS.Signals | null> {
    return new Promise((resolve, reject) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve(c.signalCode);
      const timer = setTimeout(
        () => reject(new Error(`${what}: not within ${timeoutMs} ms; see ${logFile}`)),
        timeoutMs,
      );
      c.once("exit", (_code, signal) => {
        clearTimeout(timer);
        resolve(signal);
      });
    });
  }

  /** The journal's last committed move: where a run killed by its crash hook stopped. */
  function lastTransition(): string | undefined {
    const db = new Database(path.join(dataDir, "agent", "journal.db"), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT to_state FROM transitions ORDER BY id DESC LIMIT 1").get() as { to_state: string })
        ?.to_state;
    } finally {
      db.close();
    }
  }

  function journalStates(): string[] {
    const file = path.join(dataDir, "agent", "journal.db");
    if (!fs.existsSync(file)) return [];
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT state FROM shards").all() as { state: string }[]).map((r) => r.state);
    } catch {
      return [];
    } finally {
      db.close();
    }
  }

  let dev: NonceManager;
  async function createJob(i: number): Promise<bigint> {
    dev ??= new NonceManager(walletOf(2, provider));
    const spec = parseJobSpec({ kind: "matmul-int8", seed: ethers.id(`chaos-${i}`), m: 96, n: 64, k: 64 });
    const market = await ethers.getContractAt("JobMarket", d.contracts.JobMarket, dev);
    const latest = (await provider.getBlock("latest"))!.timestamp;
    await (
      await market.createJob({
        paymentToken: d.usd,
        kind: 0,
        verificationMode: 0,
        shards: 2,
        maxUnitsPerShard: 100n,
        maxPricePerUnit: 1_000_000n,
        minVramMiB: 16_384,
        minOpsPerSec: 10n ** 12n,
        deadline: BigInt(latest) + 86_400n,
        specHash: hashJobSpec(spec).hash,
        specURI: jobSpecDataUri(spec),
        shardOperators: [],
      })
    ).wait();
    return market.jobCount();
  }

  it(`survives ${KILLS} kills across the phases: every shard settles once, balances are conserved`, async function () {
    const usd = (await ethers.getContractAt("TestUSD", d.usd)).connect(provider);
    const holders = [
      walletOf(2, provider).address,
      walletOf(5, provider).address,
      walletOf(1, provider).address,
      d.contracts.JobMarket,
    ];
    const usdTotal = async () => (await Promise.all(holders.map((h) => usd.balanceOf(h)))).reduce((a, b) => a + b, 0n);
    const totalBefore = await usdTotal();
    const devBefore = await usd.balanceOf(holders[0]);
    const staking = (await ethers.getContractAt("OperatorStaking", d.contracts.OperatorStaking)).connect(provider);
    const stakeBefore = (await staking.operatorInfo(holders[1])).selfStake;
    const market = (await ethers.getContractAt("JobMarket", d.contracts.JobMarket)).connect(provider);

    const jobs: bigint[] = [];
    for (let i = 0; i < 4; i++) jobs.push(await createJob(i));
    const killedIn: { phase: ShardState; stoppedAt: string | undefined; inFlight: string[] }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const phase = PHASES[k % PHASES.length];
      // Keep work in the pipeline (shards journaled and unfinished, or not yet taken) so that every
      // phase is reached, "accepting" included (it needs a shard not yet taken).
      const states = journalStates();
      const unfinished = states.filter((s) => !(TERMINAL_STATES as readonly string[]).includes(s)).length;
      const untaken = jobs.length * 2 - states.length;
      if (unfinished + untaken < 3 || untaken === 0) jobs.push(await createJob(jobs.length));
      child = startAgent(phase);
      const signal = await exited(child, PHASE_TIMEOUT_MS, `run ${k} killing itself after "${phase}"`);
      if (signal !== "SIGKILL")
        throw new Error(`run ${k} ended by ${signal ?? `exit ${child.exitCode}`}; see ${logFile}`);
      killedIn.push({
        phase,
        stoppedAt: lastTransition(),
        inFlight: journalStates().filter((s) => !(TERMINAL_STATES as readonly string[]).includes(s)),
      });
    }

    // Last run: let it finish everything.
    child = startAgent("none");
    const shards = jobs.flatMap((j) => [0, 1].map((s) => [j, s] as const));
    const deadline = Date.now() + FINAL_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(shards.map(([j, s]) => market.getShard(j, s).then((x) => x.state)));
      if (states.every((s) => s === 3n)) break;
      if (child.exitCode !== null) throw new Error(`the last run exited with ${child.exitCode}; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`not all settled: ${states.join(",")}; see ${logFile}`);
      await sleep(200);
    }
    child.kill("SIGTERM");
    await exited(child, 60_000, "the last run stopping on SIGTERM");

    console.log(
      `      kills: ${killedIn.length}; phase killed in (shards in flight): ${killedIn
        .map((k) => `${k.phase}(${k.inFlight.join("+") || "-"})`)
        .join(" ")}`,
    );
    expect(killedIn.length).to.be.at.least(20);
    // Each run died right after committing the move it was told to die after, and every phase got its kills.
    expect(killedIn.map((k) => k.stoppedAt)).to.deep.equal(killedIn.map((k) => k.phase));
    expect(new Set(killedIn.map((k) => k.phase))).to.deep.equal(new Set(PHASES));

    // Exactly one submission per shard from the operator (none reverted, none repeated), whether it
    // went alone (submit) or in a batch (submitMany, §20.7): a kill while a shard waits in the batcher
    // (journal `submitting`) resubmits it after the restart only when the chain shows it Accepted.
    const submits = new Map<string, number>();
    const head = await provider.getBlockNumber();
    for (let b = d.block; b <= head; b++) {
      const block = await provider.getBlock(b, true);
      for (const tx of block!.prefetchedTransactions) {
        if (tx.from !== holders[1] || tx.to !== d.contracts.JobMarket) continue;
        const receipt = await provider.getTransactionReceipt(tx.hash);
        if (receipt?.status !== 1) continue;
        const call = decodeFunctionData({ abi: jobMarketAbi, data: tx.data as Hex });
        const keys =
          call.functionName === "submit"
            ? [`${call.args[0]}/${call.args[1]}`]
            : call.functionName === "submitMany"
              ? call.args[0].map((sub) => `${sub.jobId}/${sub.shard}`)
              : [];
        for (const key of keys) submits.set(key, (submits.get(key) ?? 0) + 1);
      }
    }
    expect([...submits.values()].every((n) => n === 1)).to.equal(true);
    expect(submits.size).to.equal(shards.length);

    // No token lost: USD only moved between developer, operator, treasury and escrow; escrow empty,
    // the market holding exactly what it owes (pull payments, §20.1); no collateral left locked,
    // nothing slashed.
    expect(await usdTotal()).to.equal(totalBefore);
    expect(await market.escrowOf(d.usd)).to.equal(0n);
    expect(await usd.balanceOf(d.contracts.JobMarket)).to.equal(await market.owedTotal(d.usd));
    let paid = 0n;
    for (const [j, s] of shards) paid += (await market.getShard(j, s)).units * 1_000_000n;
    // The developer paid the escrow and is owed back all of it but the units used.
    const devOwed = await market.owedOf(d.usd, holders[0]);
    expect(devBefore - (await usd.balanceOf(holders[0])) - devOwed).to.equal(paid);
    const info = await staking.operatorInfo(holders[1]);
    expect(info.lockedStake).to.equal(0n);
    expect(info.selfStake).to.equal(stakeBefore);
  });
});

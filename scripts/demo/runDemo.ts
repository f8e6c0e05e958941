// The demo's scenario, without the terminal around it (scripts/demo.ts is the command; the
// end-to-end tests call this too): the network of scripts/lib/network.ts with honest agents and one
// cheater, a developer who submits planned matmul jobs (and a container job when a Docker engine
// and the local test image are there), every shard followed to its final state, a reward epoch
// rolled and claimed by an operator and a delegator, then a summary rebuilt from the chain and a
// conservation check.
import { startDemoResultsStore } from "./resultsStore";
import fs from "node:fs";
import path from "node:path";
import Dockerode from "dockerode";
import { parseEther, zeroAddress, type Address } from "viem";
import { main as jobCli } from "../../developer/cli";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, rewardsDistributorAbi } from "../../sdk/contracts/abis";
import { isFinalShardState, shardStateName } from "../../sdk/market/enums";
import { readJob } from "../../sdk/market/readJob";
import { readShard } from "../../sdk/market/readShard";
import { checkConservation, type ConservationReport } from "../lib/conservation";
import type { DevAccount, Devnet } from "../lib/devnet";
import { sendAs, startNetwork, type Network } from "../lib/network";
import { CHEATED_PROMPTS, DEMO_PROMPTS, inferenceProblem, makeDemoModel, writePrompts } from "./inference";
import { buildSummary, type DemoSummary } from "./summary";

export const TEST_IMAGE = "rigel/busybox:test";

/** The python that makes the demo's model (the agents and oracles use their own `pythonPath`, default python3). */
const PYTHON = process.env.RIGEL_DEMO_PYTHON ?? "python3";

export interface DemoOptions {
  /** Honest agents; one more agent cheats. */
  agents: number;
  /** Shards of each planned matmul job. */
  shards: number;
  /** Planned matmul jobs. */
  jobs: number;
  /** m = n = k of each matmul job. */
  size: number;
  port: number;
  workDir: string;
  /** Try the container job (it still runs only when Docker and the test image are there). */
  container: boolean;
  /** Try the inference jobs (they run only when python3 with numpy runs sdk/python/infer.py). */
  inference?: boolean;
  /** Leave the chain running at the end. */
  keep: boolean;
  /** Give up on shards still open after this long (default 6 minutes). */
  timeoutMs?: number;
  /** Called once the network runs, before the scenario: the caller can stop it on Ctrl-C. */
  onNetwork?: (network: Network) => void;
}

export interface DemoResult {
  network: Network;
  summary: DemoSummary;
  conservation: ConservationReport;
  names: Record<string, string>;
  jobIds: bigint[];
  cheater: Address;
  honest: Address[];
  /** Why the container job did not run, when it did not. */
  containerSkipped?: string;
  /** The inference jobs, when they ran: the honest one's items as downloaded, the cheated one's id. */
  inference?: { jobId: bigint; cheatedJobId: bigint; cheater: Address; modelSeconds: number; items: DemoItem[] };
  /** Why the inference jobs did not run, when they did not. */
  inferenceSkipped?: string;
  /** What went wrong, empty when the demo is green. */
  failures: string[];
  logsDir: string;
}

/** One item of the honest inference job, as `rigel job results` reports it. */
export interface DemoItem {
  index: number;
  prompt: string;
  text: string;
  promptTokens: number;
  generatedTokens: number;
}

/** Runs `rigel job ...` in this process and returns its JSON output. */
export async function jobCommand(
  devnet: Devnet,
  dev: DevAccount,
  args: string[],
  say: (line: string) => void = () => undefined,
): Promise<Record<string, unknown>> {
  let text = "";
  const out = {
    result: (t: string) => void (text += t),
    info: () => undefined,
    error: (t: string) => say(`rigel job: ${t}`),
  };
  const argv = [
    ...args,
    "--json",
    "--rpc",
    devnet.rpcUrl,
    "--deployment",
    devnet.deploymentFile,
    "--key",
    dev.privateKey,
  ];
  const code = await jobCli(argv, {}, out);
  if (code !== 0) throw new Error(`rigel job ${args[0]} exited with ${code}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Undefined when Docker answers and the test image is there; otherwise why not. */
export async function dockerProblem(): Promise<string | undefined> {
  try {
    const docker = new Dockerode();
    await docker.ping();
  } catch (err) {
    return `no Docker engine answers (${((err as Error).message ?? String(err)).split("\n")[0]})`;
  }
  try {
    await new Dockerode().getImage(TEST_IMAGE).inspect();
    return undefined;
  } catch {
    return `the local test image ${TEST_IMAGE} is missing (scripts/build-test-image.sh builds it)`;
  }
}

/** Polls every shard of `jobIds` until all are final, saying each change of state. */
export async function followShards(
  network: Network,
  jobIds: readonly bigint[],
  say: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  const { devnet } = network;
  const market = devnet.deployment.contracts.JobMarket;
  const seen = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let open = 0;
    for (const jobId of jobIds) {
      const job = await readJob(devnet.client, { market, jobId });
      for (let s = 0; s < job.shards; s++) {
        const shard = await readShard(devnet.client, { market, jobId, shard: s });
        const state = shardStateName(shard.state);
        const key = `${jobId}/${s}`;
        if (seen.get(key) !== state) {
          seen.set(key, state);
          const who = shard.operator !== zeroAddress ? ` by ${network.names[shard.operator] ?? shard.operator}` : "";
          say(`job ${jobId} shard ${s}: ${state}${who}`);
        }
        if (!isFinalShardState(shard.state)) open++;
      }
    }
    if (open === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${open} shard(s) still not final after ${Math.round(timeoutMs / 1000)} s`);
    network.assertRunning();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Moves the chain's clock to when the operator's unvested commission and self share vest (one
 * verify window after their epoch, PROTOCOL §10.9) and mines a block; returns the seconds moved.
 */
export async function waitForVesting(devnet: Devnet, operator: Address): Promise<bigint> {
  const [, vestedBy] = await devnet.client.readContract({
    address: devnet.deployment.contracts.RewardsDistributor,
    abi: rewardsDistributorAbi,
    functionName: "vestingRewards",
    args: [operator],
  });
  const now = (await devnet.client.getBlock()).timestamp;
  if (vestedBy <= now) return 0n;
  await devnet.client.request({ method: "evm_increaseTime" as never, params: [Number(vestedBy - now)] as never });
  await devnet.client.request({ method: "evm_mine" as never, params: [] as never });
  return vestedBy - now;
}

/** Moves the chain's clock past the current reward epoch and mines a block. */
export async function rollEpoch(devnet: Devnet): Promise<bigint> {
  const schedule = await devnet.client.readContract({
    address: devnet.deployment.contracts.RewardsDistributor,
    abi: rewardsDistributorAbi,
    functionName: "schedule",
  });
  await devnet.client.request({
    method: "evm_increaseTime" as never,
    params: [Number(schedule.epochLength) + 1] as never,
  });
  await devnet.client.request({ method: "evm_mine" as never, params: [] as never });
  return BigInt(schedule.epochLength);
}

/**
 * Runs the demo. The network is returned running (the caller stops it with `network.stop()`, or
 * keeps the chain); on an exception everything started is stopped first.
 */
export async function runDemo(opts: DemoOptions, say: (line: string) => void): Promise<DemoResult> {
  fs.rmSync(opts.workDir, { recursive: true, force: true });
  fs.mkdirSync(opts.workDir, { recursive: true });
  const containerSkipped = opts.container ? await dockerProblem() : "skipped (--no-container)";
  const inferenceSkipped = (opts.inference ?? true) ? await inferenceProblem(PYTHON) : "skipped (--no-inference)";
  // The model the demo makes is read as file:// URIs: agents and oracles allow that folder only.
  const modelDir = path.join(opts.workDir, "model");
  const modelSeconds = inferenceSkipped ? 0 : await makeDemoModel(PYTHON, modelDir);
  const network = await startNetwork({
    port: opts.port,
    workDir: opts.workDir,
    agents: [
      ...Array.from({ length: opts.agents }, (_, i) => ({ name: `agent-${i + 1}` })),
      { name: "cheater", cheat: "corrupt-rows" as const },
      // One agent cheats in one kind (agent devCheat is one value): a second one for inference.
      ...(inferenceSkipped ? [] : [{ name: "cheater-llm", cheat: "cheaper-model" as const }]),
    ],
    // Oracles re-run sampled container items in Docker when it is there (PROTOCOL §13).
    oracleEnv: {
      ...(containerSkipped ? {} : { RIGEL_ORACLE_CONTAINER_EXECUTOR: "on" }),
      ...(inferenceSkipped ? {} : { RIGEL_ORACLE_INPUT_FILE_ROOTS: modelDir }),
    },
    agentEnv: inferenceSkipped ? {} : { RIGEL_AGENT_INPUT_FILE_ROOTS: modelDir },
    log: say,
  });
  // The results store the specs upload to (scripts/demo/resultsStore.ts, PROTOCOL §18.8).
  const resultsStore = await startDemoResultsStore(network.devnet, opts.workDir).catch(async (err) => {
    await network.stop();
    throw err;
  });
  const stopNetwork = network.stop.bind(network);
  network.stop = async (...args: Parameters<Network["stop"]>) => {
    await resultsStore.stop().catch(() => undefined);
    return stopNetwork(...args);
  };
  opts.onNetwork?.(network);
  try {
    const { devnet } = network;
    const { contracts } = devnet.deployment;
    say(`chain ${devnet.rpcUrl}, JobMarket ${contracts.JobMarket}, results store ${resultsStore.uploadUrl}`);

    // A delegator backs agent-1.
    const delegator = devnet.delegators[0];
    const delegated = parseEther("5000");
    await sendAs(devnet, delegator, {
      address: contracts.ComputeToken,
      abi: computeTokenAbi,
      functionName: "approve",
      args: [contracts.OperatorStaking, delegated],
    });
    await sendAs(devnet, delegator, {
      address: contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "delegate",
      args: [network.operators[0].address, delegated],
    });
    say("delegator delegated 5,000 RGL to agent-1");

    // The developer: planned matmul jobs over the honest agents, one job only the cheater may take,
    // and a container job.
    const dev = devnet.developers[0];
    const specDir = path.join(opts.workDir, "specs");
    fs.mkdirSync(specDir, { recursive: true });
    const cheater = network.operators[opts.agents].address;
    const llmCheater = inferenceSkipped ? undefined : network.operators[opts.agents + 1].address;
    const cheaters = llmCheater ? [cheater, llmCheater] : [cheater];
    const honest = network.operators.slice(0, opts.agents).map((o) => o.address);
    // `rigel job` amounts are whole RGL (wei only with the unit, "1000wei").
    const price = "1";
    const budget = "1000";
    const jobIds: bigint[] = [];
    // A planned matmul job: the spec written to a file, submitted with `rigel job submit --plan`.
    const submitPlannedMatmul = async (name: string, seed: string, maxShards: number, exclude: string[]) => {
      const file = path.join(specDir, `${name}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify({
          kind: "matmul-int8",
          seed,
          m: opts.size,
          n: opts.size,
          k: opts.size,
          uploadUrl: resultsStore.uploadUrl,
        }),
      );
      const res = await jobCommand(
        devnet,
        dev,
        ["submit", file, "--plan", "--max-shards", String(maxShards), "--exclude", exclude.join(",")].concat([
          "--budget",
          budget,
          "--max-price",
          price,
          "--deadline",
          "900",
          "--yes",
        ]),
        say,
      );
      const jobId = BigInt(res.jobId as string);
      jobIds.push(jobId);
      return jobId;
    };
    for (let j = 0; j < opts.jobs; j++) {
      const jobId = await submitPlannedMatmul(
        `matmul-${j + 1}`,
        `0x${(j + 1).toString(16).padStart(64, "0")}`,
        opts.shards,
        cheaters,
      );
      say(`developer submitted matmul job ${jobId} (${opts.size}³, planned over up to ${opts.shards} agents)`);
    }
    {
      const others = llmCheater ? [...honest, llmCheater] : honest;
      const jobId = await submitPlannedMatmul("matmul-cheated", `0x${"c".repeat(64)}`, 1, others);
      say(`developer submitted matmul job ${jobId}, which the cheating agent takes`);
    }
    let containerJobId: bigint | undefined;
    if (containerSkipped) {
      say(`container job: not run: ${containerSkipped}; the matmul jobs run alone`);
    } else {
      const file = path.join(specDir, "container.json");
      fs.writeFileSync(
        file,
        JSON.stringify({
          kind: "container",
          image: TEST_IMAGE,
          command: ["sh", "-c", 'echo "item $RIGEL_ITEM_INDEX: $RIGEL_ITEM" > "$RIGEL_OUTPUT/result.txt"'],
          memoryMiB: 64,
          timeoutSec: 60,
          items: ["alpha", "beta", "gamma", "delta"],
        }),
      );
      const res = await jobCommand(
        devnet,
        dev,
        // Assigned to honest agents, so the cheater's only shard is the job made for it.
        [
          "submit",
          file,
          "--shards",
          "2",
          "--operators",
          [honest[0], honest[1 % honest.length]].join(","),
          "--max-units",
          "60",
          "--max-price",
          price,
          "--deadline",
          "900",
          "--yes",
        ],
        say,
      );
      containerJobId = BigInt(res.jobId as string);
      jobIds.push(containerJobId);
      say(`developer submitted container job ${String(res.jobId)} (4 items over 2 shards)`);
    }

    // Inference: a small GPT-2 made here (file:// URIs for the local agents and oracles), 4 prompts
    // over 2 honest agents, priced per 1,000 tokens; and 2 prompts the cheating agent generates
    // with half the model's layers.
    let inference: Omit<NonNullable<DemoResult["inference"]>, "items"> | undefined;
    if (inferenceSkipped) {
      say(`inference jobs: not run: ${inferenceSkipped}`);
    } else {
      say(`made a 2-layer GPT-2 with infer.py make-model in ${modelSeconds.toFixed(1)} s (${modelDir})`);
      const submitInference = async (name: string, prompts: readonly string[], operators: Address[]) => {
        const res = await jobCommand(
          devnet,
          dev,
          [
            "submit",
            "--prompts",
            writePrompts(specDir, `${name}.jsonl`, prompts),
            "--model",
            modelDir,
            "--max-new-tokens",
            "12",
            "--shards",
            String(operators.length),
            "--operators",
            operators.join(","),
            "--max-price-per-1k-tokens",
            "1",
            "--deadline",
            "900",
            "--yes",
          ],
          say,
        );
        const jobId = BigInt(res.jobId as string);
        jobIds.push(jobId);
        say(
          `developer submitted inference job ${jobId} (${prompts.length} prompts over ${operators.length} shard(s), ` +
            `at most ${String(res.maxUnitsPerShard)} tokens per shard at 1 RGL per 1,000 tokens)`,
        );
        return jobId;
      };
      const jobId = await submitInference("inference", DEMO_PROMPTS, [honest[0], honest[1 % honest.length]]);
      const cheatedJobId = await submitInference("inference-cheated", CHEATED_PROMPTS, [llmCheater!]);
      inference = { jobId, cheatedJobId, cheater: llmCheater!, modelSeconds };
    }

    await followShards(network, jobIds, say, opts.timeoutMs ?? 6 * 60_000);

    // The developer downloads results from the agents, each checked against its on-chain root.
    const downloadable = containerJobId === undefined ? [jobIds[0]] : [jobIds[0], containerJobId];
    for (const jobId of downloadable) {
      const results = await jobCommand(
        devnet,
        dev,
        ["results", jobId.toString(), "--out", path.join(opts.workDir, "results")],
        say,
      );
      const shards = results.shards as { ok: boolean; bytes?: number }[];
      const bytes = shards.reduce((sum, s) => sum + (s.bytes ?? 0), 0);
      say(
        `developer downloaded job ${jobId}'s results: ${shards.length} shard(s), ${bytes.toLocaleString("en-US")} bytes, roots match the chain`,
      );
    }

    let items: DemoItem[] = [];
    if (inference) {
      const results = await jobCommand(
        devnet,
        dev,
        ["results", inference.jobId.toString(), "--out", path.join(opts.workDir, "results")],
        say,
      );
      items = (results.items as DemoItem[] | undefined) ?? [];
      say(`developer downloaded inference job ${inference.jobId}'s ${items.length} item(s), roots match the chain`);
    }

    // Roll a reward epoch, then the operator and the delegator claim.
    const epoch = await rollEpoch(devnet);
    say(`rolled the reward epoch (${epoch} s)`);
    const op1 = network.operators[0];
    await sendAs(devnet, op1, {
      address: contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "settleOperator",
      args: [op1.address],
    });
    const waited = await waitForVesting(devnet, op1.address);
    if (waited > 0n) say(`moved the clock ${waited} s: agent-1's commission and self share vested (PROTOCOL §10.9)`);
    const claimable = await devnet.client.readContract({
      address: contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "claimableRewards",
      args: [op1.address],
    });
    if (claimable > 0n) {
      await sendAs(devnet, op1, {
        address: contracts.RewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "claim",
        args: [op1.address],
      });
      say(`agent-1 claimed ${Number(claimable) / 1e18} RGL of rewards`);
    } else say("agent-1 had no rewards to claim");
    const info = await devnet.client.readContract({
      address: contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [op1.address],
    });
    if (info.poolTokens > delegated) {
      await sendAs(devnet, delegator, {
        address: contracts.OperatorStaking,
        abi: operatorStakingAbi,
        functionName: "claimRewards",
        args: [op1.address],
      });
      say("delegator claimed its share of agent-1's pool rewards");
    } else say("the delegator's pool earned nothing to claim yet");

    // Pull payments (PROTOCOL §20.1): the market credited every payout and refund; each operator
    // (`rigel agent withdraw`) and the developer (`rigel job withdraw`) withdraws what it is owed.
    const withdrawals = await withdrawAll(devnet, [...network.operators, dev], network.names);
    for (const w of withdrawals) say(`${w.name} withdrew ${Number(w.amount) / 1e18} RGL the market owed it`);

    // What happened, from the chain alone.
    const summary = await buildSummary(devnet.client, devnet.deployment);
    const conservation = await checkConservation(devnet.client, devnet.deployment);
    const failures: string[] = [];
    if (!summary.shards.some((s) => s.operator === cheater && s.outcome === "Failed" && s.slashed > 0n)) {
      failures.push("the cheat was not slashed");
    }
    if (inference) {
      const cheated = summary.shards.filter((s) => s.jobId === inference.cheatedJobId);
      if (!cheated.every((s) => s.operator === inference.cheater && s.outcome === "Failed" && s.slashed > 0n)) {
        failures.push("the inference cheat (cheaper-model) was not slashed");
      }
      if (items.length !== DEMO_PROMPTS.length) failures.push("the inference job's items were not all downloaded");
    }
    if (
      !summary.shards.filter((s) => s.operator && honest.includes(s.operator)).every((s) => s.outcome === "Settled")
    ) {
      failures.push("an honest shard did not settle");
    }
    if (!conservation.ok) failures.push("conservation failed");
    if (summary.operators.some((o) => o.owed > 0n) || summary.developers.some((d) => d.owed > 0n)) {
      failures.push("something is still owed after every withdrawal");
    }
    return {
      network,
      summary,
      conservation,
      names: network.names,
      jobIds,
      cheater,
      honest,
      containerSkipped,
      inference: inference && { ...inference, items },
      inferenceSkipped,
      failures,
      logsDir: path.join(opts.workDir, "logs"),
    };
  } catch (err) {
    await network.stop();
    throw err;
  }
}

/**
 * Each account withdraws the RGL the market owes it (`JobMarket.withdraw(token, to)`, what
 * `rigel agent withdraw` and `rigel job withdraw` send); accounts owed nothing send nothing.
 */
async function withdrawAll(
  devnet: Devnet,
  accounts: DevAccount[],
  names: Record<string, string>,
): Promise<{ name: string; amount: bigint }[]> {
  const { JobMarket: market, ComputeToken: rgl } = devnet.deployment.contracts;
  const done: { name: string; amount: bigint }[] = [];
  for (const who of accounts) {
    const owed = await devnet.client.readContract({
      address: market,
      abi: jobMarketAbi,
      functionName: "owedOf",
      args: [rgl, who.address],
    });
    if (owed === 0n) continue;
    await sendAs(devnet, who, {
      address: market,
      abi: jobMarketAbi,
      functionName: "withdraw",
      args: [rgl, who.address],
    });
    done.push({ name: names[who.address] ?? who.address, amount: owed });
  }
  return done;
}

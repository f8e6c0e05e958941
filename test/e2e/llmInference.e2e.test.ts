// Verified language-model inference end to end (docs/PROTOCOL.md §19) on real processes: a `hardhat
// node`, three oracles (2 of 3) and three agents running the real runtime (sdk/python/infer.py) on a
// small model made by `infer.py make-model`. An honest 2-shard job settles Valid and pays for the
// tokens generated; a cheater with `devCheat: cheaper-model` (half the layers) is found Invalid and
// slashed; oracle 3 runs with a python that does not exist, so it cannot verify: it defers (503) on
// every proof and never signs anything, while oracles 1 and 2 make the quorum.
// Ports: chain 9400, oracles 9401–9403, agents 9411–9413.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEther, type Address } from "viem";
import { runLlmShard } from "../../agent/work/llmShard";
import { jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { createJob } from "../../sdk/market/createJob";
import { readShard } from "../../sdk/market/readShard";
import { OracleClient } from "../../sdk/oracleApi/client";
import type { LlmInferenceSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { llmRangeMaxUnits, llmShardItems } from "../../sdk/spec/shardWork";
import { checkConservation } from "../../scripts/lib/conservation";
import { startNetwork, walletOf, type Network } from "../../scripts/lib/network";
import { makeTestModel } from "../sdk/llm/makeTestModel";
import { rglOwed, waitForShard } from "./helpers/jobs";

const quiet = process.env.RIGEL_E2E_VERBOSE ? (line: string) => console.log(`      ${line}`) : () => undefined;
const PORT = 9400;
const PRICE = parseEther("0.001");
const PROMPTS = [
  "Hello world",
  "The quick brown fox",
  "Rigel verifies inference",
  "one two three",
  "a b c d",
  "GPUs everywhere",
];

describe("end to end: verified llm-inference (PROTOCOL §19)", function () {
  this.timeout(20 * 60_000);
  let network: Network;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-e2e-llm-"));
  let spec: LlmInferenceSpec;

  before(async function () {
    spec = parseJobSpec({
      kind: "llm-inference",
      model: makeTestModel(path.join(workDir, "model")),
      items: PROMPTS,
      maxNewTokens: 6,
    }) as LlmInferenceSpec;
    network = await startNetwork({
      port: PORT,
      workDir,
      agents: [{ name: "agent-1" }, { name: "agent-2" }, { name: "cheater", cheat: "cheaper-model" }],
      agentEnv: { RIGEL_AGENT_INPUT_FILE_ROOTS: workDir, RIGEL_AGENT_KINDS: "llm-inference" },
      oracleEnv: { RIGEL_ORACLE_INPUT_FILE_ROOTS: workDir, RIGEL_ORACLE_CONTAINER_EXECUTOR: "off" },
      oracleEnvs: [undefined, undefined, { RIGEL_ORACLE_PYTHON_PATH: path.join(workDir, "no-such-python") }],
      log: quiet,
    });
  });

  after(async function () {
    await network?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (!network) return;
    const report = await checkConservation(network.devnet.client, network.devnet.deployment);
    expect(report.problems, report.problems.join("\n")).to.deep.equal([]);
  });

  const developer = () => network.devnet.developers[0];

  async function selfStake(operator: Address): Promise<bigint> {
    const info = await network.devnet.client.readContract({
      address: network.devnet.deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [operator],
    });
    return info.selfStake;
  }

  async function createLlmJob(operators: Address[]) {
    const { devnet } = network;
    const now = (await devnet.client.getBlock()).timestamp;
    return createJob(
      { publicClient: devnet.client, walletClient: walletOf(devnet, developer()) as never },
      {
        market: devnet.deployment.contracts.JobMarket,
        spec,
        shards: operators.length,
        shardOperators: operators,
        paymentToken: devnet.deployment.contracts.ComputeToken,
        maxPricePerUnit: PRICE,
        deadline: now + 3n * 3600n,
      },
    );
  }

  /** The tokens an honest run of the shard's items makes: Σ(prompt + generated), from the runtime itself. */
  async function honestTokens(shards: number, shard: number): Promise<bigint> {
    const dir = fs.mkdtempSync(path.join(workDir, "reference-"));
    const r = await runLlmShard({
      spec,
      items: llmShardItems(spec, shards, shard),
      workDir: dir,
      cacheDir: path.join(dir, "cache"),
      itemOutputDir: (i) => path.join(dir, "items", String(i)),
      timeoutMs: 120_000,
    });
    return r.units;
  }

  /**
   * Oracle 3 received proofs and deferred them (503 ORACLE_EXECUTOR_UNAVAILABLE: its python does
   * not start), and holds no attestation for the shard: it signed nothing, Invalid least of all.
   */
  async function oracle3SignedNothing(jobId: bigint, shard: number): Promise<void> {
    const client = new OracleClient({ baseUrl: network.oracleUrls[2] });
    expect(await client.getAttestation(jobId, shard)).to.equal(undefined);
    const metrics = await (await fetch(`${network.oracleUrls[2]}/metrics`)).text();
    expect(metrics).to.match(/rigel_oracle_http_requests_total\{[^}]*proofs[^}]*status="503"[^}]*\} [1-9]/);
    const log = fs.readFileSync(network.oracles[2].logFile, "utf8");
    expect(log).to.contain("the inference runtime cannot start here");
  }

  it("an honest 2-shard job settles Valid and pays each operator for the tokens it generated; the oracle that cannot run the model signs nothing", async function () {
    const [op1, op2] = network.operators;
    const { jobId } = await createLlmJob([op1.address, op2.address]);
    const before = await Promise.all([rglOwed(network.devnet, op1.address), rglOwed(network.devnet, op2.address)]);
    for (const shard of [0, 1]) {
      expect(await waitForShard(network.devnet, jobId, shard, ["Settled", "Failed"], 300_000)).to.equal("Settled");
    }
    const logs = await network.devnet.client.getContractEvents({
      address: network.devnet.deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "ShardSettled",
      args: { jobId },
      fromBlock: 0n,
    });
    expect(logs).to.have.length(2);
    for (const [shard, op] of [op1, op2].entries()) {
      const settled = logs.find((l) => l.args.shard === shard)!;
      const tokens = await honestTokens(2, shard);
      // Units are the tokens generated (prompt + new), within the shard's bound Σ(bytes + maxNewTokens).
      expect(BigInt(settled.args.units!)).to.equal(tokens);
      expect(tokens <= llmRangeMaxUnits(spec, llmShardItems(spec, 2, shard))).to.equal(true);
      expect(settled.args.operator).to.equal(op.address);
      expect(settled.args.paid! + settled.args.fee!).to.equal(tokens * PRICE);
      const onChain = await readShard(network.devnet.client, {
        market: network.devnet.deployment.contracts.JobMarket,
        jobId,
        shard,
      });
      expect(onChain.units).to.equal(tokens);
      await oracle3SignedNothing(jobId, shard);
    }
    // Each operator was credited exactly what it was paid (pull payments, PROTOCOL §20.1).
    expect(await rglOwed(network.devnet, op1.address)).to.equal(
      before[0] + logs.find((l) => l.args.shard === 0)!.args.paid!,
    );
    expect(await rglOwed(network.devnet, op2.address)).to.equal(
      before[1] + logs.find((l) => l.args.shard === 1)!.args.paid!,
    );
  });

  it("a cheater generating with half the layers (devCheat cheaper-model) is found Invalid and slashed; the developer is refunded", async function () {
    const cheater = network.operators[2];
    const stake = await selfStake(cheater.address);
    const { jobId } = await createLlmJob([cheater.address]);
    expect(await waitForShard(network.devnet, jobId, 0, ["Settled", "Failed"], 300_000)).to.equal("Failed");
    const [failed] = await network.devnet.client.getContractEvents({
      address: network.devnet.deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "ShardFailed",
      args: { jobId },
      fromBlock: 0n,
    });
    expect(failed.args.operator).to.equal(cheater.address);
    expect(failed.args.slashed! > 0n).to.equal(true);
    expect(await selfStake(cheater.address)).to.equal(stake - failed.args.slashed!);
    expect(failed.args.refund).to.equal(llmRangeMaxUnits(spec, { start: 0, end: PROMPTS.length }) * PRICE);
    // Oracles 1 and 2 signed Invalid for the runtime's reason; oracle 3 could not verify and signed nothing.
    for (const url of network.oracleUrls.slice(0, 2)) {
      const signed = await new OracleClient({ baseUrl: url }).getAttestation(jobId, 0);
      expect(signed?.attestation.verdict).to.equal(2);
      expect(signed?.reason).to.match(/^ACTIVATIONS_MISMATCH: item \d+: /);
    }
    await oracle3SignedNothing(jobId, 0);
  });
});

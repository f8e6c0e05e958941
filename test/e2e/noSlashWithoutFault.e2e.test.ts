// No slash without the operator's fault (docs/PROTOCOL.md §18.1), end to end on real processes: a
// `hardhat node`, three oracles (2 of 3; oracles 2 and 3 reach the chain through TCP proxies so that
// their RPC can fail alone), two agents, and a third operator driven by hand from the test (its agent
// is stopped) so that a scenario controls exactly what it posts. Each scenario is one row of the
// fault table, named as the row reads: the failure, whose fault it is, and the outcome. In every one
// the honest operator is not slashed (its stake is unchanged) and every token is conserved
// (scripts/lib/conservation.ts, after each test). Scenarios that would have slashed under the old
// rules say how in a comment.
// Ports: chain 9160, oracles 9161–9163, agents 9171–9173, oracle RPC proxies 9181/9182, spec server 9185.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keccak256, parseEther, toHex, type Address, type GetContractEventsReturnType, type Hex } from "viem";
import { downloadShardResults } from "../../sdk/agentApi/results";
import { commitOutputs } from "../../sdk/executor/commitOutputs";
import { revealItemSample } from "../../sdk/itemSample/revealItemSample";
import { jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { createJob } from "../../sdk/market/createJob";
import { readShard } from "../../sdk/market/readShard";
import { OracleClient, OracleRequestError } from "../../sdk/oracleApi/client";
import type { SignedShardAttestation } from "../../sdk/oracleApi/types";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import type { JobSpec, MatmulInt8Spec } from "../../sdk/spec/jobSpecTypes";
import { checkConservation } from "../../scripts/lib/conservation";
import { sendAs, startNetwork, walletOf, type Network } from "../../scripts/lib/network";
import { HandOperator, type HandShard } from "./helpers/handOperator";
import { rglHeld, shardState, waitForShard } from "./helpers/jobs";
import { startTcpProxy, type TcpProxy } from "./helpers/tcpProxy";

const quiet = process.env.RIGEL_E2E_VERBOSE ? (line: string) => console.log(`      ${line}`) : () => undefined;
const TEST_IMAGE = "rigel/busybox:test";
const PORT = 9160;
/** Reveal window at the dev-chain defaults: half the verify window of 3600 s. */
const REVEAL_SEC = 1800;
const VERIFY_SEC = 3600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("end to end: no slash without the operator's fault (PROTOCOL §18.1)", function () {
  this.timeout(20 * 60_000);
  let network: Network;
  const proxies: TcpProxy[] = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-e2e-fault-"));
  let hand: HandOperator;
  let seed = 700;

  before(async function () {
    for (const port of [9181, 9182]) proxies.push(await startTcpProxy(port, PORT));
    network = await startNetwork({
      port: PORT,
      workDir,
      agents: [{ name: "agent-1" }, { name: "agent-2" }, { name: "hand" }],
      oracleRpcUrls: [undefined, proxies[0].url, proxies[1].url],
      oracleEnv: { RIGEL_ORACLE_CONTAINER_EXECUTOR: "on" },
      // These cases are the on-chain path's rules (reveal deadline, sweeps, expiry): the agents
      // accept and submit. Claims (§20.10) settle only on Valid and have their own tests.
      agentEnv: { RIGEL_AGENT_CLAIMS: "false" },
      log: quiet,
    });
    // The third operator is driven by the test itself.
    await network.agents[2].stop();
    hand = new HandOperator(network.devnet, network.operators[2], network.oracleUrls);
  });

  after(async function () {
    await network?.stop();
    for (const proxy of proxies) await proxy.close();
    removeContainersUnder(workDir);
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (!network) return;
    const report = await checkConservation(network.devnet.client, network.devnet.deployment);
    expect(report.problems, report.problems.join("\n")).to.deep.equal([]);
  });

  // ------------------------------------------------------------------ helpers

  const market = () => network.devnet.deployment.contracts.JobMarket;
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

  /** Chain time moves on by `seconds` (one block mined). */
  async function advance(seconds: number): Promise<void> {
    await network.devnet.client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await network.devnet.client.request({ method: "evm_mine" as never, params: [] as never });
  }

  /** Waits until every running oracle has finished a main-loop pass (chain watch and sweep) over the latest block. */
  async function oraclesCaughtUp(): Promise<void> {
    for (let round = 0; round < 2; round++) {
      await network.devnet.client.request({ method: "evm_mine" as never, params: [] as never });
      const head = await network.devnet.client.getBlockNumber({ cacheTime: 0 });
      for (const [i, url] of network.oracleUrls.entries()) {
        if (network.oracles[i].exited()) continue;
        const until = Date.now() + 120_000;
        for (;;) {
          const health = await fetch(`${url}/healthz`)
            .then((r) => r.json() as Promise<{ lastBlock: string | null }>)
            .catch(() => ({ lastBlock: null }));
          if (health.lastBlock !== null && BigInt(health.lastBlock) >= head) break;
          if (Date.now() > until) throw new Error(`oracle ${i + 1} did not reach block ${head}`);
          await sleep(200);
        }
      }
    }
  }

  async function createSpecJob(
    spec: JobSpec,
    p: { operators?: Address[]; maxUnitsPerShard?: bigint; price?: bigint; specURI?: string },
  ): Promise<{ jobId: bigint; escrow: bigint; spec: JobSpec }> {
    const { devnet } = network;
    const now = (await devnet.client.getBlock()).timestamp;
    const shards = p.operators?.length ?? 1;
    const created = await createJob(
      { publicClient: devnet.client, walletClient: walletOf(devnet, developer()) as never },
      {
        market: market(),
        spec,
        shards,
        shardOperators: p.operators ?? [],
        maxUnitsPerShard: p.maxUnitsPerShard ?? (spec.kind === "container" ? 60n : undefined),
        paymentToken: devnet.deployment.contracts.ComputeToken,
        maxPricePerUnit: p.price ?? parseEther("0.01"),
        deadline: now + 3n * 3600n,
        specURI: p.specURI,
      },
    );
    return { jobId: created.jobId, escrow: created.escrow, spec: created.spec };
  }

  const matmulSpec = (size: number): MatmulInt8Spec =>
    parseJobSpec({
      kind: "matmul-int8",
      seed: `0x${(seed++).toString(16).padStart(64, "0")}`,
      m: size,
      n: size,
      k: size,
    }) as MatmulInt8Spec;

  const containerSpec = (script: string, items: string[], verification: "sampled" | "receipt" = "sampled") =>
    parseJobSpec({
      kind: "container",
      image: TEST_IMAGE,
      command: ["sh", "-c", script],
      memoryMiB: 64,
      timeoutSec: 60,
      items,
      verification,
      env: { TEST_SEED: String(seed++) },
    });

  /** Containers of `jobId` running now (the agent's are gone once it submitted: these are oracles' re-runs). */
  function runningContainers(jobId: bigint): string[] {
    const out = execFileSync("docker", ["ps", "-q", "--filter", `label=rigel.job=${jobId}`], { encoding: "utf8" });
    return out.split("\n").filter((line) => line.trim() !== "");
  }

  async function waitForRerun(jobId: bigint): Promise<void> {
    const until = Date.now() + 120_000;
    while (runningContainers(jobId).length === 0) {
      if (Date.now() > until) throw new Error(`no oracle re-ran job ${jobId}`);
      await sleep(100);
    }
  }

  async function postUntilAnswered(request: Parameters<HandOperator["post"]>[0]) {
    const until = Date.now() + 60_000;
    for (;;) {
      const answers = await hand.post(request);
      if (!answers.some((a) => !(a instanceof Error) && a.status === "pending")) return answers;
      if (Date.now() > until) throw new Error("oracles still pending");
      await sleep(300);
    }
  }

  /** The signed verdicts among the oracles' answers. */
  const signedAnswers = (answers: Awaited<ReturnType<HandOperator["post"]>>) =>
    answers.filter((a): a is SignedShardAttestation => !(a instanceof Error) && a.status === "signed");

  async function handMatmulShard(size = 64): Promise<{ shard: HandShard; stake: bigint }> {
    const spec = matmulSpec(size);
    const { jobId } = await createSpecJob(spec, { operators: [hand.address], maxUnitsPerShard: 1n });
    const stake = await selfStake(hand.address);
    return { shard: await hand.acceptAndSubmit(spec, jobId, 1, 0), stake };
  }

  /** The arguments of the one `eventName` event of `jobId` (fails the test unless there is exactly one). */
  async function oneEventOf<E extends "ShardDeveloperFault" | "ShardExpired">(
    eventName: E,
    jobId: bigint,
  ): Promise<GetContractEventsReturnType<typeof jobMarketAbi, E>[number]["args"]> {
    const logs = await network.devnet.client.getContractEvents({
      address: market(),
      abi: jobMarketAbi,
      eventName,
      args: { jobId } as never, // viem cannot type indexed args for a generic event name
      fromBlock: 0n,
    });
    expect(logs, `${eventName} of job ${jobId}`).to.have.length(1);
    return logs[0].args;
  }

  // ------------------------------------------------------------------ nobody's fault, or the oracle's

  it("proofs from outsiders with fresh keys (nobody's fault): refused before any work; the operator's proof settles", async function () {
    // Old rule: the oracle joined concurrent proofs by job and shard only and checked the operator
    // after an RPC round trip, so a loop of fresh-key requests made the agent's own proofs fail 403
    // until the reveal deadline, and the sweep then slashed it (MISSING_REVEAL).
    const operator = network.operators[0];
    const stake = await selfStake(operator.address);
    const { jobId } = await createSpecJob(matmulSpec(256), { operators: [operator.address], maxUnitsPerShard: 1n });
    let done = false;
    const refused = new Map<string, number>();
    let signedForOutsider = 0;
    const outsider = async () => {
      while (!done) {
        const account = privateKeyToAccount(generatePrivateKey());
        const url = network.oracleUrls[Math.floor(Math.random() * 3)];
        try {
          const answer = await new OracleClient({ baseUrl: url, account }).submitProof({
            jobId: jobId.toString(),
            shard: 0,
            operator: account.address,
            resultRoot: `0x${"ab".repeat(32)}` as Hex,
            units: "1",
            kind: "matmul-int8",
            rows: [],
          });
          if (answer.status === "signed") signedForOutsider++;
        } catch (err) {
          const code = err instanceof OracleRequestError ? err.code : (err as Error).name;
          refused.set(code, (refused.get(code) ?? 0) + 1);
        }
      }
    };
    const burst = Array.from({ length: 6 }, outsider);
    try {
      expect(await waitForShard(network.devnet, jobId, 0, ["Settled", "Failed", "Expired"])).to.equal("Settled");
    } finally {
      done = true;
      await Promise.all(burst);
    }
    quiet(`outsiders refused: ${JSON.stringify(Object.fromEntries(refused))}`);
    expect(signedForOutsider).to.equal(0);
    expect(refused.get("ORACLE_WRONG_OPERATOR") ?? 0).to.be.greaterThan(0);
    expect(await selfStake(operator.address)).to.equal(stake);
  });

  it("a sample drawn from another block's beacon (nobody's fault proven): 400, nothing signed; the right sample settles", async function () {
    // Old rule: rows at indices that are not the beacon's sample were signed Invalid (a reorg of the
    // beacon block, or another s, slashed an operator that computed every row right).
    const { shard, stake } = await handMatmulShard();
    const stale = await hand.beacon(shard, shard.submittedBlock - 1n);
    const refused = await postUntilAnswered(hand.proofRequest(shard, stale));
    for (const answer of refused) {
      expect(answer).to.be.instanceOf(OracleRequestError);
      expect((answer as OracleRequestError).code).to.equal("ORACLE_SAMPLE_MISMATCH");
      expect((answer as OracleRequestError).status).to.equal(400);
    }
    const answers = await postUntilAnswered(hand.proofRequest(shard, await hand.beacon(shard)));
    const signed = signedAnswers(answers);
    expect(signed.map((a) => a.attestation.verdict)).to.deep.equal([1, 1, 1]);
    await hand.settle(signed);
    expect(await waitForShard(network.devnet, shard.jobId, 0, ["Settled", "Failed"])).to.equal("Settled");
    expect(await selfStake(hand.address)).to.equal(stake);
  });

  it("the oracles cannot read the job's spec (the oracle's trouble): nothing signed, no MISSING_REVEAL; the shard expires with a refund and no slash", async function () {
    // Old rule: ORACLE_SPEC_UNREADABLE was not recorded as a proof in time, so after the reveal
    // deadline every oracle's sweep signed MISSING_REVEAL: the honest operator lost its collateral.
    const { devnet } = network;
    const operator = network.operators[0];
    const spec = matmulSpec(64);
    let jobId = 0n;
    // The spec is served while the shard is open or accepted (agents read it then) and refused once
    // it is submitted (when the oracles read it).
    const server = http.createServer((_req, res) => {
      void (async () => {
        const state = jobId === 0n ? 0 : (await readShard(devnet.client, { market: market(), jobId, shard: 0 })).state;
        if (state >= 2) {
          res.writeHead(503).end("unavailable");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(hashJobSpec(spec).canonical);
      })();
    });
    await new Promise<void>((resolve) => server.listen(9185, "127.0.0.1", resolve));
    try {
      const stake = await selfStake(operator.address);
      const developerBefore = await rglHeld(network.devnet, developer().address);
      const created = await createSpecJob(spec, {
        operators: [operator.address],
        maxUnitsPerShard: 1n,
        specURI: "http://127.0.0.1:9185/spec.json",
      });
      jobId = created.jobId;
      await waitForShard(devnet, jobId, 0, ["Submitted"]);
      await waitForRefusals("ORACLE_SPEC_UNREADABLE");
      await advance(REVEAL_SEC + 60);
      await oraclesCaughtUp();
      await oraclesCaughtUp();
      expect(await shardState(network.devnet, jobId, 0)).to.equal("Submitted");
      await advance(VERIFY_SEC);
      await sendAs(devnet, developer(), {
        address: market(),
        abi: jobMarketAbi,
        functionName: "expire",
        args: [jobId, 0],
      });
      expect(await shardState(network.devnet, jobId, 0)).to.equal("Expired");
      const expired = await oneEventOf("ShardExpired", jobId);
      expect(expired).to.include({ noShow: false, slashed: 0n });
      expect(await selfStake(operator.address)).to.equal(stake);
      expect(await rglHeld(network.devnet, developer().address)).to.equal(developerBefore);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("the RPC of two oracles down across the reveal deadline (the oracle's trouble): no MISSING_REVEAL; the shard settles when it is back", async function () {
    // Old rule: once their RPC came back past the reveal deadline, oracles 2 and 3 found no valid
    // proof recorded and signed MISSING_REVEAL (or LATE_REVEAL for the agent's retry): Invalid, slashed.
    const operator = network.operators[0];
    const stake = await selfStake(operator.address);
    for (const proxy of proxies) await proxy.down();
    let jobId = 0n;
    try {
      ({ jobId } = await createSpecJob(matmulSpec(64), { operators: [operator.address], maxUnitsPerShard: 1n }));
      await waitForShard(network.devnet, jobId, 0, ["Submitted"]);
      await sleep(3_000);
      await advance(REVEAL_SEC + 60);
      await sleep(3_000);
      expect(await shardState(network.devnet, jobId, 0)).to.equal("Submitted");
    } finally {
      for (const proxy of proxies) await proxy.up();
    }
    expect(await waitForShard(network.devnet, jobId, 0, ["Settled", "Failed", "Expired"])).to.equal("Settled");
    expect(await selfStake(operator.address)).to.equal(stake);
  });

  it("an in-time proof still being re-run when the reveal deadline passes (the oracle's trouble): verified, not MISSING_REVEAL", async function () {
    // Old rule: the sweep ran beside verifications in progress and signed MISSING_REVEAL for a shard
    // whose sampled items were still being re-run; the later Valid was refused as equivocation.
    const operator = network.operators[1];
    const stake = await selfStake(operator.address);
    const spec = containerSpec('sleep 2; echo "$RIGEL_ITEM" > "$RIGEL_OUTPUT/r.txt"', ["a", "b", "c", "d"]);
    const { jobId } = await createSpecJob(spec, { operators: [operator.address] });
    await waitForShard(network.devnet, jobId, 0, ["Submitted"]);
    await waitForRerun(jobId);
    await advance(REVEAL_SEC + 60);
    expect(await waitForShard(network.devnet, jobId, 0, ["Settled", "Failed", "Expired"])).to.equal("Settled");
    expect(await selfStake(operator.address)).to.equal(stake);
  });

  it("two oracles restarted mid-verification (the oracle's trouble): the proof's arrival survives; the shard settles and results are released only then", async function () {
    // Old rule: the restarted oracles had no record of the in-time proof, and past the reveal
    // deadline their sweeps signed MISSING_REVEAL: a 2-of-3 Invalid quorum.
    const { devnet } = network;
    const operator = network.operators[1];
    const stake = await selfStake(operator.address);
    const spec = containerSpec('sleep 2; echo "$RIGEL_ITEM" > "$RIGEL_OUTPUT/r.txt"', ["e", "f", "g"]);
    const { jobId } = await createSpecJob(spec, { operators: [operator.address] });
    await waitForShard(devnet, jobId, 0, ["Submitted"]);
    await waitForRerun(jobId);
    await network.oracles[1].kill();
    await network.oracles[2].kill();
    removeContainersUnder(path.join(workDir, "oracle-2"));
    removeContainersUnder(path.join(workDir, "oracle-3"));
    await advance(REVEAL_SEC + 60);

    // Before settlement the developer gets no results (PROTOCOL §18.7).
    const onChain = await readShard(devnet.client, { market: market(), jobId, shard: 0 });
    // The result URI is emitted in ShardSubmitted, not stored (PROTOCOL §20.3).
    const [submitted] = await devnet.client.getContractEvents({
      address: market(),
      abi: jobMarketAbi,
      eventName: "ShardSubmitted",
      args: { jobId, shard: 0 },
      fromBlock: devnet.deployment.block,
      strict: true,
    });
    const resultURI = submitted.args.resultURI;
    const early = await downloadShardResults(resultURI, developer().account, path.join(workDir, "early")).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(early?.message ?? "downloaded").to.match(/AGENT_RESULTS_NOT_RELEASED|409/);

    await network.startOracle(1);
    await network.startOracle(2);
    expect(await waitForShard(devnet, jobId, 0, ["Settled", "Failed", "Expired"])).to.equal("Settled");
    expect(await selfStake(operator.address)).to.equal(stake);
    const results = await downloadShardResults(resultURI, developer().account, path.join(workDir, "late"), {
      expectedRoot: onChain.resultRoot,
    });
    expect(results.files.length).to.be.greaterThan(0);
  });

  it("a reorg moves the submission to another block (chain trouble): the old beacon's sample is refused 400; the new one settles", async function () {
    // Old rule: the oracle signed Invalid for rows that were not the sample of the beacon it read,
    // so a proof drawn from the block the chain later dropped slashed an operator that did the work.
    const { devnet } = network;
    const spec = matmulSpec(64);
    const { jobId } = await createSpecJob(spec, { operators: [hand.address], maxUnitsPerShard: 1n });
    const stake = await selfStake(hand.address);
    await hand.accept(jobId, 0);
    const work = await hand.compute(spec, jobId, 1, 0);
    const snapshot = await devnet.client.request({ method: "evm_snapshot" as never, params: [] as never });
    const dropped = await hand.submit(work);
    const oldBeacon = await hand.beacon(dropped);
    await oraclesCaughtUp();
    // The submission's block is replaced: the same transaction lands one block later.
    await devnet.client.request({ method: "evm_revert" as never, params: [snapshot] as never });
    await devnet.client.request({ method: "evm_mine" as never, params: [] as never });
    const kept = await hand.submit(work);
    expect(kept.submittedBlock).to.equal(dropped.submittedBlock + 1n);
    for (const answer of await postUntilAnswered(hand.proofRequest(kept, oldBeacon))) {
      expect((answer as OracleRequestError).code).to.equal("ORACLE_SAMPLE_MISMATCH");
    }
    const answers = await postUntilAnswered(hand.proofRequest(kept, await hand.beacon(kept)));
    const signed = signedAnswers(answers);
    expect(signed.map((a) => a.attestation.verdict)).to.deep.equal([1, 1, 1]);
    await hand.settle(signed);
    expect(await shardState(network.devnet, jobId, 0)).to.equal("Settled");
    expect(await selfStake(hand.address)).to.equal(stake);
  });

  it("an oracle restored from an old backup (the oracle's trouble): it sees its own newer signature on-chain and halts instead of signing again", async function () {
    // Old rule: the protection against a second verdict lived only in the node's database, so a
    // restored backup signed on as if it had never decided, and could sign a second, different
    // verdict for a shard (equivocation: its whole bond).
    const dir = path.join(workDir, "oracle-3");
    const backup = path.join(workDir, "oracle-3.backup");
    const current = path.join(workDir, "oracle-3.current");
    await network.oracles[2].stop();
    fs.cpSync(dir, backup, { recursive: true });
    await network.startOracle(2);

    const { shard } = await handMatmulShard();
    const answers = await postUntilAnswered(hand.proofRequest(shard, await hand.beacon(shard)));
    const signed = signedAnswers(answers);
    expect(signed).to.have.length(3);
    await hand.settle(signed);
    expect(await shardState(network.devnet, shard.jobId, 0)).to.equal("Settled");

    await network.oracles[2].stop();
    fs.renameSync(dir, current);
    fs.renameSync(backup, dir);
    try {
      await network.startOracle(2, { anyStatus: true });
      const until = Date.now() + 120_000;
      let health: { ok: boolean; signingHalted: { subject: string } | null } | undefined;
      while (!health?.signingHalted) {
        if (Date.now() > until) throw new Error(`oracle 3 did not halt: ${JSON.stringify(health)}`);
        await sleep(250);
        health = await fetch(`${network.oracleUrls[2]}/healthz`).then((r) => r.json());
      }
      expect(health.ok).to.equal(false);
      expect(health.signingHalted.subject).to.contain(`:${shard.jobId}:0`);
    } finally {
      // The newer data and log go back: the node signs again.
      await network.oracles[2].stop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(current, dir);
      await network.startOracle(2);
    }
  });

  // ------------------------------------------------------------------ the developer's fault

  it("an item that fails (the developer's code): DeveloperFault; the operator is paid for its time, the developer refunded the rest, no slash", async function () {
    // Old rule: the agent never submitted a failed shard; it expired as a no-show and the operator
    // was slashed, the developer paid from the slash with its escrow back.
    const operator = network.operators[0];
    const stake = await selfStake(operator.address);
    const spec = containerSpec(
      'if [ "$RIGEL_ITEM" = boom ]; then echo "no such model" >&2; exit 3; fi; echo "$RIGEL_ITEM" > "$RIGEL_OUTPUT/r.txt"',
      ["ok", "boom"],
    );
    const developerBefore = await rglHeld(network.devnet, developer().address);
    const operatorBefore = await rglHeld(network.devnet, operator.address);
    const { jobId, escrow } = await createSpecJob(spec, { operators: [operator.address] });
    expect(await waitForShard(network.devnet, jobId, 0, ["DeveloperFault", "Failed", "Expired", "Settled"])).to.equal(
      "DeveloperFault",
    );
    const { units, paid, fee, refund } = await oneEventOf("ShardDeveloperFault", jobId);
    expect(units! > 0n).to.equal(true);
    expect(paid! + fee! + refund!).to.equal(escrow);
    expect(await rglHeld(network.devnet, operator.address)).to.equal(operatorBefore + paid!);
    expect(await rglHeld(network.devnet, developer().address)).to.equal(developerBefore - escrow + refund!);
    expect(await selfStake(operator.address)).to.equal(stake);
  });

  it("an item whose output is not reproducible (the developer's code): DeveloperFault ITEM_NOT_REPRODUCIBLE, no slash", async function () {
    // Old rule: the oracle's re-run hashed differently from the operator's and it signed Invalid
    // ITEM_OUTPUT_MISMATCH: the operator was slashed for the developer's randomness.
    const operator = network.operators[1];
    const stake = await selfStake(operator.address);
    const spec = containerSpec('head -c 16 /dev/urandom > "$RIGEL_OUTPUT/r.bin"', ["x", "y"]);
    const { jobId } = await createSpecJob(spec, { operators: [operator.address] });
    expect(await waitForShard(network.devnet, jobId, 0, ["DeveloperFault", "Failed", "Expired", "Settled"])).to.equal(
      "DeveloperFault",
    );
    const answer = await new OracleClient({ baseUrl: network.oracleUrls[0] }).getAttestation(jobId, 0);
    expect(answer?.reason).to.match(/^ITEM_NOT_REPRODUCIBLE/);
    expect(await selfStake(operator.address)).to.equal(stake);
  });

  it("a spec larger than the host, 512 CPUs (nobody's fault): no agent accepts it; the developer cancels with a full refund", async function () {
    // Old rule: an agent accepted it, could not start the container, never submitted, and was
    // slashed as a no-show at the deadline.
    const { devnet } = network;
    const stakes = await Promise.all(network.operators.map((o) => selfStake(o.address)));
    const developerBefore = await rglHeld(network.devnet, developer().address);
    const big = parseJobSpec({
      kind: "container",
      image: TEST_IMAGE,
      command: ["sh", "-c", "echo hi > $RIGEL_OUTPUT/r.txt"],
      milliCpus: 512_000,
      memoryMiB: 64,
      timeoutSec: 60,
      items: ["one"],
      env: { TEST_SEED: String(seed++) },
    });
    const { jobId } = await createSpecJob(big, {});
    // A job created after it, open to anyone, settling shows the agents have looked at both.
    const { jobId: after } = await createSpecJob(matmulSpec(64), { maxUnitsPerShard: 1n });
    expect(await waitForShard(devnet, after, 0, ["Settled", "Failed", "Expired"])).to.equal("Settled");
    await oraclesCaughtUp();
    expect(await shardState(network.devnet, jobId, 0)).to.equal("Open");
    await sendAs(devnet, developer(), { address: market(), abi: jobMarketAbi, functionName: "cancel", args: [jobId] });
    expect(await shardState(network.devnet, jobId, 0)).to.equal("Cancelled");
    const paidForSecond = await jobPaid(after);
    expect(await rglHeld(network.devnet, developer().address)).to.equal(developerBefore - paidForSecond);
    expect(await Promise.all(network.operators.map((o) => selfStake(o.address)))).to.deep.equal(stakes);
  });

  // ------------------------------------------------------------------ the operator's fault: still caught (last: a slashed operator is jailed)

  it("a wrong revealed row (the operator's fault): Invalid, the cheat is slashed", async function () {
    const { shard, stake } = await handMatmulShard();
    const answers = await postUntilAnswered(hand.proofRequest(shard, await hand.beacon(shard), true));
    const signed = signedAnswers(answers);
    expect(signed).to.have.length(3);
    for (const a of signed) expect(a.attestation.verdict).to.equal(2);
    await hand.settle(signed);
    expect(await waitForShard(network.devnet, shard.jobId, 0, ["Failed"])).to.equal("Failed");
    expect(await selfStake(hand.address)).to.be.lessThan(stake);
  });

  it("no proof by the reveal deadline with the oracles up (the operator's fault): MISSING_REVEAL, slashed", async function () {
    await serveJail(hand.address);
    const { shard, stake } = await handMatmulShard();
    await oraclesCaughtUp();
    await advance(REVEAL_SEC + 60);
    await oraclesCaughtUp();
    // Oracle 1 relays Invalid verdicts once two oracles signed them.
    expect(await waitForShard(network.devnet, shard.jobId, 0, ["Failed", "Expired", "Settled"])).to.equal("Failed");
    expect(await selfStake(hand.address)).to.be.lessThan(stake);
  });

  it("a sampled container item the oracles' two re-runs hash otherwise (the operator's fault): Invalid ITEM_OUTPUT_MISMATCH, slashed", async function () {
    await serveJail(hand.address);
    const spec = containerSpec('echo "$RIGEL_ITEM" > "$RIGEL_OUTPUT/r.txt"', ["p", "q"]);
    const { jobId } = await createSpecJob(spec, { operators: [hand.address] });
    const stake = await selfStake(hand.address);
    // Outputs the items never make, committed as if they did.
    const itemHashes = ["p", "q"].map((item) => keccak256(toHex(`not the output of ${item}`)));
    const root = commitOutputs({ mode: "items", itemHashes }).root;
    await hand.accept(jobId, 0);
    const shard = await hand.submit({ jobId, shard: 0, root, units: 1n, submittedBlock: 0n });
    const items = revealItemSample({ itemHashes, beacon: await hand.beacon(shard) });
    const answers = await postUntilAnswered({
      jobId: jobId.toString(),
      shard: 0,
      operator: hand.address,
      resultRoot: root,
      units: "1",
      kind: "container",
      items,
    });
    const signed = signedAnswers(answers);
    expect(signed.map((a) => [a.attestation.verdict, a.reason.split(":")[0]])).to.deep.equal(
      Array(3).fill([2, "ITEM_OUTPUT_MISMATCH"]),
    );
    await hand.settle(signed);
    expect(await shardState(network.devnet, jobId, 0)).to.equal("Failed");
    expect(await selfStake(hand.address)).to.be.lessThan(stake);
  });

  it("a receipt that does not match the submission (the operator's fault, receipt mode): Invalid, slashed", async function () {
    await serveJail(hand.address);
    const spec = containerSpec('echo "$RIGEL_ITEM" > "$RIGEL_OUTPUT/r.txt"', ["r"], "receipt");
    const { jobId } = await createSpecJob(spec, { operators: [hand.address] });
    const stake = await selfStake(hand.address);
    const root = keccak256(toHex(`claimed outputs of job ${jobId}`));
    await hand.accept(jobId, 0);
    await hand.submit({ jobId, shard: 0, root, units: 1n, submittedBlock: 0n });
    const now = Number((await network.devnet.client.getBlock()).timestamp);
    const answers = await postUntilAnswered({
      jobId: jobId.toString(),
      shard: 0,
      operator: hand.address,
      resultRoot: root,
      units: "1",
      kind: "container",
      receipt: {
        imageDigest: `sha256:${"0".repeat(64)}`,
        exitCode: 0,
        startedAt: now - 10,
        finishedAt: now - 5,
        gpuSamples: [],
        outputsRoot: keccak256(toHex("some other outputs")),
      },
    });
    const signed = signedAnswers(answers);
    expect(signed.map((a) => [a.attestation.verdict, a.reason])).to.deep.equal(
      Array(3).fill([2, "RECEIPT_ROOT_MISMATCH"]),
    );
    await hand.settle(signed);
    expect(await shardState(network.devnet, jobId, 0)).to.equal("Failed");
    expect(await selfStake(hand.address)).to.be.lessThan(stake);
  });

  // ------------------------------------------------------------------ more helpers

  /** Chain time moves past the operator's jail, if it is jailed (the market refuses jailed operators). */
  async function serveJail(operator: Address): Promise<void> {
    const until = await network.devnet.client.readContract({
      address: network.devnet.deployment.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "jailedUntil",
      args: [operator],
    });
    const now = (await network.devnet.client.getBlock()).timestamp;
    if (until >= now) await advance(Number(until - now) + 1);
  }

  /** What the developer paid in the end for a settled job: escrow minus refunds. */
  async function jobPaid(jobId: bigint): Promise<bigint> {
    const [settled] = await network.devnet.client.getContractEvents({
      address: market(),
      abi: jobMarketAbi,
      eventName: "ShardSettled",
      args: { jobId } as never, // viem cannot type indexed args for a generic event name
      fromBlock: 0n,
    });
    return settled.args.paid! + settled.args.fee!;
  }

  /** Waits until every oracle has refused a proof with `code` at least once (its /metrics). */
  async function waitForRefusals(code: string): Promise<void> {
    const until = Date.now() + 120_000;
    for (const url of network.oracleUrls) {
      for (;;) {
        const text = await fetch(`${url}/metrics`).then((r) => r.text());
        const line = text.split("\n").find((l) => l.startsWith(`rigel_oracle_refused_total{code="${code}"}`));
        if (line && Number(line.split(" ").pop()) >= 1) break;
        if (Date.now() > until) throw new Error(`${url} never refused a proof with ${code}`);
        await sleep(250);
      }
    }
  }
});

/** Removes the containers whose output folder lies under `dir` (left by a killed oracle). */
function removeContainersUnder(dir: string): void {
  try {
    const out = execFileSync(
      "docker",
      ["ps", "-a", "--filter", "label=rigel.job", "--format", '{{.ID}} {{.Label "rigel.outputDir"}}'],
      { encoding: "utf8" },
    );
    const ids = out
      .split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([id, outputDir]) => id && outputDir?.startsWith(dir))
      .map(([id]) => id);
    if (ids.length > 0) execFileSync("docker", ["rm", "-f", ...ids], { stdio: "ignore" });
  } catch {
    // Docker not answering: nothing to clean.
  }
}

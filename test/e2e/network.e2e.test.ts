// End to end: the whole network as separate processes on a real `hardhat node` (scripts/lib/network.ts):
// the demo's scenario without the UI, then faults on one network — an oracle killed mid-run, an agent
// killed and restarted mid-job, the RPC endpoint taken away and brought back, a developer cancelling
// and a deadline expiring. After each test, token conservation is checked from the chain alone.
// Ports: demo 9100..9114, fault network 9130..9143, RPC proxy 9150, upload receiver 9155.
import { committedRoot } from "../../sdk/market/claimedShards";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEventLogs } from "viem";
import { jobMarketAbi, operatorStakingAbi } from "../../sdk/contracts/abis";
import { jobCommand, runDemo, type DemoResult } from "../../scripts/demo/runDemo";
import { checkConservation } from "../../scripts/lib/conservation";
import { sendAs, startNetwork, type Network } from "../../scripts/lib/network";
import { createMatmulJob, PRICE, rglBalance, rglOwed, shardState, UNITS, waitForShard } from "./helpers/jobs";
import { startTcpProxy, type TcpProxy } from "./helpers/tcpProxy";
import { startUploadReceiver } from "../agent/helpers/uploadReceiver";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";

const quiet = process.env.RIGEL_E2E_VERBOSE ? (line: string) => console.log(`      ${line}`) : () => undefined;

async function expectConserved(network: Network): Promise<void> {
  const report = await checkConservation(network.devnet.client, network.devnet.deployment);
  expect(report.problems, report.problems.join("\n")).to.deep.equal([]);
  expect(report.ok).to.equal(true);
}

describe("end to end: the demo's scenario (no UI)", function () {
  this.timeout(15 * 60_000);
  let result: DemoResult | undefined;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-e2e-demo-"));

  after(async function () {
    await result?.network.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("settles the honest shards, slashes the cheat, pays rewards and conserves every token", async function () {
    result = await runDemo(
      { agents: 3, shards: 3, jobs: 1, size: 64, port: 9100, workDir, container: true, keep: false },
      quiet,
    );
    expect(result.failures).to.deep.equal([]);
    const { summary, cheater, honest } = result;
    const cheated = summary.shards.filter((s) => s.operator === cheater);
    expect(cheated).to.have.length(1);
    expect(cheated[0].outcome).to.equal("Failed");
    // Invalid: 100% of the collateral (150% of the shard's 1 RGL) is slashed.
    expect(cheated[0].slashed).to.equal((PRICE * 15n) / 10n);
    const planned = summary.shards.filter((s) => s.jobId === result!.jobIds[0]);
    expect(planned).to.have.length(3);
    for (const s of planned) {
      expect(honest).to.include(s.operator);
      expect(s.outcome).to.equal("Settled");
      // 1 unit at 1 RGL: 2.5% protocol fee, the rest to the operator.
      expect(s.paid + s.fee).to.equal(PRICE);
      expect(s.fee).to.equal(PRICE / 40n);
    }
    const dev = summary.developers[0];
    expect(dev.escrowed).to.equal(dev.paid + dev.refunded);
    // Pull payments (PROTOCOL §20.1): every payout and refund was credited, then withdrawn in full.
    expect(dev.withdrawn).to.equal(dev.refunded);
    expect(dev.owed).to.equal(0n);
    for (const o of summary.operators) {
      expect(o.withdrawn).to.equal(o.paid);
      expect(o.owed).to.equal(0n);
    }
    expect(summary.gas.map((g) => g.step)).to.include("withdraw");
    const op1 = summary.operators.find((o) => o.operator === result!.network.operators[0].address)!;
    expect(op1.rewardsClaimed > 0n).to.equal(true);
    await expectConserved(result.network);
  });
});

describe("end to end: faults on a running network", function () {
  this.timeout(15 * 60_000);
  let network: Network;
  let proxy: TcpProxy;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-e2e-faults-"));
  let seed = 100;

  before(async function () {
    proxy = await startTcpProxy(9150, 9130);
    network = await startNetwork({
      port: 9130,
      workDir,
      agents: [{ name: "agent-1" }, { name: "agent-2" }, { name: "agent-3" }],
      serviceRpcUrl: proxy.url,
      log: quiet,
    });
  });

  after(async function () {
    await network?.stop();
    await proxy?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (network) await expectConserved(network);
  });

  it("one oracle of three killed mid-run: the shards still settle with the other two", async function () {
    const { devnet } = network;
    const dev = devnet.developers[0];
    const { jobId } = await createMatmulJob(devnet, dev, {
      size: 256,
      shards: 2,
      operators: [network.operators[0].address, network.operators[1].address],
      seed: seed++,
    });
    // Mid-run: the shards are being computed, claimed at the oracles (§20.10) and proved when the
    // oracle dies; a claim needs only a quorum of the live ones.
    await network.oracles[1].kill();
    for (const shard of [0, 1])
      expect(await waitForShard(devnet, jobId, shard, ["Settled", "Failed"])).to.equal("Settled");
    await network.startOracle(1);
  });

  it("an agent killed (SIGKILL) mid-job and restarted: its shard still settles, once", async function () {
    const { devnet } = network;
    const dev = devnet.developers[0];
    const operator = network.operators[2];
    const before = await devnet.client.readContract({
      address: devnet.deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "operatorRecord",
      args: [operator.address],
    });
    const { jobId } = await createMatmulJob(devnet, dev, {
      size: 512,
      shards: 1,
      operators: [operator.address],
      seed: seed++,
    });
    await waitForShard(devnet, jobId, 0, ["Accepted", "Submitted", "Settled"]);
    await network.agents[2].kill();
    await network.startAgent(2);
    expect(await waitForShard(devnet, jobId, 0, ["Settled", "Failed"])).to.equal("Settled");
    const after = await devnet.client.readContract({
      address: devnet.deployment.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "operatorRecord",
      args: [operator.address],
    });
    expect(after.settled - before.settled).to.equal(1n);
  });

  it("the RPC endpoint goes away and comes back: oracles and agents reconnect and settle", async function () {
    const { devnet } = network;
    const dev = devnet.developers[0];
    await proxy.down();
    // Created straight on the node while the services cannot reach it.
    const { jobId } = await createMatmulJob(devnet, dev, {
      size: 128,
      shards: 1,
      operators: [network.operators[0].address],
      seed: seed++,
    });
    await new Promise((r) => setTimeout(r, 5_000));
    network.assertRunning();
    await proxy.up();
    expect(await waitForShard(devnet, jobId, 0, ["Settled", "Failed"])).to.equal("Settled");
    network.assertRunning();
  });

  it("a spec with an uploadUrl: after settlement the agent uploads the results, signed, matching the chain's root", async function () {
    const { devnet } = network;
    const receiver = await startUploadReceiver(9155);
    try {
      const operator = network.operators[0];
      const { jobId } = await createMatmulJob(devnet, devnet.developers[0], {
        size: 64,
        shards: 1,
        operators: [operator.address],
        seed: seed++,
        uploadUrl: receiver.url,
      });
      expect(await waitForShard(devnet, jobId, 0, ["Settled", "Failed"])).to.equal("Settled");
      const manifestPath = `/uploads/job-${jobId}/shard-0/manifest.json`;
      const until = Date.now() + 180_000;
      while (!receiver.puts.has(manifestPath) && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
      if (!receiver.puts.has(manifestPath)) {
        // Say why: the agent's log lines of this job (its upload tries and their errors).
        const agentName = network.names[operator.address] ?? "agent-1";
        const agentLog = path.join(workDir, "logs", `${agentName}.log`);
        const lines = fs.existsSync(agentLog)
          ? fs
              .readFileSync(agentLog, "utf8")
              .split("\n")
              .filter((l) => /upload/i.test(l) || new RegExp(`\\b${jobId}\\b`).test(l))
          : [];
        throw new Error(
          `no manifest at ${manifestPath} 180 s after settlement; received ${[...receiver.puts.keys()].join(", ") || "nothing"}; ${agentName}'s log lines of the job and uploads:\n${lines.slice(-20).join("\n")}`,
        );
      }
      const shard = await devnet.client.readContract({
        address: devnet.deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        functionName: "getShard",
        args: [jobId, 0],
      });
      // A claimed shard (§20.10) stores no root: the committed one is its ShardSubmitted event's.
      const [submitted] = await devnet.client.getContractEvents({
        address: devnet.deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        eventName: "ShardSubmitted",
        args: { jobId },
        fromBlock: devnet.deployment.block,
      });
      const root = committedRoot(shard.resultRoot, submitted.args.resultRoot);
      const manifest = JSON.parse(receiver.puts.get(manifestPath)!.body.toString());
      expect(manifest.root).to.equal(root);
      expect(receiver.manifestSigners.get(manifestPath)).to.equal(operator.address);
      const c = receiver.puts.get(`/uploads/job-${jobId}/shard-0/c.bin`)!.body;
      expect(c.length).to.equal(64 * 64 * 4);
      expect(commitRows(rowHashes(new Int32Array(new Uint8Array(c).buffer), 64, 64)).root).to.equal(root);
    } finally {
      await receiver.close();
    }
  });

  it("a developer cancels open shards, and an accepted shard whose deadline passes is expired with a no-show slash", async function () {
    const { devnet } = network;
    const { contracts } = devnet.deployment;
    const dev = devnet.developers[0];
    // agent-2's operator takes its shards by hand while its agent is down: it will never submit.
    await network.agents[1].stop();
    const operator = network.operators[1];
    const { jobId, escrow } = await createMatmulJob(devnet, dev, {
      size: 64,
      shards: 3,
      operators: [operator.address, operator.address, operator.address],
      deadlineSec: 120,
      seed: seed++,
    });
    await sendAs(devnet, operator, {
      address: contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "accept",
      args: [jobId, 0],
    });

    // Cancel: shards 1 and 2 are Open; their escrow is credited back at once (withdrawn later, §20.1).
    const beforeCancel = await rglOwed(devnet, dev.address);
    const cancelled = await jobCommand(devnet, dev, ["cancel", jobId.toString()]);
    expect(cancelled.jobId).to.equal(jobId.toString());
    expect(await shardState(devnet, jobId, 1)).to.equal("Cancelled");
    expect(await shardState(devnet, jobId, 2)).to.equal("Cancelled");
    expect(await rglOwed(devnet, dev.address)).to.equal(beforeCancel + (escrow * 2n) / 3n);

    // Expire: the accepted shard after its deadline: escrow back plus the developer's share of the slash.
    const stakeBefore = (
      await devnet.client.readContract({
        address: contracts.OperatorStaking,
        abi: operatorStakingAbi,
        functionName: "operatorInfo",
        args: [operator.address],
      })
    ).selfStake;
    const tooEarly = await jobCommand(devnet, dev, ["expire", jobId.toString()]);
    expect(tooEarly.expired).to.deep.equal([]);
    await devnet.client.request({ method: "evm_increaseTime" as never, params: [121] as never });
    await devnet.client.request({ method: "evm_mine" as never, params: [] as never });
    const beforeExpire = await rglBalance(devnet, dev.address);
    const owedBeforeExpire = await rglOwed(devnet, dev.address);
    const expired = await jobCommand(devnet, dev, ["expire", jobId.toString()]);
    const [entry] = expired.expired as { shard: number; transaction: `0x${string}` }[];
    expect(entry.shard).to.equal(0);
    expect(await shardState(devnet, jobId, 0)).to.equal("Expired");
    const receipt = await devnet.client.getTransactionReceipt({ hash: entry.transaction });
    const [event] = parseEventLogs({ abi: jobMarketAbi, eventName: "ShardExpired", logs: receipt.logs });
    const params = await devnet.client.readContract({
      address: contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "params",
    });
    const collateral = (UNITS * PRICE * BigInt(params.collateralRatioBps)) / 10_000n;
    const slashed = (collateral * BigInt(params.noShowSlashBps)) / 10_000n;
    expect(event.args.slashed).to.equal(slashed);
    const toDeveloper = (slashed * BigInt(params.noShowDeveloperBps)) / 10_000n;
    // The escrow is credited; the developer's share of the slash comes from staking at once.
    expect(await rglOwed(devnet, dev.address)).to.equal(owedBeforeExpire + escrow / 3n);
    expect(await rglBalance(devnet, dev.address)).to.equal(beforeExpire + toDeveloper);
    const stakeAfter = (
      await devnet.client.readContract({
        address: contracts.OperatorStaking,
        abi: operatorStakingAbi,
        functionName: "operatorInfo",
        args: [operator.address],
      })
    ).selfStake;
    expect(stakeBefore - stakeAfter).to.equal(slashed);
    await network.startAgent(1);
  });
});

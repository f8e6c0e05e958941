// The indexer (indexer/, Ponder) against a Hardhat chain (PROTOCOL §21): a scenario with jobs
// settled, a slash, rewards over two epochs and a delegation, then the later contract events (a gang
// started, a gang released, a parameter change with new shard terms, vesting vested and forfeited);
// then the indexer's answers equal the chain's (rewards per operator per epoch, RGL balances, shard
// outcomes, gas, gangs, vesting, shard terms, assignment windows, parameter history), conservation holds
// from indexed events alone, and a reorg (evm_snapshot, blocks, evm_revert, other blocks) is
// reflected. Every case runs on the embedded PGlite store and, when the machine has Postgres, on
// Postgres too (else it prints why not). Ports: free ones the OS picks (no fixed port, no node process).
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { createPublicClient, formatEther, getAddress, http, zeroAddress, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { contractEnums } from "../../sdk/contracts/abis";
import { loadDeployment } from "../../sdk/contracts/deployments";
import {
  deployProtocol,
  jobParamsFor,
  shardVerdict,
  verdictBatch,
  type Protocol,
} from "../../fixtures/protocolFixture";
import { E18 } from "../../fixtures/marketConstants";
import { checkIndexedConservation } from "../../scripts/indexer/indexedConservation";
import { chainHistoryReader, indexerHistoryReader } from "../../app/src/chain/historyReader";
import type { Connection } from "../../developer/connect";
import { readShardCredits } from "../../developer/readShardCredits";
import { readShardCreditsFromIndexer } from "../../developer/readShardCreditsFromIndexer";
import { indexedStatusRows } from "../../agent/status/indexedStatusRows";
import { startDemoIndexer } from "../../scripts/indexer/demoIndexer";
import type { DevAccount } from "../../scripts/lib/devnet";
import {
  freePort,
  getJson,
  graphql,
  serveHardhat,
  startStores,
  waitAll,
  writeDeployment,
  type ServedChain,
  type StoreIndexer,
} from "./helpers/indexerHarness";

const ROOT = ethers.id("indexer-result");
const PRICE = 10n ** 16n; // 0.01 RGL a unit: 80 units pay 0.8 RGL
const VESTING_DELAY = 3_600; // seconds: the operator part of an epoch's reward vests an hour after it

/** The indexer's name for each chain `ShardState`. */
const STATE_NAMES: Record<string, string[]> = {
  Open: ["open", "assigned"],
  Accepted: ["accepted"],
  Submitted: ["submitted"],
  Settled: ["settled"],
  Failed: ["failed"],
  Cancelled: ["cancelled"],
  Expired: ["expired"],
  DeveloperFault: ["developer fault"],
};

interface ShardJson {
  shard: number;
  state: string;
  operator: string | null;
  paid: string;
  fee: string;
  refund: string;
  slashed: string;
}

describe("indexer: Ponder against a Hardhat chain", function () {
  this.timeout(900_000);
  let chain: ServedChain;
  let p: Protocol;
  let indexers: StoreIndexer[] = [];
  let client: PublicClient;
  let deploymentFile: string;

  async function head(): Promise<number> {
    return ethers.provider.getBlockNumber();
  }

  async function nextEpoch(): Promise<void> {
    const s = await p.rewards.schedule();
    await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 1n) * s.epochLength);
  }

  /** Creates an RGL job, has `ops[i]` accept and submit each shard, settles them with `verdicts`. */
  async function runJob(dev: number, opOfShard: number[], verdicts: number[], assigned = false): Promise<bigint> {
    const rgl = await p.rgl.getAddress();
    const params = await jobParamsFor(rgl, {
      shards: opOfShard.length,
      maxPricePerUnit: PRICE,
      shardOperators: assigned ? opOfShard.map((i) => p.ops[i].address) : [],
    });
    await p.market.connect(p.devs[dev]).createJob(params);
    const jobId = await p.market.jobCount();
    for (let s = 0; s < opOfShard.length; s++) {
      await p.market.connect(p.ops[opOfShard[s]]).acceptAndSubmit(jobId, s, ROOT, 80n, `http://agent/${jobId}/${s}`);
    }
    const leaves = [];
    for (let s = 0; s < opOfShard.length; s++) leaves.push(await shardVerdict(p, jobId, s, verdicts[s]));
    const { batch, sigs } = await verdictBatch(p, leaves);
    await p.market.settleVerdicts(batch, sigs, leaves);
    return jobId;
  }

  before(async function () {
    chain = await serveHardhat();
    const startBlock = (await head()) + 1;
    p = await deployProtocol();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-indexer-deployment-"));
    deploymentFile = await writeDeployment(p, startBlock, dir);
    client = createPublicClient({ chain: hardhat, transport: http(chain.url) }) as PublicClient;
    indexers = await startStores(deploymentFile, chain.url);

    // The scenario: a delegation, then two epochs of work (a slash in the first), settled and claimed.
    const [op0, op1, op2] = p.ops;
    await p.staking.connect(p.delegators[0]).delegate(op0.address, 1_000n * E18);
    await nextEpoch();
    await runJob(0, [0, 0, 1], [1, 1, 2]); // op1's shard is Invalid: slashed and jailed
    await nextEpoch();
    for (const op of [op0, op1, op2]) await p.rewards.settleOperator(op.address);
    await runJob(1, [0, 2], [1, 3]); // op2's shard: the developer's fault
    await runJob(0, [0], [1], true); // created assigned to op0 (ShardAssigned before JobCreated)
    await nextEpoch();
    for (const op of [op0, op2]) await p.rewards.settleOperator(op.address);
    await p.rewards.connect(op0).claim(op0.address);
    await p.staking.connect(p.delegators[0]).claimRewards(op0.address);
    await p.market.connect(op0).withdraw(await p.rgl.getAddress(), op0.address);
    await p.market.connect(p.devs[0]).withdraw(await p.rgl.getAddress(), p.devs[0].address);
    await laterContractEvents();
    await waitAll(indexers, await head());
  });

  /**
   * The events of the later contract issues (issue 24 follow-up): a market parameter change (new
   * shard terms at the next accept), a reward vesting delay, a gang that starts and settles, a gang
   * released after its accept deadline, a vesting part forfeited by a slash (op2) and one vested
   * and claimed (op0).
   */
  async function laterContractEvents(): Promise<void> {
    const rgl = await p.rgl.getAddress();
    const [op0, , op2] = p.ops;
    const m = await p.market.params();
    await p.market.setParams({
      treasury: m.treasury,
      feeBps: m.feeBps + 100n,
      collateralRatioBps: m.collateralRatioBps,
      verifyWindow: m.verifyWindow,
      invalidSlashBps: m.invalidSlashBps,
      invalidDeveloperBps: m.invalidDeveloperBps,
      noShowSlashBps: m.noShowSlashBps,
      noShowDeveloperBps: m.noShowDeveloperBps,
    });
    await p.rewards.setRewardVestingDelay(VESTING_DELAY);
    await nextEpoch();
    // Gang A: both shards accepted (the gang starts), submitted and settled Valid.
    const gangParams = await jobParamsFor(rgl, { shards: 2, maxPricePerUnit: PRICE });
    await p.market.connect(p.devs[1]).createGangJob(gangParams, BigInt(await time.latest()) + 600n);
    const started = await p.market.jobCount();
    await p.market.connect(op0).accept(started, 0);
    await p.market.connect(op2).accept(started, 1);
    await p.market.connect(op0).submit(started, 0, ROOT, 80n, `http://agent/${started}/0`);
    await p.market.connect(op2).submit(started, 1, ROOT, 80n, `http://agent/${started}/1`);
    const leaves = [await shardVerdict(p, started, 0, 1), await shardVerdict(p, started, 1, 1)];
    const { batch, sigs } = await verdictBatch(p, leaves);
    await p.market.settleVerdicts(batch, sigs, leaves);
    // Gang B: one shard of two accepted by the deadline, then released.
    await p.market.connect(p.devs[1]).createGangJob(gangParams, BigInt(await time.latest()) + 600n);
    const released = await p.market.jobCount();
    await p.market.connect(op0).accept(released, 0);
    await time.increase(601);
    await p.market.releaseGang(released);
    // Epoch settled: op0's and op2's parts vest in VESTING_DELAY; op2's Invalid shard forfeits its part.
    await nextEpoch();
    for (const op of [op0, op2]) await p.rewards.settleOperator(op.address);
    await runJob(0, [2], [2]);
    await time.increase(2 * VESTING_DELAY);
    await p.rewards.connect(op0).claim(op0.address);
  }

  after(async function () {
    for (const ix of indexers) {
      await ix.stop();
      await ix.dropStore();
    }
    await chain?.close();
  });

  it("indexes rewards per operator per epoch exactly as the chain's EpochSettled logs report them", async function () {
    const logs = await p.rewards.queryFilter(p.rewards.filters.EpochSettled());
    const rewarded = logs.filter((l) => l.args.operator === p.ops[0].address && l.args.reward > 0n);
    expect(new Set(rewarded.map((l) => l.args.epoch)).size, "op0 rewarded in two epochs").to.be.gte(2);
    for (const ix of indexers) {
      for (const op of p.ops) {
        const body = await getJson<{ epochs: Record<string, string | boolean | null>[] }>(
          `${ix.url}/v1/operators/${op.address}/rewards-per-epoch`,
        );
        const settled = body.epochs.filter((e) => e.settled);
        const chainRows = logs.filter((l) => l.args.operator === op.address);
        expect(settled.length, `${ix.store}: settled epochs of ${op.address}`).to.equal(chainRows.length);
        for (const l of chainRows) {
          const row = settled.find((e) => e.epoch === l.args.epoch.toString());
          expect(row, `${ix.store}: epoch ${l.args.epoch}`).to.not.equal(undefined);
          expect(row).to.include({
            reward: l.args.reward.toString(),
            commission: l.args.commission.toString(),
            selfShare: l.args.selfShare.toString(),
            poolShare: l.args.poolShare.toString(),
            workPoints: l.args.workPoints.toString(),
            availabilityPoints: l.args.availabilityPoints.toString(),
          });
        }
      }
    }
  });

  it("indexes every RGL balance, the slash and the delegation as the contracts hold them", async function () {
    const rgl = p.rgl;
    const holders = [
      p.admin,
      p.treasury,
      ...p.devs,
      ...p.ops,
      ...p.delegators,
      ...p.oracles,
      p.staking,
      p.market,
      p.committee,
      p.rewards,
    ];
    const op1 = p.ops[1].address;
    const info = await p.staking.operatorInfo(op1);
    const slashLogs = await p.staking.queryFilter(p.staking.filters.Slashed(op1));
    expect(slashLogs.length).to.equal(1);
    for (const ix of indexers) {
      const data = await graphql<{
        tokenBalances: { items: { account: string; balance: string }[] };
        operator: { slashCount: number; slashedTotal: string; jailedUntil: string; shardsFailed: number };
        delegations: { items: { delegator: string; delegated: string; claimed: string }[] };
      }>(
        ix.url,
        `{ tokenBalances(limit: 1000) { items { account balance } }
           operator(address: "${op1}") { slashCount slashedTotal jailedUntil shardsFailed }
           delegations(where: { operator: "${p.ops[0].address.toLowerCase()}" }) { items { delegator delegated claimed } } }`,
      );
      const indexed = new Map(data.tokenBalances.items.map((b) => [getAddress(b.account), BigInt(b.balance)]));
      for (const h of holders) {
        const address = await h.getAddress();
        expect(indexed.get(getAddress(address)) ?? 0n, `${ix.store}: balance of ${address}`).to.equal(
          await rgl.balanceOf(address),
        );
      }
      const s = slashLogs[0].args;
      expect(data.operator).to.deep.equal({
        slashCount: 1,
        slashedTotal: (s.fromSelf + s.fromPool).toString(),
        jailedUntil: info.jailedUntil.toString(),
        shardsFailed: 1,
      });
      expect(data.delegations.items).to.have.length(1);
      expect(getAddress(data.delegations.items[0].delegator)).to.equal(p.delegators[0].address);
      expect(data.delegations.items[0].delegated).to.equal((1_000n * E18).toString());
    }
  });

  it("indexes every shard's outcome, amounts and its settlement's gas as the chain reports them", async function () {
    const jobs = await p.market.jobCount();
    const settledLogs = await p.market.queryFilter(p.market.filters.ShardSettled());
    const failedLogs = await p.market.queryFilter(p.market.filters.ShardFailed());
    for (const ix of indexers) {
      for (let jobId = 1n; jobId <= jobs; jobId++) {
        const job = await getJson<{ shards: ShardJson[]; events: { kind: string; txHash: string }[] }>(
          `${ix.url}/v1/jobs/${jobId}`,
        );
        const { shards } = await p.market.getJob(jobId);
        expect(job.shards).to.have.length(Number(shards));
        for (const row of job.shards) {
          const onChain = await p.market.getShard(jobId, row.shard);
          const state = contractEnums.IJobMarket.ShardState[Number(onChain.state)];
          expect(STATE_NAMES[state], `${ix.store}: job ${jobId} shard ${row.shard}`).to.include(row.state);
          expect(row.operator ? getAddress(row.operator) : zeroAddress).to.equal(onChain.operator);
        }
      }
      for (const l of settledLogs) {
        const job = await getJson<{ shards: ShardJson[] }>(`${ix.url}/v1/jobs/${l.args.jobId}`);
        expect(job.shards[Number(l.args.shard)]).to.include({
          paid: l.args.paid.toString(),
          fee: l.args.fee.toString(),
          refund: l.args.refund.toString(),
        });
      }
      for (const l of failedLogs) {
        const job = await getJson<{ shards: ShardJson[] }>(`${ix.url}/v1/jobs/${l.args.jobId}`);
        expect(job.shards[Number(l.args.shard)]).to.include({
          slashed: l.args.slashed.toString(),
          refund: l.args.refund.toString(),
        });
      }
      const assignedJob = await getJson<{ events: { kind: string }[] }>(`${ix.url}/v1/jobs/3`);
      expect(assignedJob.events.map((e) => e.kind)).to.deep.equal(["assigned", "accepted", "submitted", "settled"]);
      const tx = settledLogs[0].transactionHash;
      const receipt = await ethers.provider.getTransactionReceipt(tx);
      const gas = await graphql<{ marketTransaction: { gasUsed: string; shardsMoved: number } }>(
        ix.url,
        `{ marketTransaction(hash: "${tx}") { gasUsed shardsMoved } }`,
      );
      expect(gas.marketTransaction.gasUsed, `${ix.store}: gas of ${tx}`).to.equal(receipt!.gasUsed.toString());
      expect(gas.marketTransaction.shardsMoved).to.equal(3);
    }
  });

  it("indexes gangs, vesting, shard terms and assignment windows as the chain holds them", async function () {
    const jobs = await p.market.jobCount();
    const gangLogs = await p.market.queryFilter(p.market.filters.GangJobCreated());
    const releasedLogs = await p.market.queryFilter(p.market.filters.GangReleased());
    expect(gangLogs, "two gang jobs").to.have.length(2);
    expect(releasedLogs, "one released").to.have.length(1);
    const termsLogs = await p.market.queryFilter(p.market.filters.ShardTermsRecorded());
    expect(termsLogs.length, "terms before and after the parameter change").to.be.gte(2);
    const forfeitLogs = await p.rewards.queryFilter(p.rewards.filters.VestingForfeited());
    const vestedLogs = await p.rewards.queryFilter(p.rewards.filters.RewardsVested());
    const vestingLogs = await p.rewards.queryFilter(p.rewards.filters.RewardsVesting());
    expect(
      forfeitLogs.map((l) => l.args.operator),
      "op2's part forfeited",
    ).to.deep.equal([p.ops[2].address]);
    expect(
      vestedLogs.map((l) => l.args.operator),
      "op0's part vested",
    ).to.include(p.ops[0].address);
    for (const ix of indexers) {
      for (const l of gangLogs) {
        const onChain = await p.market.gangOf(l.args.jobId);
        const { gang } = await graphql<{
          gang: { acceptDeadline: string; startedAt: string | null; accepted: number; released: boolean };
        }>(ix.url, `{ gang(jobId: "${l.args.jobId}") { acceptDeadline startedAt accepted released } }`);
        expect(gang, `${ix.store}: gang ${l.args.jobId}`).to.deep.equal({
          acceptDeadline: onChain.acceptDeadline.toString(),
          startedAt: onChain.startedAt === 0n ? null : onChain.startedAt.toString(),
          accepted: Number(onChain.accepted),
          released: onChain.released,
        });
      }
      const rel = releasedLogs[0].args;
      const { gang } = await graphql<{ gang: { unlocked: number; refund: string } }>(
        ix.url,
        `{ gang(jobId: "${rel.jobId}") { unlocked refund } }`,
      );
      expect(gang).to.deep.equal({ unlocked: Number(rel.unlocked), refund: rel.refund.toString() });

      const { shardTermss } = await graphql<{ shardTermss: { items: Record<string, string | number>[] } }>(
        ix.url,
        `
          {
            shardTermss(limit: 1000) {
              items {
                termsId
                token
                feeBps
                verifyWindow
                invalidSlashBps
                invalidDeveloperBps
                noShowSlashBps
                noShowDeveloperBps
                rglPerToken
                collateralRatioBps
              }
            }
          }
        `,
      );
      expect(shardTermss.items.map((t) => t.termsId).sort()).to.deep.equal(
        termsLogs.map((l) => Number(l.args.termsId)).sort(),
      );
      const terms = new Map(shardTermss.items.map((t) => [t.termsId, t]));
      const usedTerms = new Set<number>();
      const reopenLogs = new Map<bigint, bigint>(
        (await p.market.queryFilter(p.market.filters.AssignmentsReopenAt())).map((l) => [
          l.args.jobId,
          l.args.reopensAt,
        ]),
      );
      for (let jobId = 1n; jobId <= jobs; jobId++) {
        const job = await getJson<{
          assignmentsReopenAt: string | null;
          shards: (ShardJson & { termsId: number | null })[];
        }>(`${ix.url}/v1/jobs/${jobId}`);
        // From the event: the view reads 0 once none of the job's assigned shards is Open (§20.10).
        const reopensAt = reopenLogs.get(jobId);
        expect(job.assignmentsReopenAt, `${ix.store}: job ${jobId} reopens`).to.equal(
          reopensAt === undefined ? null : reopensAt.toString(),
        );
        for (const row of job.shards) {
          if (row.termsId === null) {
            expect(
              row.operator === null || row.state === "assigned",
              `${ix.store}: ${jobId}/${row.shard} has terms`,
            ).to.equal(true);
            continue;
          }
          usedTerms.add(row.termsId);
          const t = await p.market.shardTerms(jobId, row.shard);
          expect(terms.get(row.termsId), `${ix.store}: terms of ${jobId}/${row.shard}`).to.deep.include({
            feeBps: Number(t.feeBps),
            verifyWindow: t.verifyWindow.toString(),
            invalidSlashBps: Number(t.invalidSlashBps),
            invalidDeveloperBps: Number(t.invalidDeveloperBps),
            noShowSlashBps: Number(t.noShowSlashBps),
            noShowDeveloperBps: Number(t.noShowDeveloperBps),
            rglPerToken: t.rglPerToken.toString(),
            collateralRatioBps: t.collateralRatioBps.toString(),
          });
        }
      }
      expect(usedTerms.size, `${ix.store}: shards under the old and the new terms`).to.be.gte(2);
      expect(
        (await getJson<{ assignmentsReopenAt: string | null }>(`${ix.url}/v1/jobs/3`)).assignmentsReopenAt,
      ).to.not.equal(null);

      for (const op of p.ops) {
        const v = await getJson<{
          vesting: string;
          vestingAdded: string;
          vested: string;
          forfeited: string;
          events: unknown[];
        }>(`${ix.url}/v1/operators/${op.address}/vesting`);
        const sum = (logs: { args: { operator: string; amount: bigint } }[]) =>
          logs
            .filter((l) => l.args.operator === op.address)
            .reduce((a, l) => a + l.args.amount, 0n)
            .toString();
        // At the scenario's end no slot is past its time unreleased (op0 claimed) and no operator part
        // is unsettled, so the contract's `vestingRewards` counts exactly what the slots hold.
        const [unvested] = await p.rewards.vestingRewards(op.address);
        expect(v, `${ix.store}: vesting of ${op.address}`).to.include({
          vesting: unvested.toString(),
          vestingAdded: sum(vestingLogs),
          vested: sum(vestedLogs),
          forfeited: sum(forfeitLogs),
        });
        const n = [vestingLogs, vestedLogs, forfeitLogs].flat().filter((l) => l.args.operator === op.address).length;
        expect(v.events).to.have.length(n);
      }
    }
  });

  it("indexes every parameter, role and pause change of the five contracts with its block and transaction", async function () {
    const governance = /Set$|^Role|^Paused$|^Unpaused$/;
    const contracts = {
      ComputeToken: p.rgl,
      OperatorStaking: p.staking,
      OracleCommittee: p.committee,
      RewardsDistributor: p.rewards,
      JobMarket: p.market,
    };
    const expected: string[] = [];
    for (const [name, c] of Object.entries(contracts)) {
      for (const l of await ethers.provider.getLogs({ address: await c.getAddress(), fromBlock: 0 })) {
        const parsed = c.interface.parseLog(l);
        if (parsed && governance.test(parsed.name))
          expected.push(`${name}:${parsed.name}@${l.blockNumber}/${l.transactionHash}`);
      }
    }
    expect(
      expected.some((e) => e.startsWith("JobMarket:ParamsSet@")),
      "a ParamsSet",
    ).to.equal(true);
    expect(expected.some((e) => e.startsWith("RewardsDistributor:RewardVestingDelaySet@"))).to.equal(true);
    const feeBps = (await p.market.params()).feeBps;
    for (const ix of indexers) {
      const { paramChanges } = await graphql<{
        paramChanges: {
          items: { contract: string; event: string; args: string; blockNumber: string; txHash: string }[];
        };
      }>(
        ix.url,
        `
          {
            paramChanges(limit: 1000, orderBy: "id") {
              items {
                contract
                event
                args
                blockNumber
                txHash
              }
            }
          }
        `,
      );
      expect(
        paramChanges.items.map((r) => `${r.contract}:${r.event}@${r.blockNumber}/${r.txHash}`).sort(),
      ).to.deep.equal([...expected].sort());
      const paramsSet = paramChanges.items
        .filter((r) => r.event === "ParamsSet")
        .sort((a, b) => Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)))
        .map((r) => JSON.parse(r.args));
      expect(paramsSet.at(-1).params.feeBps, `${ix.store}: the last ParamsSet`).to.equal(Number(feeBps));
      const delay = paramChanges.items.find((r) => r.event === "RewardVestingDelaySet");
      expect(JSON.parse(delay!.args)).to.deep.equal({ delay: String(VESTING_DELAY) });
    }
  });

  it("conservation from indexed events: supply, stake, escrow, bonds and rewards equal what the contracts report", async function () {
    const deployment = loadDeployment({ file: deploymentFile });
    for (const ix of indexers) {
      const report = await checkIndexedConservation(ix.url, client, deployment);
      expect(report.problems, `${ix.store}: ${report.facts.join("; ")}`).to.deep.equal([]);
      expect(report.facts.length).to.be.gte(8);
      expect(report.facts.some((f) => f.startsWith("rewards: distributor's balanceOf"))).to.equal(true);
    }
  });

  it("the dapp's and the CLI's readers answer the same from the indexer as from chain logs", async function () {
    const deployment = loadDeployment({ file: deploymentFile });
    const fromChain = chainHistoryReader(client, deployment);
    const conn = { deployment, publicClient: client } as unknown as Connection;
    for (const ix of indexers) {
      const fromIndexer = indexerHistoryReader(ix.url, client, deployment);
      const history = await fromIndexer.history();
      expect(history.length, `${ix.store}: history`).to.be.gte(5);
      expect(history).to.deep.equal(await fromChain.history());
      expect(await fromIndexer.history(getAddress(p.delegators[0].address), 3)).to.deep.equal(
        await fromChain.history(getAddress(p.delegators[0].address), 3),
      );
      for (const op of p.ops) {
        expect(
          await fromIndexer.shardHistory(getAddress(op.address)),
          `${ix.store}: shards of ${op.address}`,
        ).to.deep.equal(await fromChain.shardHistory(getAddress(op.address)));
      }
      for (const dev of p.devs) {
        expect(await fromIndexer.jobs(getAddress(dev.address)), `${ix.store}: jobs of ${dev.address}`).to.deep.equal(
          await fromChain.jobs(getAddress(dev.address)),
        );
      }
      for (let jobId = 1n; jobId <= (await p.market.jobCount()); jobId++) {
        expect(await readShardCreditsFromIndexer(ix.url, jobId), `${ix.store}: credits of job ${jobId}`).to.deep.equal(
          await readShardCredits(conn, jobId),
        );
      }
      const op0 = getAddress(p.ops[0].address);
      const settledByOp0 = await p.market.queryFilter(p.market.filters.ShardSettled(undefined, undefined, op0));
      const rewardsOfOp0 = (await p.rewards.queryFilter(p.rewards.filters.EpochSettled(op0))).slice(-5);
      const rows = new Map(await indexedStatusRows(ix.url, op0, (wei) => `${wei} wei`));
      expect(rows.get("shards (indexer)")).to.match(new RegExp(`^settled ${settledByOp0.length}, failed 0,`));
      expect(rows.get("rewards, last 5 epochs")).to.equal(
        rewardsOfOp0.map((l) => `${l.args.epoch}: ${l.args.reward} wei`).join(", "),
      );
    }
  });

  it("the demo's indexer (--keep) starts, catches up and prints the first operator's rewards per epoch", async function () {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-indexer-demo-"));
    const op0 = getAddress(p.ops[0].address);
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    let demo: { url: string; pid: number } | undefined;
    try {
      demo = await startDemoIndexer(
        { deploymentFile, rpcUrl: chain.url, client, operators: [{ address: op0 } as DevAccount] },
        workDir,
        () => undefined,
        await freePort(),
      );
    } finally {
      console.log = log;
      if (demo) process.kill(-demo.pid, "SIGTERM");
    }
    const settled = (await p.rewards.queryFilter(p.rewards.filters.EpochSettled(op0))).filter(
      (l) => l.args.reward > 0n,
    );
    expect(settled.length).to.be.gte(2);
    expect(lines.join("\n")).to.include(`/v1/operators/${op0}/rewards-per-epoch`);
    for (const l of settled) {
      expect(lines.join("\n")).to.include(`epoch ${l.args.epoch}: ${formatEther(l.args.reward)} RGL`);
    }
  });

  it("reflects a reorg: a job of reverted blocks is replaced by the job of the new blocks", async function () {
    const rgl = await p.rgl.getAddress();
    const snapshot = await network.provider.send("evm_snapshot");
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(rgl, { shards: 1, maxPricePerUnit: PRICE }));
    const jobId = await p.market.jobCount();
    await network.provider.send("hardhat_mine", ["0x2"]);
    await waitAll(indexers, await head());
    for (const ix of indexers) {
      const before = await getJson<{ developer: string; shards: ShardJson[] }>(`${ix.url}/v1/jobs/${jobId}`);
      expect(getAddress(before.developer)).to.equal(p.devs[0].address);
      expect(before.shards).to.have.length(1);
    }
    const oldHead = await head();
    await network.provider.send("evm_revert", [snapshot]);
    await p.market.connect(p.devs[1]).createJob(await jobParamsFor(rgl, { shards: 2, maxPricePerUnit: PRICE }));
    expect(await p.market.jobCount()).to.equal(jobId);
    await network.provider.send("hardhat_mine", ["0x5"]);
    const newHead = await head();
    expect(newHead).to.be.gt(oldHead);
    await waitAll(indexers, newHead);
    const deployment = loadDeployment({ file: deploymentFile });
    for (const ix of indexers) {
      const after = await getJson<{ developer: string; shards: ShardJson[] }>(`${ix.url}/v1/jobs/${jobId}`);
      expect(getAddress(after.developer), `${ix.store}: the job of the new blocks`).to.equal(p.devs[1].address);
      expect(after.shards).to.have.length(2);
      const report = await checkIndexedConservation(ix.url, client, deployment);
      expect(report.problems, `${ix.store} after the reorg`).to.deep.equal([]);
    }
  });
});

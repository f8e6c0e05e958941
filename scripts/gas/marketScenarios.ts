// Gas scenarios of the JobMarket and the RewardsDistributor, on the real protocol (PROTOCOL §9, §10).
// Settlement scenarios first move to a fresh epoch and settle the operator's past epoch, so that
// the measured call never includes an epoch settlement by accident of wall-clock time.
import type { ContractTransactionReceipt } from "ethers";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployProtocol,
  jobParamsFor,
  shardAttestation,
  shardVerdict,
  verdictBatch,
  type Protocol,
} from "../../fixtures/protocolFixture";
import type { ShardVerdict } from "../../fixtures/verdictBatch";
import type { GasScenario, Measured } from "./scenarios";

const ROOT = ethers.id("gas-root");

function scenario<T>(name: string, fixture: () => Promise<T>, run: (ctx: T) => Measured): GasScenario {
  return { name, fixture, run: run as (ctx: unknown) => Measured };
}

export async function freshEpoch(p: Protocol): Promise<void> {
  const s = await p.rewards.schedule();
  await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 1n) * s.epochLength);
  await p.rewards.settleOperator(p.ops[0].address);
}

async function withJob(shards: number): Promise<Protocol> {
  const p = await deployProtocol();
  await p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress(), { shards }));
  return p;
}

async function withSubmitted(shards: number): Promise<Protocol> {
  const p = await withJob(shards);
  for (let s = 0; s < shards; s++) {
    await p.market.connect(p.ops[0]).accept(1, s);
    await p.market.connect(p.ops[0]).submit(1, s, ROOT, 80n, "ipfs://result");
  }
  return p;
}

async function withGang(shards: number, accepted: number): Promise<Protocol> {
  const p = await deployProtocol();
  const params = await jobParamsFor(await p.usd.getAddress(), { shards });
  await p.market.connect(p.devs[0]).createGangJob(params, BigInt(await time.latest()) + 600n);
  for (let s = 0; s < accepted; s++) await p.market.connect(p.ops[s % p.ops.length]).accept(1, s);
  return p;
}

const job1 = () => withJob(1);
const gangNoneAccepted = () => withGang(4, 0);
const gangThreeAccepted = () => withGang(4, 3);
const accepted1 = async () => {
  const p = await withJob(1);
  await p.market.connect(p.ops[0]).accept(1, 0);
  return p;
};
const submitted1 = () => withSubmitted(1);
const submitted10 = () => withSubmitted(10);
const submitted50 = () => withSubmitted(50);

async function settleBatch(p: Protocol, n: number): Measured {
  const verdicts: ShardVerdict[] = [];
  for (let s = 0; s < n; s++) verdicts.push(await shardVerdict(p, 1n, s));
  const { batch, sigs } = await verdictBatch(p, verdicts);
  await freshEpoch(p);
  return p.market.settleVerdicts(batch, sigs, verdicts);
}

/** One single-shard job, accepted and submitted at once and settled in a batch of one (2-of-3). */
async function oneShardLifecycle(p: Protocol, dev: number, op: number): Promise<bigint> {
  const created = await (
    await p.market.connect(p.devs[dev]).createJob(await jobParamsFor(await p.usd.getAddress()))
  ).wait();
  const jobId = await p.market.jobCount();
  const submitted = await (
    await p.market.connect(p.ops[op]).acceptAndSubmit(jobId, 0, ROOT, 100n, "http://agent.example/v1/results/1/0")
  ).wait();
  const verdicts = [await shardVerdict(p, jobId, 0)];
  const { batch, sigs } = await verdictBatch(p, verdicts);
  const settled = await (await p.market.settleVerdicts(batch, sigs, verdicts)).wait();
  return created!.gasUsed + submitted!.gasUsed + settled!.gasUsed;
}

/**
 * One single-shard job assigned to `op`, claimed off-chain and settled from Open in a batch of one
 * (2-of-3, PROTOCOL §20.10): the receipts of every transaction the job needs until the operator is
 * credited (createJob, settleVerdicts).
 */
export async function claimedLifecycleReceipts(
  p: Protocol,
  dev: number,
  op: number,
): Promise<[ContractTransactionReceipt, ContractTransactionReceipt]> {
  const operator = p.ops[op].address;
  const created = await (
    await p.market
      .connect(p.devs[dev])
      .createJob(await jobParamsFor(await p.usd.getAddress(), { shardOperators: [operator] }))
  ).wait();
  const jobId = await p.market.jobCount();
  const verdicts: ShardVerdict[] = [{ jobId, shard: 0, operator, resultRoot: ROOT, verdict: 1, units: 100n }];
  const { batch, sigs } = await verdictBatch(p, verdicts);
  const settled = await (await p.market.settleVerdicts(batch, sigs, verdicts)).wait();
  return [created!, settled!];
}

/** The total gas of {@link claimedLifecycleReceipts}. */
async function oneClaimedLifecycle(p: Protocol, dev: number, op: number): Promise<bigint> {
  const [created, settled] = await claimedLifecycleReceipts(p, dev, op);
  return created.gasUsed + settled.gasUsed;
}

/** The protocol after one claimed lifecycle of the first developer with ops[0] (every slot warm). */
async function afterFirstClaimedLifecycle(): Promise<Protocol> {
  const p = await deployProtocol();
  await freshEpoch(p);
  await oneClaimedLifecycle(p, 0, 0);
  return p;
}

/** The protocol after one paid lifecycle of the first developer with ops[0] (every slot warm). */
async function afterFirstLifecycle(): Promise<Protocol> {
  const p = await deployProtocol();
  await freshEpoch(p);
  await oneShardLifecycle(p, 0, 0);
  return p;
}

/**
 * `shardsPerJob`-shard jobs of devs[0] adding up to `n` shards, accepted round-robin by ops[0..2] and
 * submitted; each operator (and the treasury) already paid once before. Leaves ordered by operator.
 */
async function withManySubmitted(n: number, shardsPerJob: number): Promise<{ p: Protocol; verdicts: ShardVerdict[] }> {
  const p = await deployProtocol();
  for (let op = 0; op < 3; op++) await oneShardLifecycle(p, 0, op);
  const usd = await p.usd.getAddress();
  const byOp: ShardVerdict[][] = [[], [], []];
  for (let made = 0; made < n; made += shardsPerJob) {
    const shards = Math.min(shardsPerJob, n - made);
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shards }));
    const jobId = await p.market.jobCount();
    for (let s = 0; s < shards; s++) {
      const op = (made + s) % 3;
      await p.market.connect(p.ops[op]).acceptAndSubmit(jobId, s, ROOT, 100n, "http://agent.example/r");
      byOp[op].push(await shardVerdict(p, jobId, s));
    }
  }
  return { p, verdicts: byOp.flat() };
}

/** `n` single-shard jobs of devs[0] assigned round-robin to ops[0..2], to be claimed (§20.10); leaves by operator. */
async function withManyClaimable(n: number): Promise<{ p: Protocol; verdicts: ShardVerdict[] }> {
  const p = await deployProtocol();
  for (let op = 0; op < 3; op++) await oneClaimedLifecycle(p, 0, op);
  const usd = await p.usd.getAddress();
  const byOp: ShardVerdict[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    const op = i % 3;
    const operator = p.ops[op].address;
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shardOperators: [operator] }));
    const jobId = await p.market.jobCount();
    byOp[op].push({ jobId, shard: 0, operator, resultRoot: ROOT, verdict: 1, units: 100n });
  }
  return { p, verdicts: byOp.flat() };
}

const hundredInTenJobs = () => withManySubmitted(100, 10);
const hundredClaims = () => withManyClaimable(100);
const hundredSingleShardJobs = () => withManySubmitted(100, 1);

async function settleMany(ctx: { p: Protocol; verdicts: ShardVerdict[] }): Promise<bigint> {
  const { batch, sigs } = await verdictBatch(ctx.p, ctx.verdicts);
  // A fresh epoch with every operator's past epoch settled: the batch pays no epoch settlement.
  await freshEpoch(ctx.p);
  for (const op of ctx.p.ops.slice(1, 3)) await ctx.p.rewards.settleOperator(op.address);
  const receipt = await (await ctx.p.market.settleVerdicts(batch, sigs, ctx.verdicts)).wait();
  return receipt!.gasUsed / BigInt(ctx.verdicts.length);
}

async function withPastEpochWork(): Promise<Protocol> {
  const p = await withSubmitted(1);
  await p.staking.connect(p.delegators[0]).delegate(p.ops[0].address, 1_000n * 10n ** 18n);
  await freshEpoch(p);
  const { att, sigs } = await shardAttestation(p, 1n, 0);
  await p.market.settle(att, sigs);
  return p;
}

/** A past epoch with work and a delegation pool, moved into the next epoch (nothing settled yet). */
async function inEpochAfterWork(): Promise<Protocol> {
  const p = await withPastEpochWork();
  const s = await p.rewards.schedule();
  await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 1n) * s.epochLength);
  return p;
}

/** As `inEpochAfterWork`, with operator parts vesting one hour after their epoch (PROTOCOL §10.9). */
async function inEpochAfterWorkVesting(): Promise<Protocol> {
  const p = await withPastEpochWork();
  await p.rewards.connect(p.admin).setRewardVestingDelay(3_600n);
  const s = await p.rewards.schedule();
  await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 1n) * s.epochLength);
  return p;
}

/** The past epoch settled into a vesting slot, then the vesting time passed. */
async function vestedAfterWork(): Promise<Protocol> {
  const p = await inEpochAfterWorkVesting();
  await p.rewards.settleOperator(p.ops[0].address);
  await time.increaseTo((await p.rewards.vestingRewards(p.ops[0].address)).vestedBy);
  return p;
}

export const marketScenarios: GasScenario[] = [
  scenario("JobMarket.createJob(1 shard)", deployProtocol, async (p) =>
    p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress())),
  ),
  scenario("JobMarket.createJob(1 shard, second job)", job1, async (p) =>
    p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress())),
  ),
  scenario("JobMarket.createJob(10 shards)", deployProtocol, async (p) =>
    p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress(), { shards: 10 })),
  ),
  scenario("JobMarket.accept", job1, (p) => p.market.connect(p.ops[0]).accept(1, 0)),
  scenario("JobMarket.submit", accepted1, (p) => p.market.connect(p.ops[0]).submit(1, 0, ROOT, 80n, "ipfs://result")),
  scenario("JobMarket.settle(valid, 2-of-3)", submitted1, async (p) => {
    const { att, sigs } = await shardAttestation(p, 1n, 0);
    await freshEpoch(p);
    return p.market.settle(att, sigs);
  }),
  scenario("JobMarket.settle(invalid, 2-of-3)", submitted1, async (p) => {
    const { att, sigs } = await shardAttestation(p, 1n, 0, 2, 0n);
    await freshEpoch(p);
    return p.market.settle(att, sigs);
  }),
  scenario("JobMarket.settle(developer fault, 2-of-3)", submitted1, async (p) => {
    const { att, sigs } = await shardAttestation(p, 1n, 0, 3);
    await freshEpoch(p);
    return p.market.settle(att, sigs);
  }),
  scenario("JobMarket.settleVerdicts(1, total)", submitted1, (p) => settleBatch(p, 1)),
  scenario("JobMarket.settleVerdicts(10, total)", submitted10, (p) => settleBatch(p, 10)),
  scenario("JobMarket.settleVerdicts(50, total)", submitted50, (p) => settleBatch(p, 50)),
  scenario("JobMarket.lifecycle(1 shard, 2-of-3)", afterFirstClaimedLifecycle, (p) => oneClaimedLifecycle(p, 1, 0)),
  scenario("JobMarket.lifecycle(1 shard, 2-of-3, on-chain submit)", afterFirstLifecycle, (p) =>
    oneShardLifecycle(p, 1, 0),
  ),
  scenario("JobMarket.settleBatch(100, per shard)", hundredInTenJobs, settleMany),
  scenario("JobMarket.settleBatch(100 single-shard jobs, per shard)", hundredSingleShardJobs, settleMany),
  scenario("JobMarket.settleBatch(100 claims, per shard)", hundredClaims, settleMany),
  scenario("JobMarket.acceptAndSubmit", job1, (p) =>
    p.market.connect(p.ops[0]).acceptAndSubmit(1, 0, ROOT, 80n, "http://agent.example/v1/results/1/0"),
  ),
  scenario("JobMarket.withdraw", afterFirstLifecycle, (p) =>
    p.market.connect(p.ops[0]).withdraw(p.usd.getAddress(), p.ops[0].address),
  ),
  scenario("JobMarket.expire(no-show)", accepted1, async (p) => {
    await time.increase(86_401);
    return p.market.expire(1, 0);
  }),
  scenario("JobMarket.expire(unanswered)", submitted1, async (p) => {
    await time.increase(3_601);
    return p.market.expire(1, 0);
  }),
  scenario("JobMarket.cancel(1 shard)", job1, (p) => p.market.connect(p.devs[0]).cancel(1)),
  scenario("JobMarket.createGangJob(4 shards)", deployProtocol, async (p) =>
    p.market
      .connect(p.devs[0])
      .createGangJob(await jobParamsFor(await p.usd.getAddress(), { shards: 4 }), BigInt(await time.latest()) + 600n),
  ),
  scenario("JobMarket.accept(gang, not last)", gangNoneAccepted, (p) => p.market.connect(p.ops[0]).accept(1, 0)),
  scenario("JobMarket.accept(gang, last: starts)", gangThreeAccepted, (p) => p.market.connect(p.ops[3]).accept(1, 3)),
  scenario("JobMarket.releaseGang(4 shards, 3 accepted)", gangThreeAccepted, async (p) => {
    await time.increase(601);
    return p.market.releaseGang(1);
  }),
  scenario("RewardsDistributor.claim(settles past epoch)", withPastEpochWork, async (p) => {
    const s = await p.rewards.schedule();
    await time.increaseTo(s.genesis + ((await p.rewards.currentEpoch()) + 1n) * s.epochLength);
    return p.rewards.connect(p.ops[0]).claim(p.ops[0].address);
  }),
  // ---- OperatorStaking with the reward clock: each change first settles the past epoch (O(1))
  scenario("OperatorStaking.delegate(clock, settles past epoch)", inEpochAfterWork, (p) =>
    p.staking.connect(p.delegators[1]).delegate(p.ops[0].address, 1_000n * 10n ** 18n),
  ),
  scenario("OperatorStaking.stake(clock, settles past epoch)", inEpochAfterWork, (p) =>
    p.staking.connect(p.ops[0]).stake(1_000n * 10n ** 18n),
  ),
  scenario("OperatorStaking.claimRewards(clock, joins pending, settles)", inEpochAfterWork, (p) =>
    p.staking.connect(p.delegators[0]).claimRewards(p.ops[0].address),
  ),
  scenario("OperatorStaking.slash(clock, forfeits open epoch)", withPastEpochWork, async (p) => {
    await p.staking.connect(p.admin).grantRole(await p.staking.SLASHER_ROLE(), p.admin.address);
    return p.staking.connect(p.admin).slash(p.ops[0].address, 10n ** 18n, 0, p.admin.address, 0);
  }),
  // ---- Vesting of operator parts (PROTOCOL §10.9)
  scenario("RewardsDistributor.settleOperator(into a vesting slot)", inEpochAfterWorkVesting, (p) =>
    p.rewards.settleOperator(p.ops[0].address),
  ),
  scenario("RewardsDistributor.claim(releases a vested slot)", vestedAfterWork, (p) =>
    p.rewards.connect(p.ops[0]).claim(p.ops[0].address),
  ),
  scenario("OperatorStaking.slash(clock, burns unvested parts)", inEpochAfterWorkVesting, async (p) => {
    await p.rewards.settleOperator(p.ops[0].address);
    await p.staking.connect(p.admin).grantRole(await p.staking.SLASHER_ROLE(), p.admin.address);
    return p.staking.connect(p.admin).slash(p.ops[0].address, 10n ** 18n, 0, p.admin.address, 0);
  }),
];

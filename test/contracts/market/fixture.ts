import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  ComputeToken,
  JobMarket,
  RewardsDistributor,
  TestOracleCommittee,
  TestStakingHooks,
  TestUSD,
} from "../../../typechain-types";
import type { IJobMarket } from "../../../typechain-types/contracts/JobMarket";
import type { IOracleCommittee } from "../../../typechain-types/contracts/interfaces/IOracleCommittee";
import { CAP, E18, GENESIS, PARAMS, USD_RATE } from "../../../fixtures/marketConstants";
import { jobParamsFor } from "../../../fixtures/protocolFixture";
import { ShardState, Verdict } from "../../../sdk/market/enums";
import { signVerdictBatch, verdictRoot, type ShardVerdict, type VerdictBatch } from "../../../fixtures/verdictBatch";

export type { ShardVerdict, VerdictBatch };

export { CAP, E18, GENESIS, PARAMS, USD_RATE };

export const OPERATOR_STAKE = 100_000n * E18;
export const EPOCH = 60n;
export const INITIAL_EMISSION = 1_000n * E18;
export const DECAY_BPS = 100n;
export const WORK_SHARE_BPS = 7_000n;
export const WORK_CAP_BPS = 5_000n;
export const COMMISSION_BPS = 1_000n;

export const CAPACITY = {
  opsPerSec: 10n ** 12n,
  vramMiB: 24_576,
  gpuModel: ethers.encodeBytes32String("RTX4090"),
  validUntil: 2n ** 40n,
};

export { Verdict };
/** The shard states of sdk/market/enums.ts as the bigints that `getShard` and the events return. */
export const State = Object.fromEntries(Object.entries(ShardState).map(([name, n]) => [name, BigInt(n)])) as {
  readonly [Name in keyof typeof ShardState]: bigint;
};

export type Attestation = IOracleCommittee.ShardAttestationStruct;

export interface MarketFixture {
  rgl: ComputeToken;
  usd: TestUSD;
  staking: TestStakingHooks;
  committee: TestOracleCommittee;
  rewards: RewardsDistributor;
  market: JobMarket;
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  dev: HardhatEthersSigner;
  ops: HardhatEthersSigner[];
  oracles: HardhatEthersSigner[];
  others: HardhatEthersSigner[];
}

/** Everything wired as in a deployment, with doubles for staking and the committee. */
export interface ScheduleOptions {
  initialEmission?: bigint;
  workShareBps?: bigint;
  workRewardCapBps?: bigint;
  cap?: bigint;
}

export async function deployMarket(): Promise<MarketFixture> {
  return deployMarketWith({});
}

export async function deployMarketWith(opts: ScheduleOptions): Promise<MarketFixture> {
  const signers = await ethers.getSigners();
  const [admin, treasury, dev, op1, op2, op3, o1, o2, o3, ...others] = signers;
  const oracles = [o1, o2, o3].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const rgl = (await ethers.deployContract("ComputeToken", [
    admin.address,
    admin.address,
    GENESIS,
    opts.cap ?? CAP,
  ])) as unknown as ComputeToken;
  const usd = (await ethers.deployContract("TestUSD")) as unknown as TestUSD;
  const staking = (await ethers.deployContract("TestStakingHooks", [
    await rgl.getAddress(),
  ])) as unknown as TestStakingHooks;
  const committee = (await ethers.deployContract("TestOracleCommittee", [
    oracles.map((o) => o.address),
    2,
  ])) as unknown as TestOracleCommittee;
  const rewards = (await ethers.deployContract("RewardsDistributor", [
    admin.address,
    await rgl.getAddress(),
    await staking.getAddress(),
    {
      genesis: 0,
      epochLength: EPOCH,
      initialEmission: opts.initialEmission ?? INITIAL_EMISSION,
      decayBps: DECAY_BPS,
      workShareBps: opts.workShareBps ?? WORK_SHARE_BPS,
      workRewardCapBps: opts.workRewardCapBps ?? WORK_CAP_BPS,
    },
  ])) as unknown as RewardsDistributor;
  const market = (await ethers.deployContract("JobMarket", [
    admin.address,
    await rgl.getAddress(),
    await staking.getAddress(),
    await committee.getAddress(),
    await rewards.getAddress(),
    { treasury: treasury.address, ...PARAMS },
  ])) as unknown as JobMarket;

  await rgl.grantRole(await rgl.MINTER_ROLE(), await rewards.getAddress());
  await rewards.grantRole(await rewards.MARKET_ROLE(), await market.getAddress());
  await staking.setMarket(await market.getAddress());
  await market.setPaymentToken(await usd.getAddress(), true, USD_RATE);
  await market.setPaymentToken(await rgl.getAddress(), true, E18);

  const ops = [op1, op2, op3];
  for (const op of ops) {
    await staking.setOperator(op.address, true, COMMISSION_BPS);
    await staking.setCapacity(op.address, CAPACITY);
    await rgl.transfer(op.address, 1_000_000n * E18);
    await rgl.connect(op).approve(await staking.getAddress(), ethers.MaxUint256);
    await staking.connect(op).stake(op.address, OPERATOR_STAKE);
  }
  await usd.mint(dev.address, 10n ** 15n);
  await usd.connect(dev).approve(await market.getAddress(), ethers.MaxUint256);
  await rgl.transfer(dev.address, 1_000_000n * E18);
  await rgl.connect(dev).approve(await market.getAddress(), ethers.MaxUint256);
  return { rgl, usd, staking, committee, rewards, market, admin, treasury, dev, ops, oracles, others };
}

export async function jobParams(
  token: string,
  over: Partial<IJobMarket.JobParamsStruct> = {},
): Promise<IJobMarket.JobParamsStruct> {
  return jobParamsFor(token, { minOpsPerSec: 10n ** 11n, ...over });
}

/** Create a job as `dev` and return its id. */
export async function createJob(
  f: MarketFixture,
  over: Partial<IJobMarket.JobParamsStruct> = {},
  token?: string,
): Promise<bigint> {
  const p = await jobParams(token ?? (await f.usd.getAddress()), over);
  await f.market.connect(f.dev).createJob(p);
  return await f.market.jobCount();
}

export const ROOT = ethers.id("root");

/** Create, accept and submit a single-shard job; returns its id. */
export async function submittedJob(
  f: MarketFixture,
  op: HardhatEthersSigner = f.ops[0],
  units = 80n,
  over: Partial<IJobMarket.JobParamsStruct> = {},
  token?: string,
): Promise<bigint> {
  const jobId = await createJob(f, over, token);
  await f.market.connect(op).accept(jobId, 0);
  await f.market.connect(op).submit(jobId, 0, ROOT, units, "ipfs://result");
  return jobId;
}

export async function attestation(
  f: MarketFixture,
  jobId: bigint,
  shard: number,
  over: Partial<Attestation> = {},
): Promise<Attestation> {
  const sh = await f.market.getShard(jobId, shard);
  return {
    market: await f.market.getAddress(),
    jobId,
    shard,
    operator: sh.operator,
    resultRoot: sh.resultRoot,
    verdict: Verdict.Valid,
    units: sh.units,
    expiry: BigInt(await time.latest()) + 3_600n,
    ...over,
  };
}

const SHARD_TYPES = {
  ShardAttestation: [
    { name: "market", type: "address" },
    { name: "jobId", type: "uint256" },
    { name: "shard", type: "uint32" },
    { name: "operator", type: "address" },
    { name: "resultRoot", type: "bytes32" },
    { name: "verdict", type: "uint8" },
    { name: "units", type: "uint64" },
    { name: "expiry", type: "uint64" },
  ],
};

/** Signatures of the first `count` oracles (sorted by address), under `chainId` (default: this chain). */
export async function sign(
  f: MarketFixture,
  a: Attestation,
  count = 2,
  chainId?: bigint,
  verifyingContract?: string,
): Promise<string[]> {
  const domain = {
    name: "Rigel",
    version: "1",
    chainId: chainId ?? (await ethers.provider.getNetwork()).chainId,
    verifyingContract: verifyingContract ?? (await f.committee.getAddress()),
  };
  const out: string[] = [];
  for (const o of f.oracles.slice(0, count)) out.push(await o.signTypedData(domain, SHARD_TYPES, a));
  return out;
}

/** The market's parameters as a plain struct that `setParams` accepts. */
export async function paramsOf(market: JobMarket): Promise<IJobMarket.ParamsStruct> {
  const p = await market.params();
  return {
    treasury: p.treasury,
    feeBps: p.feeBps,
    collateralRatioBps: p.collateralRatioBps,
    verifyWindow: p.verifyWindow,
    invalidSlashBps: p.invalidSlashBps,
    invalidDeveloperBps: p.invalidDeveloperBps,
    noShowSlashBps: p.noShowSlashBps,
    noShowDeveloperBps: p.noShowDeveloperBps,
  };
}

/** What each account is owed in `token` (pull payments, PROTOCOL §20.1). */
export async function owed(f: MarketFixture, token: string, accounts: string[]): Promise<bigint[]> {
  return Promise.all(accounts.map((a) => f.market.owedOf(token, a)));
}

/** The leaf of a submitted shard's verdict, read from the chain, with overrides. */
export async function verdictOf(
  f: MarketFixture,
  jobId: bigint,
  shard: number,
  over: Partial<ShardVerdict> = {},
): Promise<ShardVerdict> {
  const sh = await f.market.getShard(jobId, shard);
  return {
    jobId,
    shard,
    operator: sh.operator,
    resultRoot: sh.resultRoot,
    verdict: Verdict.Valid,
    units: sh.units,
    ...over,
  };
}

/** A verdict batch over `verdicts` signed by the first `count` oracles (market = this one unless overridden). */
export async function signedBatch(
  f: MarketFixture,
  verdicts: ShardVerdict[],
  over: Partial<VerdictBatch> = {},
  count = 2,
  chainId?: bigint,
  verifyingContract?: string,
): Promise<{ batch: VerdictBatch; sigs: string[] }> {
  const batch: VerdictBatch = {
    market: await f.market.getAddress(),
    verdictsRoot: verdictRoot(verdicts),
    count: verdicts.length,
    expiry: BigInt(await time.latest()) + 3_600n,
    ...over,
  };
  const sigs = await signVerdictBatch(
    verifyingContract ?? (await f.committee.getAddress()),
    f.oracles.slice(0, count),
    batch,
    chainId,
  );
  return { batch, sigs };
}

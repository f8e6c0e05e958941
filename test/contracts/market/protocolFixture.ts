// The real protocol (OperatorStaking, OracleCommittee, RewardsDistributor, JobMarket), wired as the
// Ignition module wires it, for integration, self-dealing and invariant tests.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  ComputeToken,
  JobMarket,
  OperatorStaking,
  OracleCommittee,
  RewardsDistributor,
  TestUSD,
} from "../../../typechain-types";
import type { IJobMarket } from "../../../typechain-types/contracts/JobMarket";
import { CAPACITY_TYPES, SHARD_TYPES, sortByAddress, type ShardAttestation } from "../helpers/stakingFixture";
import { CAP, E18, GENESIS, PARAMS, USD_RATE } from "./fixture";

export interface ProtocolOptions {
  initialEmission?: bigint;
  workShareBps?: bigint;
  workRewardCapBps?: bigint;
  feeBps?: number;
  epochLength?: bigint;
}

export interface Protocol {
  rgl: ComputeToken;
  usd: TestUSD;
  committee: OracleCommittee;
  staking: OperatorStaking;
  rewards: RewardsDistributor;
  market: JobMarket;
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  devs: HardhatEthersSigner[];
  ops: HardhatEthersSigner[];
  delegators: HardhatEthersSigner[];
  oracles: HardhatEthersSigner[];
}

export const STAKE = 100_000n * E18;
export const OPS_PER_SEC = 50_000_000_000_000n;

export async function deployProtocol(opts: ProtocolOptions = {}): Promise<Protocol> {
  const all = await ethers.getSigners();
  const [admin, treasury] = all;
  const devs = all.slice(2, 5);
  const ops = all.slice(5, 9);
  const delegators = all.slice(9, 12);
  const oracles = sortByAddress(all.slice(12, 15));

  const rgl = (await ethers.deployContract("ComputeToken", [
    admin.address,
    admin.address,
    GENESIS,
    CAP,
  ])) as unknown as ComputeToken;
  const usd = (await ethers.deployContract("TestUSD")) as unknown as TestUSD;
  const committee = (await ethers.deployContract("OracleCommittee", [
    await rgl.getAddress(),
    admin.address,
    2,
    1_000n * E18,
    5_000,
    86_400,
  ])) as unknown as OracleCommittee;
  const staking = (await ethers.deployContract("OperatorStaking", [
    await rgl.getAddress(),
    await committee.getAddress(),
    admin.address,
    120,
    3_600,
    60,
    E18,
  ])) as unknown as OperatorStaking;
  const rewards = (await ethers.deployContract("RewardsDistributor", [
    admin.address,
    await rgl.getAddress(),
    await staking.getAddress(),
    {
      genesis: 0,
      epochLength: opts.epochLength ?? 60n,
      initialEmission: opts.initialEmission ?? 1_000n * E18,
      decayBps: 100,
      workShareBps: opts.workShareBps ?? 7_000n,
      workRewardCapBps: opts.workRewardCapBps ?? 5_000n,
    },
  ])) as unknown as RewardsDistributor;
  const market = (await ethers.deployContract("JobMarket", [
    admin.address,
    await rgl.getAddress(),
    await staking.getAddress(),
    await committee.getAddress(),
    await rewards.getAddress(),
    { treasury: treasury.address, ...PARAMS, feeBps: opts.feeBps ?? PARAMS.feeBps },
  ])) as unknown as JobMarket;

  const m = await market.getAddress();
  const rd = await rewards.getAddress();
  await rgl.grantRole(await rgl.MINTER_ROLE(), rd);
  await staking.grantRole(await staking.MARKET_ROLE(), m);
  await staking.grantRole(await staking.SLASHER_ROLE(), m);
  await staking.grantRole(await staking.REWARDER_ROLE(), rd);
  await staking.setCapacityListener(rd);
  await rewards.grantRole(await rewards.MARKET_ROLE(), m);
  await market.setPaymentToken(await usd.getAddress(), true, USD_RATE);
  await market.setPaymentToken(await rgl.getAddress(), true, E18);

  for (const o of oracles) {
    await rgl.transfer(o.address, 10_000n * E18);
    await committee.approveSigner(o.address);
    await rgl.connect(o).approve(await committee.getAddress(), ethers.MaxUint256);
    await committee.connect(o).postBond();
  }
  for (const who of [...ops, ...delegators, ...devs]) {
    await rgl.transfer(who.address, 1_000_000n * E18);
    await rgl.connect(who).approve(await staking.getAddress(), ethers.MaxUint256);
    await rgl.connect(who).approve(m, ethers.MaxUint256);
    await usd.mint(who.address, 10n ** 15n);
    await usd.connect(who).approve(m, ethers.MaxUint256);
  }
  const p: Protocol = {
    rgl,
    usd,
    committee,
    staking,
    rewards,
    market,
    admin,
    treasury,
    devs,
    ops,
    delegators,
    oracles,
  };
  for (const op of ops) {
    await staking.connect(op).register(`https://${op.address}.example/agent`, 1_000);
    await staking.connect(op).stake(STAKE);
    await proveCapacity(p, op, ethers.id(`genesis-${op.address}`));
  }
  return p;
}

/** Records a 2-of-3 signed capacity attestation for `op` (credits availability points). */
export async function proveCapacity(p: Protocol, op: HardhatEthersSigner, challengeId: string): Promise<void> {
  const att = {
    operator: op.address,
    challengeId,
    opsPerSec: OPS_PER_SEC,
    vramMiB: 24_576,
    gpuModel: ethers.encodeBytes32String("RTX 4090"),
    validUntil: BigInt(await time.latest()) + 30n * 86_400n,
  };
  const sigs = await signWith(p, CAPACITY_TYPES, att, 2);
  await p.staking.recordCapacity(att, sigs);
}

export async function signWith(
  p: Protocol,
  types: Record<string, { name: string; type: string }[]>,
  value: Record<string, unknown>,
  count: number,
): Promise<string[]> {
  const domain = {
    name: "Rigel",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await p.committee.getAddress(),
  };
  return Promise.all(p.oracles.slice(0, count).map((o) => o.signTypedData(domain, types, value)));
}

export async function shardAttestation(
  p: Protocol,
  jobId: bigint,
  shard: number,
  verdict = 1,
  units?: bigint,
): Promise<{ att: ShardAttestation; sigs: string[] }> {
  const sh = await p.market.getShard(jobId, shard);
  const att: ShardAttestation = {
    market: await p.market.getAddress(),
    jobId,
    shard,
    operator: sh.operator,
    resultRoot: sh.resultRoot,
    verdict,
    units: units ?? sh.units,
    expiry: BigInt(await time.latest()) + 3_600n,
  };
  return { att, sigs: await signWith(p, SHARD_TYPES, { ...att }, 2) };
}

export async function jobParamsFor(
  token: string,
  over: Partial<IJobMarket.JobParamsStruct> = {},
): Promise<IJobMarket.JobParamsStruct> {
  return {
    paymentToken: token,
    kind: 0,
    verificationMode: 0,
    shards: 1,
    maxUnitsPerShard: 100n,
    maxPricePerUnit: 1_000_000n,
    minVramMiB: 16_384,
    minOpsPerSec: 10n ** 12n,
    deadline: BigInt(await time.latest()) + 86_400n,
    specHash: ethers.id("spec"),
    specURI: "ipfs://spec",
    shardOperators: [],
    ...over,
  };
}

// Shared fixture for OperatorStaking and OracleCommittee tests: RGL, a 2-of-3 bonded committee,
// the staking contract with a market/slasher and a rewarder, funded accounts, and signing helpers.
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ComputeToken, OperatorStaking, OracleCommittee } from "../../../typechain-types";

export const RGL = (n: number | string) => ethers.parseEther(String(n));
export const CAP = RGL("1000000000");
export const BOND = RGL(1000);
export const DAY = 24n * 3600n;
export const UNBONDING = 7n * DAY;
export const JAIL = 3n * DAY;
export const COMMISSION_DELAY = 2n * DAY;
export const MIN_DELEGATION = RGL(1);
export const REPORTER_BPS = 5000;
export const BOND_UNBONDING = DAY;

export interface CapacityAttestation {
  operator: string;
  challengeId: string;
  opsPerSec: bigint;
  vramMiB: number;
  gpuModel: string;
  validUntil: bigint;
}

export interface ShardAttestation {
  market: string;
  jobId: bigint;
  shard: number;
  operator: string;
  resultRoot: string;
  verdict: number;
  units: bigint;
  expiry: bigint;
}

export const CAPACITY_TYPES = {
  CapacityAttestation: [
    { name: "operator", type: "address" },
    { name: "challengeId", type: "bytes32" },
    { name: "opsPerSec", type: "uint64" },
    { name: "vramMiB", type: "uint32" },
    { name: "gpuModel", type: "bytes32" },
    { name: "validUntil", type: "uint64" },
  ],
};

export const SHARD_TYPES = {
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

export async function domainOf(committee: OracleCommittee, chainId?: bigint) {
  const net = await ethers.provider.getNetwork();
  return {
    name: "Rigel",
    version: "1",
    chainId: chainId ?? net.chainId,
    verifyingContract: await committee.getAddress(),
  };
}

/** Signatures by `signers`, ordered by strictly increasing signer address (the committee's rule). */
export async function signCapacity(
  committee: OracleCommittee,
  signers: HardhatEthersSigner[],
  att: CapacityAttestation,
  chainId?: bigint,
): Promise<string[]> {
  const domain = await domainOf(committee, chainId);
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return Promise.all(sorted.map((s) => s.signTypedData(domain, CAPACITY_TYPES, att)));
}

export async function signShard(
  committee: OracleCommittee,
  signers: HardhatEthersSigner[],
  att: ShardAttestation,
  chainId?: bigint,
): Promise<string[]> {
  const domain = await domainOf(committee, chainId);
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return Promise.all(sorted.map((s) => s.signTypedData(domain, SHARD_TYPES, att)));
}

export function sortByAddress(signers: HardhatEthersSigner[]): HardhatEthersSigner[] {
  return [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

export async function now(): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

export async function capacityAttestation(operator: string, overrides: Partial<CapacityAttestation> = {}) {
  return {
    operator,
    challengeId: ethers.id(`challenge-${Math.random()}`),
    opsPerSec: 50_000_000_000_000n,
    vramMiB: 24_576,
    gpuModel: ethers.encodeBytes32String("RTX 4090"),
    validUntil: (await now()) + DAY,
    ...overrides,
  } satisfies CapacityAttestation;
}

/** Deploys everything; accounts: admin, market (market+slasher), rewarder, 3 oracle signers, operators, delegators. */
export async function deployStaking() {
  const all = await ethers.getSigners();
  const [admin, market, rewarder, treasury, op1, op2, del1, del2, del3, outsider] = all;
  const oracles = sortByAddress(all.slice(10, 13));
  const spareOracle = all[13];

  const token = (await ethers.deployContract("ComputeToken", [
    admin.address,
    treasury.address,
    RGL("100000000"),
    CAP,
  ])) as unknown as ComputeToken;

  const committee = (await ethers.deployContract("OracleCommittee", [
    await token.getAddress(),
    admin.address,
    2,
    BOND,
    REPORTER_BPS,
    BOND_UNBONDING,
  ])) as unknown as OracleCommittee;

  const staking = (await ethers.deployContract("OperatorStaking", [
    await token.getAddress(),
    await committee.getAddress(),
    admin.address,
    UNBONDING,
    JAIL,
    COMMISSION_DELAY,
    MIN_DELEGATION,
  ])) as unknown as OperatorStaking;

  for (const who of [market, rewarder, op1, op2, del1, del2, del3, outsider, ...oracles, spareOracle]) {
    await token.connect(treasury).transfer(who.address, RGL(1_000_000));
  }
  for (const who of [market, rewarder, op1, op2, del1, del2, del3, outsider]) {
    await token.connect(who).approve(await staking.getAddress(), ethers.MaxUint256);
  }
  for (const o of oracles) {
    await committee.connect(admin).approveSigner(o.address);
    await token.connect(o).approve(await committee.getAddress(), ethers.MaxUint256);
    await committee.connect(o).postBond();
  }
  await token.connect(spareOracle).approve(await committee.getAddress(), ethers.MaxUint256);

  await staking.connect(admin).grantRole(await staking.MARKET_ROLE(), market.address);
  await staking.connect(admin).grantRole(await staking.SLASHER_ROLE(), market.address);
  await staking.connect(admin).grantRole(await staking.REWARDER_ROLE(), rewarder.address);
  await staking.connect(admin).grantRole(await staking.PAUSER_ROLE(), admin.address);

  return {
    token,
    committee,
    staking,
    admin,
    market,
    rewarder,
    treasury,
    op1,
    op2,
    del1,
    del2,
    del3,
    outsider,
    oracles,
    spareOracle,
  };
}

/** deployStaking plus op1 registered with `selfStake` RGL and 10% commission. */
export async function deployWithOperator() {
  const f = await deployStaking();
  await f.staking.connect(f.op1).register("https://op1.example/agent", 1000);
  await f.staking.connect(f.op1).stake(RGL(10_000));
  return f;
}

/** The figures an operator call moves, for before/after deltas. */
export async function operatorFigures(staking: OperatorStaking, operator: string) {
  const v = await staking.operatorInfo(operator);
  return {
    selfStake: v.selfStake,
    lockedStake: v.lockedStake,
    selfThawing: v.selfThawing,
    poolTokens: v.poolTokens,
    poolShares: v.poolShares,
    thawTokens: v.thawTokens,
    thawShares: v.thawShares,
  };
}

export function delta(before: Record<string, bigint>, after: Record<string, bigint>): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const k of Object.keys(before)) out[k] = after[k] - before[k];
  return out;
}

export function zeroDelta(keys: string[], overrides: Record<string, bigint> = {}): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const k of keys) out[k] = overrides[k] ?? 0n;
  return out;
}

export const FIGURES = [
  "selfStake",
  "lockedStake",
  "selfThawing",
  "poolTokens",
  "poolShares",
  "thawTokens",
  "thawShares",
];

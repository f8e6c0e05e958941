// One simulated world: the real protocol deployed as the tests deploy it (fixtures/protocolFixture),
// its four operators as honest background, chain time moved by the script (never wall time), the
// committee's signer keys signing with the sdk's EIP-712 helpers exactly as the oracle does, and a
// ledger of the RGL rewards every actor took out.
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { privateKeyToAccount } from "viem/accounts";
import type { Address, Hex, LocalAccount } from "viem";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { E18, PARAMS } from "../../fixtures/marketConstants";
import { hardhatAccountKey } from "../lib/hardhatAccountKey";
import { signCapacityAttestation } from "../../sdk/eip712/capacityAttestation";
import { signShardAttestation } from "../../sdk/eip712/shardAttestation";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import {
  rigelDomain,
  type CapacityAttestation,
  type RigelDomain,
  type ShardAttestation,
  type Verdict,
} from "../../sdk/eip712/types";

export type Actor = HardhatEthersSigner;

/** What a capacity challenge measures: the GPU an operator keeps available. */
export interface Hardware {
  opsPerSec: bigint;
  vramMiB: number;
  gpuModel: string;
}

/** The hardware every full-sized simulated operator has (the fixture's operators have the same). */
export const FULL_GPU: Hardware = {
  opsPerSec: 50_000_000_000_000n,
  vramMiB: 24_576,
  gpuModel: ethers.encodeBytes32String("RTX 4090"),
};

export const RGL = (n: bigint) => n * E18;
/** Self-stake of every full-sized operator and of the fixture's background operators. */
export const STAKE = RGL(100_000n);
/** One hour, the production epoch (PROTOCOL §10.1): room for the minutes-long steps of a strategy. */
export const EPOCH_LENGTH = 3_600n;
/** The commission every operator starts with, in basis points. */
export const COMMISSION_BPS = 1_000;

export interface World {
  name: string;
  p: Protocol;
  genesis: bigint;
  epochLength: bigint;
  domain: RigelDomain;
  /** The committee members that sign, as the oracles' local accounts (a quorum). */
  signers: LocalAccount[];
  /** The fixture's registered, staked operators: honest background. */
  background: Actor[];
  /** RGL of rewards each address took out (claims), plus any cost a strategy counts against it. */
  ledger: Map<string, bigint>;
  /** Every operator, for the final settlement. */
  operators: Actor[];
  challenges: number;
}

/**
 * Deploys a fresh protocol with one-hour epochs and returns the world around it. Operator parts
 * vest one market verify window after their epoch, as a deployment sets it (PROTOCOL §10.9).
 */
export async function createWorld(name: string): Promise<World> {
  const p = await deployProtocol({ epochLength: EPOCH_LENGTH });
  await setVestingDelay(p, PARAMS.verifyWindow);
  const schedule = await p.rewards.schedule();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const domain = rigelDomain(chainId, (await p.committee.getAddress()) as Address);
  const threshold = Number(await p.committee.threshold());
  const signers = p.oracles.slice(0, threshold).map((o) => privateKeyToAccount(hardhatAccountKey(o.address)));
  return {
    name,
    p,
    genesis: schedule.genesis,
    epochLength: schedule.epochLength,
    domain,
    signers,
    background: p.ops,
    ledger: new Map(),
    operators: [...p.ops],
    challenges: 0,
  };
}

export function epochStart(w: World, epoch: bigint): bigint {
  return w.genesis + epoch * w.epochLength;
}

export async function currentEpoch(w: World): Promise<bigint> {
  return w.p.rewards.currentEpoch();
}

/** Mines an empty block at `t` (chain time only ever moves forward). */
export async function moveTo(t: bigint): Promise<void> {
  if (BigInt(await time.latest()) < t) await time.increaseTo(t);
}

/** The next transaction is mined exactly at `t`. */
export async function nextTxAt(t: bigint): Promise<void> {
  await time.setNextBlockTimestamp(t);
}

/** A funded account with its own deterministic address, approving the staking contract and the market. */
export async function newActor(w: World, label: string, rgl: bigint): Promise<Actor> {
  const address = ethers.getAddress(`0x${ethers.id(`rigel-sim/${w.name}/${label}`).slice(26)}`);
  await network.provider.send("hardhat_setBalance", [address, `0x${(10n ** 22n).toString(16)}`]);
  const actor = await ethers.getImpersonatedSigner(address);
  if (rgl > 0n) await w.p.rgl.connect(w.p.admin).transfer(address, rgl);
  await w.p.rgl.connect(actor).approve(await w.p.staking.getAddress(), ethers.MaxUint256);
  await w.p.rgl.connect(actor).approve(await w.p.market.getAddress(), ethers.MaxUint256);
  return actor;
}

/** A new operator, registered with `commissionBps` and self-staked `stake`, holding `spare` RGL more. */
export async function newOperator(
  w: World,
  label: string,
  stake: bigint,
  spare = 0n,
  commissionBps = COMMISSION_BPS,
): Promise<Actor> {
  const op = await newActor(w, label, stake + spare);
  await w.p.staking.connect(op).register(`https://${label}.sim.example/agent`, commissionBps);
  await w.p.staking.connect(op).stake(stake);
  w.operators.push(op);
  return op;
}

/** A new delegator that delegates `amount` to `operator` at once. */
export async function newDelegator(w: World, label: string, operator: Actor, amount: bigint): Promise<Actor> {
  const d = await newActor(w, label, amount);
  await w.p.staking.connect(d).delegate(operator.address, amount);
  return d;
}

export interface SignedCapacity {
  attestation: CapacityAttestation;
  signatures: Hex[];
}

/**
 * A capacity challenge answered now: the committee's quorum signs what it measured, valid for the
 * oracle's capacity validity from the issue time (PROTOCOL §13.2).
 */
export async function challengeCapacity(w: World, op: Actor, hw: Hardware): Promise<SignedCapacity> {
  const issuedAt = BigInt(await time.latest());
  const attestation: CapacityAttestation = {
    operator: op.address as Address,
    challengeId: ethers.id(`rigel-sim/${w.name}/challenge/${w.challenges++}`) as Hex,
    opsPerSec: hw.opsPerSec,
    vramMiB: hw.vramMiB,
    gpuModel: hw.gpuModel as Hex,
    validUntil: issuedAt + (await capacityValidity(w)),
  };
  const signed = await Promise.all(
    w.signers.map(async (s) => ({
      signer: s.address,
      signature: await signCapacityAttestation(s, w.domain, attestation),
    })),
  );
  return { attestation, signatures: sortSignaturesBySigner(signed) };
}

/** How long a capacity attestation is valid from its issue time: the staking contract's value, which the oracle reads. */
export async function capacityValidity(w: World): Promise<bigint> {
  try {
    return await w.p.staking.capacityValidity();
  } catch {
    // Contracts before issue 19 have no such view (the old-rule runs of docs/BENCHMARKS.md): the
    // oracle's own default then, 7 days.
    return 7n * 86_400n;
  }
}

/** Records a signed attestation; returns the custom error's name when the contract refuses it. */
export async function recordCapacity(w: World, signed: SignedCapacity): Promise<string | undefined> {
  try {
    await w.p.staking.recordCapacity(signed.attestation, signed.signatures);
    return undefined;
  } catch (err) {
    return revertName(w, err);
  }
}

/** Challenge and record at once: what an honest operator's agent does when challenged. */
export async function proveCapacity(w: World, op: Actor, hw: Hardware = FULL_GPU): Promise<string | undefined> {
  return recordCapacity(w, await challengeCapacity(w, op, hw));
}

/** The committee's signatures on a verdict about a submitted shard, as the oracles sign it. */
export async function signShard(
  w: World,
  jobId: bigint,
  shard: number,
  verdict: Verdict,
): Promise<ShardAttestation & { signatures: Hex[] }> {
  const sh = await w.p.market.getShard(jobId, shard);
  const attestation: ShardAttestation = {
    market: (await w.p.market.getAddress()) as Address,
    jobId,
    shard,
    operator: sh.operator as Address,
    resultRoot: sh.resultRoot as Hex,
    verdict,
    units: sh.units,
    expiry: BigInt(await time.latest()) + 3_600n,
  };
  const signed = await Promise.all(
    w.signers.map(async (s) => ({
      signer: s.address,
      signature: await signShardAttestation(s, w.domain, attestation),
    })),
  );
  return { ...attestation, signatures: sortSignaturesBySigner(signed) };
}

export function credit(w: World, who: Actor, amount: bigint): void {
  w.ledger.set(who.address, (w.ledger.get(who.address) ?? 0n) + amount);
}

export function rewardOf(w: World, ...who: Actor[]): bigint {
  return who.reduce((sum, a) => sum + (w.ledger.get(a.address) ?? 0n), 0n);
}

/** The operator claims its commission and self share (settling a past epoch first), if any. */
export async function claimOperator(w: World, op: Actor): Promise<bigint> {
  const before = await w.p.rgl.balanceOf(op.address);
  try {
    await w.p.rewards.connect(op).claim(op.address);
  } catch (err) {
    if (revertName(w, err) !== "RewardsNothingToClaim") throw err;
  }
  const got = (await w.p.rgl.balanceOf(op.address)) - before;
  credit(w, op, got);
  return got;
}

/** The delegator takes its delegation's value above principal, if any. */
export async function claimDelegation(w: World, delegator: Actor, op: Actor): Promise<bigint> {
  const before = await w.p.rgl.balanceOf(delegator.address);
  try {
    await w.p.staking.connect(delegator).claimRewards(op.address);
  } catch (err) {
    if (revertName(w, err) !== "StakingNothingToClaim") throw err;
  }
  const got = (await w.p.rgl.balanceOf(delegator.address)) - before;
  credit(w, delegator, got);
  return got;
}

/** Every honest background operator answers this epoch's challenge (the `online` ones). */
export async function backgroundProves(w: World, online = w.background): Promise<void> {
  for (const op of online) await proveCapacity(w, op);
}

/**
 * Settles every operator's last epoch, waits until every operator part has vested, and takes out
 * every claim of `claimants` (the end of a run): strategies and honest actors alike.
 */
export async function settleAll(w: World, operators: Actor[], delegations: [Actor, Actor][]): Promise<void> {
  for (const op of w.operators) await w.p.rewards.settleOperator(op.address);
  let vestedBy = 0n;
  for (const op of operators) {
    const v = await vestingOf(w, op);
    if (v > vestedBy) vestedBy = v;
  }
  await moveTo(vestedBy);
  for (const op of operators) await claimOperator(w, op);
  for (const [d, op] of delegations) await claimDelegation(w, d, op);
}

/** Sets the vesting delay of operator parts; contracts before issue 19's vesting have none (old-rule runs). */
async function setVestingDelay(p: Protocol, delay: bigint): Promise<void> {
  if (!p.rewards.interface.getFunction("setRewardVestingDelay")) return;
  await p.rewards.connect(p.admin).setRewardVestingDelay(delay);
}

/** When the operator's last unvested part vests (0 when none, or on contracts without vesting). */
async function vestingOf(w: World, op: Actor): Promise<bigint> {
  if (!w.p.rewards.interface.getFunction("vestingRewards")) return 0n;
  return (await w.p.rewards.vestingRewards(op.address)).vestedBy;
}

/** The custom error's name of a reverted call, from any of the protocol's contracts. */
export function revertName(w: World, err: unknown): string {
  const data = findRevertData(err);
  if (data) {
    for (const c of [w.p.staking, w.p.rewards, w.p.market, w.p.committee]) {
      const parsed = c.interface.parseError(data);
      if (parsed) return parsed.name;
    }
  }
  throw err;
}

function findRevertData(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) return data;
    e = (e as { error?: unknown; cause?: unknown }).error ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

// The gas snapshot's scenarios: one per entrypoint (or per notable path of one). Each names a
// fixture (shared through loadFixture snapshots) and the one call whose gas is recorded. To measure
// a new entrypoint, add a line here and run `node scripts/gas-snapshot.js` to update the snapshot.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import {
  RGL,
  UNBONDING,
  deployStaking,
  deployWithOperator,
  now,
  signCapacity,
  signShard,
} from "../../fixtures/stakingFixture";
import { marketScenarios } from "./marketScenarios";

/** A call to measure: a sent transaction (its receipt's gasUsed) or a view (its gas estimate). */
export type Measured = Promise<ContractTransactionResponse | bigint>;

export interface GasScenario<T = unknown> {
  name: string;
  fixture: () => Promise<T>;
  run: (ctx: T) => Measured;
}

function scenario<T>(name: string, fixture: () => Promise<T>, run: (ctx: T) => Measured): GasScenario {
  return { name, fixture, run: run as (ctx: unknown) => Measured };
}

const CHALLENGE = ethers.id("gas-snapshot-challenge");

async function withDelegation() {
  const f = await deployWithOperator();
  await f.staking.connect(f.del1).delegate(f.op1.address, RGL(1_000));
  await f.staking.connect(f.rewarder).addPoolRewards(f.op1.address, RGL(100), 0);
  return f;
}

async function withThawingDelegation() {
  const f = await withDelegation();
  const d = await f.staking.delegationInfo(f.op1.address, f.del1.address);
  await f.staking.connect(f.del1).undelegate(f.op1.address, d.shares);
  await f.staking.connect(f.op1).requestUnstake(RGL(1_000));
  await time.increase(UNBONDING);
  return f;
}

async function withCollateral() {
  const f = await withDelegation();
  await f.staking.connect(f.market).lockCollateral(f.op1.address, RGL(5_000));
  return f;
}

async function withListener() {
  const f = await deployWithOperator();
  const listener = await ethers.deployContract("CapacityListenerMock");
  await f.staking.connect(f.admin).setCapacityListener(await listener.getAddress());
  return f;
}

async function capacity(f: Awaited<ReturnType<typeof deployStaking>>, n: number) {
  const att = {
    operator: f.op1.address,
    challengeId: CHALLENGE,
    opsPerSec: 50_000_000_000_000n,
    vramMiB: 24_576,
    gpuModel: ethers.encodeBytes32String("RTX 4090"),
    validUntil: (await now()) + 7n * 86_400n,
  };
  return { att, sigs: await signCapacity(f.committee, f.oracles.slice(0, n), att) };
}

async function shard(f: Awaited<ReturnType<typeof deployStaking>>, verdict: number, n: number) {
  const att = {
    market: f.market.address,
    jobId: 1n,
    shard: 0,
    operator: f.op1.address,
    resultRoot: ethers.id("root"),
    verdict,
    units: 100n,
    expiry: (await now()) + 3_600n,
  };
  return { att, sigs: await signShard(f.committee, f.oracles.slice(0, n), att) };
}

export const scenarios: GasScenario[] = [
  // ---- OperatorStaking: operators
  // The anchor of `npm run bench`'s gas rows: a plain RGL transfer between two holders.
  scenario("ComputeToken.transfer", deployStaking, (f) => f.token.connect(f.treasury).transfer(f.op1.address, RGL(1))),
  scenario("OperatorStaking.register", deployStaking, (f) =>
    f.staking.connect(f.op1).register("https://op1.example/agent", 1000),
  ),
  scenario("OperatorStaking.updateMetadata", deployWithOperator, (f) =>
    f.staking.connect(f.op1).updateMetadata("https://op1.example/v2"),
  ),
  scenario("OperatorStaking.stake", deployWithOperator, (f) => f.staking.connect(f.op1).stake(RGL(1_000))),
  scenario("OperatorStaking.requestUnstake", deployWithOperator, (f) =>
    f.staking.connect(f.op1).requestUnstake(RGL(1_000)),
  ),
  scenario("OperatorStaking.withdrawStake", withThawingDelegation, (f) => f.staking.connect(f.op1).withdrawStake()),
  scenario("OperatorStaking.setCommission(decrease)", deployWithOperator, (f) =>
    f.staking.connect(f.op1).setCommission(500),
  ),
  scenario("OperatorStaking.setCommission(increase)", deployWithOperator, (f) =>
    f.staking.connect(f.op1).setCommission(2000),
  ),
  // ---- OperatorStaking: delegation
  scenario("OperatorStaking.delegate(first)", deployWithOperator, (f) =>
    f.staking.connect(f.del1).delegate(f.op1.address, RGL(1_000)),
  ),
  scenario("OperatorStaking.delegate(again)", withDelegation, (f) =>
    f.staking.connect(f.del1).delegate(f.op1.address, RGL(1_000)),
  ),
  scenario("OperatorStaking.undelegate", withDelegation, async (f) =>
    f.staking
      .connect(f.del1)
      .undelegate(f.op1.address, (await f.staking.delegationInfo(f.op1.address, f.del1.address)).shares / 2n),
  ),
  scenario("OperatorStaking.withdrawDelegation", withThawingDelegation, (f) =>
    f.staking.connect(f.del1).withdrawDelegation(f.op1.address),
  ),
  scenario("OperatorStaking.claimRewards", withDelegation, (f) =>
    f.staking.connect(f.del1).claimRewards(f.op1.address),
  ),
  scenario("OperatorStaking.addPoolRewards", withDelegation, (f) =>
    f.staking.connect(f.rewarder).addPoolRewards(f.op1.address, RGL(10), 0),
  ),
  // ---- OperatorStaking: market hooks
  scenario("OperatorStaking.lockCollateral", withDelegation, (f) =>
    f.staking.connect(f.market).lockCollateral(f.op1.address, RGL(1_000)),
  ),
  scenario("OperatorStaking.unlockCollateral", withCollateral, (f) =>
    f.staking.connect(f.market).unlockCollateral(f.op1.address, RGL(1_000)),
  ),
  scenario("OperatorStaking.slash(self, split)", withCollateral, (f) =>
    f.staking.connect(f.market).slash(f.op1.address, RGL(1_000), RGL(1_000), f.del3.address, 5000),
  ),
  scenario("OperatorStaking.slash(into pool, split)", withCollateral, (f) =>
    f.staking.connect(f.market).slash(f.op1.address, RGL(10_500), RGL(5_000), f.del3.address, 5000),
  ),
  // ---- OperatorStaking: capacity and governance
  scenario("OperatorStaking.recordCapacity(2-of-3)", deployWithOperator, async (f) => {
    const { att, sigs } = await capacity(f, 2);
    return f.staking.recordCapacity(att, sigs);
  }),
  scenario("OperatorStaking.recordCapacity(2-of-3, listener)", withListener, async (f) => {
    const { att, sigs } = await capacity(f, 2);
    return f.staking.recordCapacity(att, sigs);
  }),
  scenario("OperatorStaking.setUnbondingPeriod", deployStaking, (f) =>
    f.staking.connect(f.admin).setUnbondingPeriod(120),
  ),
  scenario("OperatorStaking.pause", deployStaking, (f) => f.staking.connect(f.admin).pause()),
  // ---- OracleCommittee
  scenario("OracleCommittee.verifyShardAttestation(2-of-3, estimate)", deployStaking, async (f) => {
    const { att, sigs } = await shard(f, 1, 2);
    return f.committee.verifyShardAttestation.estimateGas(att, sigs);
  }),
  scenario("OracleCommittee.verifyShardAttestation(3-of-3, estimate)", deployStaking, async (f) => {
    const { att, sigs } = await shard(f, 1, 3);
    return f.committee.verifyShardAttestation.estimateGas(att, sigs);
  }),
  scenario("OracleCommittee.approveSigner", deployStaking, (f) =>
    f.committee.connect(f.admin).approveSigner(f.spareOracle.address),
  ),
  scenario("OracleCommittee.postBond", deployStaking, async (f) => {
    await f.committee.connect(f.admin).approveSigner(f.spareOracle.address);
    return f.committee.connect(f.spareOracle).postBond();
  }),
  scenario("OracleCommittee.removeSigner", deployStaking, (f) =>
    f.committee.connect(f.admin).removeSigner(f.oracles[0].address),
  ),
  scenario("OracleCommittee.withdrawBond", deployStaking, async (f) => {
    await f.committee.connect(f.admin).removeSigner(f.oracles[0].address);
    await time.increase(await f.committee.maxAttestationLifetime()); // the bond lock (PROTOCOL §7.2)
    return f.committee.connect(f.oracles[0]).withdrawBond();
  }),
  scenario("OracleCommittee.setThreshold", deployStaking, (f) => f.committee.connect(f.admin).setThreshold(3)),
  scenario("OracleCommittee.reportShardEquivocation", deployStaking, async (f) => {
    const a = await shard(f, 1, 1);
    const b = await shard(f, 2, 1);
    return f.committee.connect(f.outsider).reportShardEquivocation(a.att, a.sigs[0], b.att, b.sigs[0]);
  }),
  scenario("OracleCommittee.reportCapacityEquivocation", deployStaking, async (f) => {
    const a = await capacity(f, 1);
    const b = { ...a.att, opsPerSec: 1n };
    const [sigB] = await signCapacity(f.committee, f.oracles.slice(0, 1), b);
    return f.committee.connect(f.outsider).reportCapacityEquivocation(a.att, a.sigs[0], b, sigB);
  }),
  // ---- JobMarket and RewardsDistributor
  ...marketScenarios,
];

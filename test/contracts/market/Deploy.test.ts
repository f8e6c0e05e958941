import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import RigelModule, { DEV_DEFAULTS } from "../../../ignition/modules/Rigel";
import type {
  ComputeToken,
  JobMarket,
  OperatorStaking,
  OracleCommittee,
  RewardsDistributor,
  TimelockController,
} from "../../../typechain-types";

async function deployModule() {
  // Ignition sleeps blockPollingInterval (1 s by default) between batches while it waits for a
  // block; the in-process chain automines, so poll at once instead of sleeping ~5 s per deployment.
  const d = await hre.ignition.deploy(RigelModule, { displayUi: false, config: { blockPollingInterval: 10 } });
  const at = async <T>(name: string, c: { getAddress(): Promise<string> }) =>
    (await ethers.getContractAt(name, await c.getAddress())) as unknown as T;
  return {
    timelock: await at<TimelockController>("TimelockController", d.timelock),
    rgl: await at<ComputeToken>("ComputeToken", d.rgl),
    committee: await at<OracleCommittee>("OracleCommittee", d.committee),
    staking: await at<OperatorStaking>("OperatorStaking", d.staking),
    rewards: await at<RewardsDistributor>("RewardsDistributor", d.rewards),
    market: await at<JobMarket>("JobMarket", d.market),
    deployer: (await ethers.getSigners())[0],
  };
}

describe("Ignition module Rigel", () => {
  it("test_deploy_timelockHoldsEveryAdminRole_deployerHoldsNone", async () => {
    const d = await loadFixture(deployModule);
    const tl = await d.timelock.getAddress();
    const admin = ethers.ZeroHash;
    const held: [string, { hasRole(r: string, a: string): Promise<boolean> }, string][] = [
      ["rgl admin", d.rgl, admin],
      ["rgl minter", d.rgl, await d.rgl.MINTER_ROLE()],
      ["committee admin", d.committee, admin],
      ["staking admin", d.staking, admin],
      ["staking pauser", d.staking, await d.staking.PAUSER_ROLE()],
      ["staking market", d.staking, await d.staking.MARKET_ROLE()],
      ["staking slasher", d.staking, await d.staking.SLASHER_ROLE()],
      ["rewards admin", d.rewards, admin],
      ["rewards governor", d.rewards, await d.rewards.GOVERNOR_ROLE()],
      ["market admin", d.market, admin],
      ["market governor", d.market, await d.market.GOVERNOR_ROLE()],
      ["market pauser", d.market, await d.market.PAUSER_ROLE()],
    ];
    for (const [name, c, role] of held) {
      expect(await c.hasRole(role, d.deployer.address), `deployer holds ${name}`).to.equal(false);
    }
    for (const [name, c, role] of held.filter(([n]) => /admin|governor|pauser/.test(n))) {
      expect(await c.hasRole(role, tl), `timelock lacks ${name}`).to.equal(true);
    }
    expect(await d.timelock.hasRole(admin, d.deployer.address)).to.equal(false);
    expect(await d.timelock.hasRole(admin, tl)).to.equal(true);
  });

  it("test_deploy_wiresContractsWithDevDefaults", async () => {
    const d = await loadFixture(deployModule);
    const m = await d.market.getAddress();
    const rd = await d.rewards.getAddress();
    expect(await d.rgl.hasRole(await d.rgl.MINTER_ROLE(), rd)).to.equal(true);
    expect(await d.staking.hasRole(await d.staking.MARKET_ROLE(), m)).to.equal(true);
    expect(await d.staking.hasRole(await d.staking.SLASHER_ROLE(), m)).to.equal(true);
    expect(await d.staking.hasRole(await d.staking.REWARDER_ROLE(), rd)).to.equal(true);
    expect(await d.staking.capacityListener()).to.equal(rd);
    expect(await d.rewards.hasRole(await d.rewards.MARKET_ROLE(), m)).to.equal(true);
    const entry = await d.market.paymentToken(await d.rgl.getAddress());
    expect(entry.allowed).to.equal(true);
    expect(entry.rglPerToken).to.equal(10n ** 18n);
    const p = await d.market.params();
    expect(p.treasury).to.equal(await d.timelock.getAddress());
    expect(p.feeBps).to.equal(DEV_DEFAULTS.feeBps);
    expect(p.collateralRatioBps).to.equal(DEV_DEFAULTS.collateralRatioBps);
    expect(p.verifyWindow).to.equal(DEV_DEFAULTS.verifyWindow);
    expect(p.invalidSlashBps).to.equal(DEV_DEFAULTS.invalidSlashBps);
    expect(p.invalidDeveloperBps).to.equal(DEV_DEFAULTS.invalidDeveloperBps);
    expect(p.noShowSlashBps).to.equal(DEV_DEFAULTS.noShowSlashBps);
    const s = await d.rewards.schedule();
    expect(s.epochLength).to.equal(DEV_DEFAULTS.epochLength);
    // Operator parts vest one verify window after their epoch (PROTOCOL §10.9).
    expect(await d.rewards.rewardVestingDelay()).to.equal(DEV_DEFAULTS.verifyWindow);
    expect(await d.committee.threshold()).to.equal(DEV_DEFAULTS.committeeThreshold);
    expect(await d.staking.unbondingPeriod()).to.equal(DEV_DEFAULTS.unbondingPeriod);
    expect(await d.rgl.balanceOf(d.deployer.address)).to.equal(DEV_DEFAULTS.genesisSupply);
  });

  it("test_deploy_governanceGoesThroughTimelockOnly", async () => {
    const d = await loadFixture(deployModule);
    const token = d.deployer.address; // any address works as an allowlist entry
    await expect(d.market.setPaymentToken(token, true, 1n)).to.be.revertedWithCustomError(
      d.market,
      "AccessControlUnauthorizedAccount",
    );
    const data = d.market.interface.encodeFunctionData("setPaymentToken", [token, true, 1n]);
    const m = await d.market.getAddress();
    const salt = ethers.id("allow");
    await d.timelock.schedule(m, 0, data, ethers.ZeroHash, salt, DEV_DEFAULTS.timelockMinDelay);
    await d.timelock.execute(m, 0, data, ethers.ZeroHash, salt);
    expect((await d.market.paymentToken(token)).allowed).to.equal(true);
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { OperatorStaking, OracleCommittee } from "../../typechain-types";
import { BOND, RGL, deployStaking, deployWithOperator } from "../../fixtures/stakingFixture";

const MAX_PERIOD = 365n * 24n * 3600n;

describe("OperatorStaking: governance", () => {
  describe("parameter setters", () => {
    it("test_setters_updateAndEmit", async () => {
      const { staking, admin, outsider } = await loadFixture(deployStaking);
      const listener = await (await ethers.deployContract("CapacityListenerMock")).getAddress();
      await expect(staking.connect(admin).setUnbondingPeriod(120)).to.emit(staking, "UnbondingPeriodSet").withArgs(120);
      await expect(staking.connect(admin).setJailPeriod(60)).to.emit(staking, "JailPeriodSet").withArgs(60);
      await expect(staking.connect(admin).setCommissionDelay(30)).to.emit(staking, "CommissionDelaySet").withArgs(30);
      await expect(staking.connect(admin).setMinDelegation(7)).to.emit(staking, "MinDelegationSet").withArgs(7);
      await expect(staking.connect(admin).setCapacityListener(listener))
        .to.emit(staking, "CapacityListenerSet")
        .withArgs(listener)
        .and.to.emit(staking, "EpochClockSet")
        .withArgs(0, 0);
      await expect(staking.connect(admin).setCapacityValidity(3600))
        .to.emit(staking, "CapacityValiditySet")
        .withArgs(3600);
      await expect(staking.connect(admin).setCapacityMaxAge(60)).to.emit(staking, "CapacityMaxAgeSet").withArgs(60);
      await expect(staking.connect(admin).setCommittee(outsider.address))
        .to.emit(staking, "CommitteeSet")
        .withArgs(outsider.address);
      expect(await staking.unbondingPeriod()).to.equal(120n);
      expect(await staking.jailPeriod()).to.equal(60n);
      expect(await staking.commissionDelay()).to.equal(30n);
      expect(await staking.minDelegation()).to.equal(7n);
      expect(await staking.capacityListener()).to.equal(listener);
      expect(await staking.capacityValidity()).to.equal(3600n);
      expect(await staking.capacityMaxAge()).to.equal(60n);
      await expect(staking.connect(admin).setCapacityListener(ethers.ZeroAddress))
        .to.emit(staking, "EpochClockSet")
        .withArgs(0, 0);
      expect(await staking.committee()).to.equal(outsider.address);
      expect(await staking.MAX_PERIOD()).to.equal(MAX_PERIOD);
    });

    it("test_setters_revertWhen_notAdmin", async () => {
      const { staking, outsider } = await loadFixture(deployStaking);
      const s = staking.connect(outsider);
      for (const call of [
        () => s.setUnbondingPeriod(1),
        () => s.setJailPeriod(1),
        () => s.setCommissionDelay(1),
        () => s.setMinDelegation(1),
        () => s.setCapacityListener(outsider.address),
        () => s.setCapacityValidity(1),
        () => s.setCapacityMaxAge(1),
        () => s.setCommittee(outsider.address),
        () => s.pause(),
        () => s.unpause(),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount");
      }
    });

    it("test_setters_revertWhen_invalid", async () => {
      const { staking, admin } = await loadFixture(deployStaking);
      for (const call of [
        () => staking.connect(admin).setUnbondingPeriod(MAX_PERIOD + 1n),
        () => staking.connect(admin).setJailPeriod(MAX_PERIOD + 1n),
        () => staking.connect(admin).setCommissionDelay(MAX_PERIOD + 1n),
        () => staking.connect(admin).setCapacityValidity(MAX_PERIOD + 1n),
        () => staking.connect(admin).setCapacityMaxAge(MAX_PERIOD + 1n),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(staking, "StakingPeriodTooLong")
          .withArgs(MAX_PERIOD + 1n, MAX_PERIOD);
      }
      await expect(staking.connect(admin).setCommittee(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAddress",
      );
    });
  });

  describe("pause / unpause", () => {
    it("test_pause_stopsEntryOnly_unpauseResumes", async () => {
      const { staking, admin, op1, del1, market } = await loadFixture(deployWithOperator);
      await staking.connect(del1).delegate(op1.address, RGL(10));
      await expect(staking.connect(admin).pause()).to.emit(staking, "Paused").withArgs(admin.address);
      await expect(staking.connect(op1).stake(1)).to.be.revertedWithCustomError(staking, "EnforcedPause");
      await expect(staking.connect(del1).delegate(op1.address, RGL(1))).to.be.revertedWithCustomError(
        staking,
        "EnforcedPause",
      );
      // Market hooks and exits keep working.
      await staking.connect(market).lockCollateral(op1.address, 1);
      await staking.connect(market).unlockCollateral(op1.address, 1);
      await staking.connect(op1).requestUnstake(1);
      await staking
        .connect(del1)
        .undelegate(op1.address, (await staking.delegationInfo(op1.address, del1.address)).shares);
      await expect(staking.connect(admin).unpause()).to.emit(staking, "Unpaused").withArgs(admin.address);
      await staking.connect(op1).stake(1);
    });
  });

  describe("TimelockController as the only admin", () => {
    it("test_timelock_ownsAdminAndDeployerHoldsNothing", async () => {
      const [deployer, proposer] = await ethers.getSigners();
      const { token } = await loadFixture(deployStaking);
      const delay = 3600;
      const timelock = await ethers.deployContract("TimelockController", [
        delay,
        [proposer.address],
        [ethers.ZeroAddress],
        ethers.ZeroAddress,
      ]);
      const tl = await timelock.getAddress();
      const committee = (await ethers.deployContract("OracleCommittee", [
        await token.getAddress(),
        tl,
        2,
        BOND,
        1000,
        3600,
      ])) as unknown as OracleCommittee;
      const staking = (await ethers.deployContract("OperatorStaking", [
        await token.getAddress(),
        await committee.getAddress(),
        tl,
        120,
        60,
        60,
        RGL(1),
      ])) as unknown as OperatorStaking;
      const adminRole = await staking.DEFAULT_ADMIN_ROLE();
      expect(await staking.hasRole(adminRole, tl)).to.equal(true);
      expect(await staking.hasRole(adminRole, deployer.address)).to.equal(false);
      expect(await committee.hasRole(adminRole, deployer.address)).to.equal(false);
      await expect(staking.connect(deployer).setUnbondingPeriod(1)).to.be.revertedWithCustomError(
        staking,
        "AccessControlUnauthorizedAccount",
      );

      const data = staking.interface.encodeFunctionData("setUnbondingPeriod", [600]);
      const salt = ethers.ZeroHash;
      await timelock.connect(proposer).schedule(await staking.getAddress(), 0, data, ethers.ZeroHash, salt, delay);
      await expect(
        timelock.execute(await staking.getAddress(), 0, data, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      await time.increase(delay);
      await timelock.execute(await staking.getAddress(), 0, data, ethers.ZeroHash, salt);
      expect(await staking.unbondingPeriod()).to.equal(600n);

      const approve = committee.interface.encodeFunctionData("approveSigner", [proposer.address]);
      await timelock.connect(proposer).schedule(await committee.getAddress(), 0, approve, ethers.ZeroHash, salt, delay);
      await time.increase(delay);
      await timelock.execute(await committee.getAddress(), 0, approve, ethers.ZeroHash, salt);
      expect((await committee.signerInfo(proposer.address)).status).to.equal(1n);
    });
  });
});

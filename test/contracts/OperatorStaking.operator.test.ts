import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  COMMISSION_DELAY,
  FIGURES,
  RGL,
  UNBONDING,
  delta,
  deployStaking,
  deployWithOperator,
  now,
  operatorFigures,
  zeroDelta,
} from "../../fixtures/stakingFixture";

describe("OperatorStaking: operators", () => {
  describe("constructor", () => {
    it("test_constructor_setsParametersAndRoles", async () => {
      const { staking, token, committee, admin } = await loadFixture(deployStaking);
      expect(await staking.token()).to.equal(await token.getAddress());
      expect(await staking.committee()).to.equal(await committee.getAddress());
      expect(await staking.capacityListener()).to.equal(ethers.ZeroAddress);
      expect(await staking.unbondingPeriod()).to.equal(UNBONDING);
      expect(await staking.commissionDelay()).to.equal(COMMISSION_DELAY);
      expect(await staking.minDelegation()).to.equal(RGL(1));
      expect(await staking.MARKET_ROLE()).to.equal(ethers.id("MARKET_ROLE"));
      expect(await staking.SLASHER_ROLE()).to.equal(ethers.id("SLASHER_ROLE"));
      expect(await staking.REWARDER_ROLE()).to.equal(ethers.id("REWARDER_ROLE"));
      expect(await staking.PAUSER_ROLE()).to.equal(ethers.id("PAUSER_ROLE"));
      expect(await staking.hasRole(await staking.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
    });

    it("test_constructor_revertsWhen_zeroAddressOrPeriodTooLong", async () => {
      const { token, committee, admin } = await loadFixture(deployStaking);
      const f = await ethers.getContractFactory("OperatorStaking");
      const t = await token.getAddress();
      const c = await committee.getAddress();
      await expect(f.deploy(ethers.ZeroAddress, c, admin.address, 1, 1, 1, 1)).to.be.revertedWithCustomError(
        f,
        "StakingZeroAddress",
      );
      await expect(f.deploy(t, c, ethers.ZeroAddress, 1, 1, 1, 1)).to.be.revertedWithCustomError(
        f,
        "StakingZeroAddress",
      );
      await expect(f.deploy(t, ethers.ZeroAddress, admin.address, 1, 1, 1, 1)).to.be.revertedWithCustomError(
        f,
        "StakingZeroAddress",
      );
      const tooLong = 366n * 24n * 3600n;
      await expect(f.deploy(t, c, admin.address, tooLong, 1, 1, 1))
        .to.be.revertedWithCustomError(f, "StakingPeriodTooLong")
        .withArgs(tooLong, 365n * 24n * 3600n);
    });
  });

  describe("register", () => {
    it("test_register_recordsOperator", async () => {
      const { staking, op1 } = await loadFixture(deployStaking);
      await expect(staking.connect(op1).register("ipfs://op1", 500))
        .to.emit(staking, "OperatorRegistered")
        .withArgs(op1.address, "ipfs://op1", 500);
      expect(await staking.isRegistered(op1.address)).to.equal(true);
      expect(await staking.metadataURI(op1.address)).to.equal("ipfs://op1");
      expect(await staking.commissionBps(op1.address)).to.equal(500n);
      const info = await staking.operatorInfo(op1.address);
      expect(info.registered).to.equal(true);
      expect(info.totalAtStake).to.equal(0n);
    });

    it("test_register_revertsWhen_alreadyRegistered", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op1).register("x", 0))
        .to.be.revertedWithCustomError(staking, "StakingAlreadyRegistered")
        .withArgs(op1.address);
    });

    it("test_register_revertsWhen_commissionAbove100Percent", async () => {
      const { staking, op1 } = await loadFixture(deployStaking);
      await expect(staking.connect(op1).register("x", 10_001))
        .to.be.revertedWithCustomError(staking, "StakingInvalidBps")
        .withArgs(10_001);
    });

    it("test_register_revertsWhen_paused", async () => {
      const { staking, op1, admin } = await loadFixture(deployStaking);
      await staking.connect(admin).pause();
      await expect(staking.connect(op1).register("x", 0)).to.be.revertedWithCustomError(staking, "EnforcedPause");
    });
  });

  describe("updateMetadata", () => {
    it("test_updateMetadata_replacesUri", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op1).updateMetadata("ipfs://new"))
        .to.emit(staking, "MetadataUpdated")
        .withArgs(op1.address, "ipfs://new");
      expect(await staking.metadataURI(op1.address)).to.equal("ipfs://new");
    });

    it("test_updateMetadata_revertsWhen_notRegistered", async () => {
      const { staking, op2 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op2).updateMetadata("x"))
        .to.be.revertedWithCustomError(staking, "StakingNotRegistered")
        .withArgs(op2.address);
    });
  });

  describe("stake", () => {
    it("test_stake_addsSelfStake", async () => {
      const { staking, token, op1 } = await loadFixture(deployWithOperator);
      const before = await operatorFigures(staking, op1.address);
      const tx = staking.connect(op1).stake(RGL(5));
      await expect(tx).to.emit(staking, "Staked").withArgs(op1.address, RGL(5), RGL(10_005));
      await expect(tx).to.changeTokenBalances(token, [op1, staking], [-RGL(5), RGL(5)]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { selfStake: RGL(5) }));
      expect(await staking.freeStake(op1.address)).to.equal(RGL(10_005));
      expect(await staking.selfStake(op1.address)).to.equal(RGL(10_005));
    });

    it("test_stake_revertsWhen_notRegisteredZeroOrPaused", async () => {
      const { staking, op1, op2, admin } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op2).stake(1)).to.be.revertedWithCustomError(staking, "StakingNotRegistered");
      await expect(staking.connect(op1).stake(0)).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
      await staking.connect(admin).pause();
      await expect(staking.connect(op1).stake(1)).to.be.revertedWithCustomError(staking, "EnforcedPause");
    });
  });

  describe("requestUnstake", () => {
    it("test_requestUnstake_movesFreeStakeToThawing", async () => {
      const { staking, token, op1 } = await loadFixture(deployWithOperator);
      const before = await operatorFigures(staking, op1.address);
      const tx = await staking.connect(op1).requestUnstake(RGL(4_000));
      const thawEnd = (await now()) + UNBONDING;
      await expect(tx).to.emit(staking, "UnstakeRequested").withArgs(op1.address, RGL(4_000), RGL(4_000), thawEnd);
      await expect(tx).to.changeTokenBalances(token, [op1, staking], [0n, 0n]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(
        zeroDelta(FIGURES, { selfStake: -RGL(4_000), selfThawing: RGL(4_000) }),
      );
      expect((await staking.operatorInfo(op1.address)).selfThawEnd).to.equal(thawEnd);
    });

    it("test_requestUnstake_secondRequestAccumulatesAndResetsTimer", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).requestUnstake(RGL(1));
      await time.increase(1000);
      await staking.connect(op1).requestUnstake(RGL(2));
      const info = await staking.operatorInfo(op1.address);
      expect(info.selfThawing).to.equal(RGL(3));
      expect(info.selfThawEnd).to.equal((await now()) + UNBONDING);
    });

    it("test_requestUnstake_revertsWhen_lockedOrZero", async () => {
      const { staking, op1, market } = await loadFixture(deployWithOperator);
      await staking.connect(market).lockCollateral(op1.address, RGL(9_000));
      await expect(staking.connect(op1).requestUnstake(RGL(1_001)))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientFreeStake")
        .withArgs(op1.address, RGL(1_000), RGL(1_001));
      await expect(staking.connect(op1).requestUnstake(0)).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
    });

    it("test_requestUnstake_worksWhilePaused", async () => {
      const { staking, op1, admin } = await loadFixture(deployWithOperator);
      await staking.connect(admin).pause();
      await staking.connect(op1).requestUnstake(RGL(1));
      expect((await staking.operatorInfo(op1.address)).selfThawing).to.equal(RGL(1));
    });
  });

  describe("withdrawStake", () => {
    it("test_withdrawStake_paysThawedStake", async () => {
      const { staking, token, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).requestUnstake(RGL(4_000));
      await time.increase(UNBONDING);
      const before = await operatorFigures(staking, op1.address);
      const tx = staking.connect(op1).withdrawStake();
      await expect(tx).to.emit(staking, "StakeWithdrawn").withArgs(op1.address, RGL(4_000));
      await expect(tx).to.changeTokenBalances(token, [op1, staking], [RGL(4_000), -RGL(4_000)]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { selfThawing: -RGL(4_000) }));
    });

    it("test_withdrawStake_revertsWhen_stillThawingOrNothing", async () => {
      const { staking, op1, op2 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op2).withdrawStake()).to.be.revertedWithCustomError(
        staking,
        "StakingNothingThawing",
      );
      await staking.connect(op1).requestUnstake(RGL(1));
      const end = (await staking.operatorInfo(op1.address)).selfThawEnd;
      await expect(staking.connect(op1).withdrawStake())
        .to.be.revertedWithCustomError(staking, "StakingStillThawing")
        .withArgs(end);
    });

    it("test_withdrawStake_worksWhilePaused", async () => {
      const { staking, token, op1, admin } = await loadFixture(deployWithOperator);
      await staking.connect(op1).requestUnstake(RGL(1));
      await time.increase(UNBONDING);
      await staking.connect(admin).pause();
      await expect(staking.connect(op1).withdrawStake()).to.changeTokenBalance(token, op1, RGL(1));
    });
  });

  describe("setCommission", () => {
    it("test_setCommission_decreaseAppliesNow", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op1).setCommission(200))
        .to.emit(staking, "CommissionSet")
        .withArgs(op1.address, 200);
      expect(await staking.commissionBps(op1.address)).to.equal(200n);
    });

    it("test_setCommission_increaseWaitsForDelay", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      const tx = await staking.connect(op1).setCommission(3000);
      const at = (await now()) + COMMISSION_DELAY;
      await expect(tx).to.emit(staking, "CommissionIncreaseScheduled").withArgs(op1.address, 3000, at);
      expect(await staking.commissionBps(op1.address)).to.equal(1000n);
      let info = await staking.operatorInfo(op1.address);
      expect(info.pendingCommissionBps).to.equal(3000n);
      expect(info.pendingCommissionAt).to.equal(at);
      await time.increaseTo(at);
      expect(await staking.commissionBps(op1.address)).to.equal(3000n);
      info = await staking.operatorInfo(op1.address);
      expect(info.commissionBps).to.equal(3000n);
      expect(info.pendingCommissionAt).to.equal(0n);
    });

    it("test_setCommission_decreaseCancelsPendingIncrease", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).setCommission(3000);
      await staking.connect(op1).setCommission(900);
      await time.increase(COMMISSION_DELAY);
      expect(await staking.commissionBps(op1.address)).to.equal(900n);
      expect((await staking.operatorInfo(op1.address)).pendingCommissionAt).to.equal(0n);
    });

    it("test_setCommission_newIncreaseAfterAppliedKeepsApplied", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).setCommission(3000);
      await time.increase(COMMISSION_DELAY);
      await staking.connect(op1).setCommission(4000);
      expect(await staking.commissionBps(op1.address)).to.equal(3000n);
      await time.increase(COMMISSION_DELAY);
      expect(await staking.commissionBps(op1.address)).to.equal(4000n);
    });

    it("test_setCommission_revertsWhen_notRegisteredOrInvalid", async () => {
      const { staking, op1, op2 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(op2).setCommission(1)).to.be.revertedWithCustomError(
        staking,
        "StakingNotRegistered",
      );
      await expect(staking.connect(op1).setCommission(10_001))
        .to.be.revertedWithCustomError(staking, "StakingInvalidBps")
        .withArgs(10_001);
    });
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  FIGURES,
  RGL,
  UNBONDING,
  delta,
  deployWithOperator,
  now,
  operatorFigures,
  zeroDelta,
} from "../../fixtures/stakingFixture";

const VIRTUAL_SHARES = 1_000_000n;

async function withDelegation() {
  const f = await deployWithOperator();
  await f.staking.connect(f.del1).delegate(f.op1.address, RGL(1_000));
  return f;
}

describe("OperatorStaking: delegation", () => {
  describe("delegate", () => {
    it("test_delegate_mintsSharesAtVirtualPrice", async () => {
      const { staking, token, op1, del1 } = await loadFixture(deployWithOperator);
      const before = await operatorFigures(staking, op1.address);
      const shares = RGL(1_000) * VIRTUAL_SHARES;
      const tx = staking.connect(del1).delegate(op1.address, RGL(1_000));
      await expect(tx).to.emit(staking, "Delegated").withArgs(op1.address, del1.address, RGL(1_000), shares);
      await expect(tx).to.changeTokenBalances(token, [del1, staking], [-RGL(1_000), RGL(1_000)]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { poolTokens: RGL(1_000), poolShares: shares }));
      const d = await staking.delegationInfo(op1.address, del1.address);
      expect(d.shares).to.equal(shares);
      expect(d.principal).to.equal(RGL(1_000));
      expect(d.value).to.equal(RGL(1_000));
      expect(d.claimable).to.equal(0n);
      expect(await staking.delegatedStake(op1.address)).to.equal(RGL(1_000));
    });

    it("test_delegate_secondDelegatorGetsProportionalSharesAfterRewards", async () => {
      const { staking, rewarder, op1, del1, del2 } = await loadFixture(withDelegation);
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(1_000), 0);
      await staking.connect(del2).delegate(op1.address, RGL(2_000));
      const d1 = await staking.delegationInfo(op1.address, del1.address);
      const d2 = await staking.delegationInfo(op1.address, del2.address);
      expect(d2.shares).to.be.closeTo(d1.shares, 1_000_000n);
      expect(d2.value).to.be.closeTo(RGL(2_000), 2n);
      expect(d1.value).to.be.closeTo(RGL(2_000), 2n);
    });

    it("test_delegate_revertsWhen_notRegisteredBelowMinimumOrPaused", async () => {
      const { staking, op1, op2, del1, admin } = await loadFixture(deployWithOperator);
      await expect(staking.connect(del1).delegate(op2.address, RGL(1)))
        .to.be.revertedWithCustomError(staking, "StakingNotRegistered")
        .withArgs(op2.address);
      await expect(staking.connect(del1).delegate(op1.address, RGL(1) - 1n))
        .to.be.revertedWithCustomError(staking, "StakingBelowMinDelegation")
        .withArgs(RGL(1) - 1n, RGL(1));
      await staking.connect(admin).setMinDelegation(0);
      await expect(staking.connect(del1).delegate(op1.address, 0))
        .to.be.revertedWithCustomError(staking, "StakingBelowMinDelegation")
        .withArgs(0, 0);
      await staking.connect(admin).pause();
      await expect(staking.connect(del1).delegate(op1.address, RGL(1))).to.be.revertedWithCustomError(
        staking,
        "EnforcedPause",
      );
    });

    it("test_delegate_revertsWhen_dustMintsNoShares", async () => {
      const { staking, rewarder, op2, del1, del2, admin } = await loadFixture(deployWithOperator);
      await staking.connect(admin).setMinDelegation(0);
      await staking.connect(op2).register("op2", 0);
      // A 1-wei pool holding 10 RGL of rewards prices a share above one token unit.
      await staking.connect(del1).delegate(op2.address, 1n);
      await staking.connect(rewarder).addPoolRewards(op2.address, RGL(10), 0);
      await expect(staking.connect(del2).delegate(op2.address, 1n)).to.be.revertedWithCustomError(
        staking,
        "StakingDust",
      );
    });
  });

  describe("undelegate", () => {
    it("test_undelegate_movesValueToThawPool", async () => {
      const { staking, token, op1, del1 } = await loadFixture(withDelegation);
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      const half = d0.shares / 2n;
      const before = await operatorFigures(staking, op1.address);
      const tx = await staking.connect(del1).undelegate(op1.address, half);
      const thawEnd = (await now()) + UNBONDING;
      const thawShares = RGL(500) * VIRTUAL_SHARES;
      await expect(tx)
        .to.emit(staking, "Undelegated")
        .withArgs(op1.address, del1.address, half, RGL(500), thawShares, thawEnd);
      await expect(tx).to.changeTokenBalances(token, [del1, staking], [0n, 0n]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(
        zeroDelta(FIGURES, { poolTokens: -RGL(500), poolShares: -half, thawTokens: RGL(500), thawShares }),
      );
      const d = await staking.delegationInfo(op1.address, del1.address);
      expect(d.shares).to.equal(d0.shares - half);
      expect(d.principal).to.equal(RGL(500));
      expect(d.thawShares).to.equal(thawShares);
      expect(d.thawValue).to.equal(RGL(500));
      expect(d.thawEnd).to.equal(thawEnd);
    });

    it("test_undelegate_worksWhilePaused", async () => {
      const { staking, op1, del1, admin } = await loadFixture(withDelegation);
      await staking.connect(admin).pause();
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      await staking.connect(del1).undelegate(op1.address, d0.shares);
      expect((await staking.delegationInfo(op1.address, del1.address)).thawValue).to.equal(RGL(1_000));
    });

    it("test_undelegate_revertsWhen_zeroTooManyOrDust", async () => {
      const { staking, op1, del1 } = await loadFixture(withDelegation);
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      await expect(staking.connect(del1).undelegate(op1.address, 0)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      await expect(staking.connect(del1).undelegate(op1.address, d0.shares + 1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientShares")
        .withArgs(d0.shares, d0.shares + 1n);
      await expect(staking.connect(del1).undelegate(op1.address, 1n)).to.be.revertedWithCustomError(
        staking,
        "StakingDust",
      );
    });
  });

  describe("withdrawDelegation", () => {
    it("test_withdrawDelegation_paysThawedValue", async () => {
      const { staking, token, op1, del1 } = await loadFixture(withDelegation);
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      await staking.connect(del1).undelegate(op1.address, d0.shares);
      await time.increase(UNBONDING);
      const before = await operatorFigures(staking, op1.address);
      const thawShares = (await staking.delegationInfo(op1.address, del1.address)).thawShares;
      const tx = staking.connect(del1).withdrawDelegation(op1.address);
      await expect(tx)
        .to.emit(staking, "DelegationWithdrawn")
        .withArgs(op1.address, del1.address, thawShares, RGL(1_000));
      await expect(tx).to.changeTokenBalances(token, [del1, staking], [RGL(1_000), -RGL(1_000)]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(
        zeroDelta(FIGURES, { thawTokens: -RGL(1_000), thawShares: -thawShares }),
      );
      expect((await staking.delegationInfo(op1.address, del1.address)).thawShares).to.equal(0n);
    });

    it("test_withdrawDelegation_paysNothingAfterFullSlashOfThawPool", async () => {
      const { staking, token, market, op1, del1 } = await loadFixture(withDelegation);
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      await staking.connect(del1).undelegate(op1.address, d0.shares);
      await staking.connect(market).slash(op1.address, RGL(11_000), 0, ethers.ZeroAddress, 0);
      await time.increase(UNBONDING);
      // The wiped thaw pool started a new generation: the delegation's thaw shares are void.
      expect((await staking.operatorInfo(op1.address)).thawShares).to.equal(0n);
      expect((await staking.delegationInfo(op1.address, del1.address)).thawValue).to.equal(0n);
      const before = await token.balanceOf(del1.address);
      await expect(staking.connect(del1).withdrawDelegation(op1.address)).to.be.revertedWithCustomError(
        staking,
        "StakingNothingThawing",
      );
      expect(await token.balanceOf(del1.address)).to.equal(before);
    });

    it("test_withdrawDelegation_revertsWhen_nothingOrStillThawing", async () => {
      const { staking, op1, del1, del2 } = await loadFixture(withDelegation);
      await expect(staking.connect(del2).withdrawDelegation(op1.address)).to.be.revertedWithCustomError(
        staking,
        "StakingNothingThawing",
      );
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      await staking.connect(del1).undelegate(op1.address, d0.shares);
      const end = (await staking.delegationInfo(op1.address, del1.address)).thawEnd;
      await expect(staking.connect(del1).withdrawDelegation(op1.address))
        .to.be.revertedWithCustomError(staking, "StakingStillThawing")
        .withArgs(end);
    });

    it("test_withdrawDelegation_worksWhilePaused", async () => {
      const { staking, token, op1, del1, admin } = await loadFixture(withDelegation);
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      await staking.connect(del1).undelegate(op1.address, d0.shares);
      await time.increase(UNBONDING);
      await staking.connect(admin).pause();
      await expect(staking.connect(del1).withdrawDelegation(op1.address)).to.changeTokenBalance(
        token,
        del1,
        RGL(1_000),
      );
    });
  });

  describe("addPoolRewards", () => {
    it("test_addPoolRewards_raisesSharePrice", async () => {
      const { staking, token, rewarder, op1, del1 } = await loadFixture(withDelegation);
      const before = await operatorFigures(staking, op1.address);
      const tx = staking.connect(rewarder).addPoolRewards(op1.address, RGL(100), 0);
      await expect(tx).to.emit(staking, "PoolRewardsAdded").withArgs(op1.address, RGL(100), RGL(1_100));
      await expect(tx).to.changeTokenBalances(token, [rewarder, staking], [-RGL(100), RGL(100)]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { poolTokens: RGL(100) }));
      const d = await staking.delegationInfo(op1.address, del1.address);
      expect(d.value).to.be.closeTo(RGL(1_100), 1n);
      expect(d.claimable).to.be.closeTo(RGL(100), 1n);
    });

    it("test_addPoolRewards_emptyPoolCreditsSelfStake", async () => {
      const { staking, token, rewarder, op1 } = await loadFixture(deployWithOperator);
      const before = await operatorFigures(staking, op1.address);
      const tx = staking.connect(rewarder).addPoolRewards(op1.address, RGL(5), 0);
      await expect(tx).to.emit(staking, "PoolRewardsToSelfStake").withArgs(op1.address, RGL(5));
      await expect(tx).to.changeTokenBalances(token, [rewarder, staking], [-RGL(5), RGL(5)]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { selfStake: RGL(5) }));
    });

    it("test_addPoolRewards_zeroDoesNothing", async () => {
      const { staking, token, rewarder, op1 } = await loadFixture(withDelegation);
      const before = await operatorFigures(staking, op1.address);
      await expect(staking.connect(rewarder).addPoolRewards(op1.address, 0, 0)).to.changeTokenBalance(
        token,
        rewarder,
        0n,
      );
      expect(await operatorFigures(staking, op1.address)).to.deep.equal(before);
    });

    it("test_addPoolRewards_revertsWhen_notRewarderOrNotRegistered", async () => {
      const { staking, rewarder, op1, op2, outsider } = await loadFixture(withDelegation);
      await expect(staking.connect(outsider).addPoolRewards(op1.address, 1, 0))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.id("REWARDER_ROLE"));
      await expect(staking.connect(rewarder).addPoolRewards(op2.address, 1, 0)).to.be.revertedWithCustomError(
        staking,
        "StakingNotRegistered",
      );
    });
  });

  describe("claimRewards", () => {
    it("test_claimRewards_paysValueAbovePrincipalWithoutThawing", async () => {
      const { staking, token, rewarder, op1, del1 } = await loadFixture(withDelegation);
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(100), 0);
      const d0 = await staking.delegationInfo(op1.address, del1.address);
      const before = await operatorFigures(staking, op1.address);
      const tx = await staking.connect(del1).claimRewards(op1.address);
      const receipt = await tx.wait();
      const ev = receipt!.logs.map((l) => staking.interface.parseLog(l)).find((e) => e?.name === "RewardsClaimed");
      const burned = ev!.args[2] as bigint;
      const paid = ev!.args[3] as bigint;
      expect(paid).to.equal(d0.claimable);
      await expect(tx).to.changeTokenBalances(token, [del1, staking], [paid, -paid]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { poolTokens: -paid, poolShares: -burned }));
      const d = await staking.delegationInfo(op1.address, del1.address);
      expect(d.principal).to.equal(RGL(1_000));
      expect(d.shares).to.equal(d0.shares - burned);
      expect(d.value).to.be.closeTo(RGL(1_000), 2n);
      expect(d.value).to.be.lte(RGL(1_000));
    });

    it("test_claimRewards_worksWhilePaused", async () => {
      const { staking, rewarder, op1, del1, admin } = await loadFixture(withDelegation);
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(100), 0);
      await staking.connect(admin).pause();
      await expect(staking.connect(del1).claimRewards(op1.address)).to.emit(staking, "RewardsClaimed");
    });

    it("test_claimRewards_revertsWhen_noGain", async () => {
      const { staking, op1, del1, del2 } = await loadFixture(withDelegation);
      await expect(staking.connect(del1).claimRewards(op1.address)).to.be.revertedWithCustomError(
        staking,
        "StakingNothingToClaim",
      );
      await expect(staking.connect(del2).claimRewards(op1.address)).to.be.revertedWithCustomError(
        staking,
        "StakingNothingToClaim",
      );
    });

    it("test_claimRewards_rewardsFirstCoverSlashLosses", async () => {
      const { staking, rewarder, market, op1, del1 } = await loadFixture(withDelegation);
      // Self-stake 10 000 absorbs the first 10 000; 100 more comes out of the pool.
      await staking.connect(market).slash(op1.address, RGL(10_100), 0, ethers.ZeroAddress, 0);
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(60), 0);
      await expect(staking.connect(del1).claimRewards(op1.address)).to.be.revertedWithCustomError(
        staking,
        "StakingNothingToClaim",
      );
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(60), 0);
      const d = await staking.delegationInfo(op1.address, del1.address);
      expect(d.claimable).to.be.closeTo(RGL(20), 2n);
    });
  });
});

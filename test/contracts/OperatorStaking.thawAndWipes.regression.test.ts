// Regressions of issue 19's smaller staking points: the thaw clock of stake already thawing, and
// share-price overflow after repeated pool wipes (fixtures/stakingFixture.ts: no reward clock).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { RGL, UNBONDING, deployWithOperator } from "../../fixtures/stakingFixture";

describe("OperatorStaking: thaw clocks and pool wipes (issue 19 regressions)", () => {
  describe("thaw clock", () => {
    it("test_secondUnstake_doesNotResetTheFirstOnesClock", async () => {
      const { staking, token, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).requestUnstake(RGL(1_000));
      const t0 = BigInt(await time.latest());
      await time.increase(UNBONDING / 2n);
      await staking.connect(op1).requestUnstake(RGL(2_000));
      await time.increaseTo(t0 + UNBONDING);
      // Old rule: one bucket whose end moved to (t0 + U/2) + U: nothing withdrawable here.
      await expect(staking.connect(op1).withdrawStake()).to.changeTokenBalances(
        token,
        [op1, staking],
        [RGL(1_000), -RGL(1_000)],
      );
      const v = await staking.operatorInfo(op1.address);
      expect(v.selfThawing).to.equal(RGL(2_000));
      await expect(staking.connect(op1).withdrawStake()).to.be.revertedWithCustomError(staking, "StakingStillThawing");
      await time.increase(UNBONDING / 2n);
      await expect(staking.connect(op1).withdrawStake()).to.changeTokenBalance(token, op1, RGL(2_000));
      expect((await staking.operatorInfo(op1.address)).selfThawing).to.equal(0n);
    });

    it("test_thirdUnstake_whileTwoThaw_revertsWithBothEnds", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).requestUnstake(RGL(1));
      const end0 = BigInt(await time.latest()) + UNBONDING;
      await staking.connect(op1).requestUnstake(RGL(1));
      const end1 = BigInt(await time.latest()) + UNBONDING;
      await expect(staking.connect(op1).requestUnstake(RGL(1)))
        .to.be.revertedWithCustomError(staking, "StakingThawSlotsFull")
        .withArgs(end0, end1);
    });

    it("test_secondUndelegation_doesNotResetTheFirstOnesClock", async () => {
      const { staking, token, op1, del1 } = await loadFixture(deployWithOperator);
      await staking.connect(del1).delegate(op1.address, RGL(1_000));
      const shares = (await staking.delegationInfo(op1.address, del1.address)).shares;
      await staking.connect(del1).undelegate(op1.address, shares / 4n);
      const t0 = BigInt(await time.latest());
      await time.increase(UNBONDING / 2n);
      await staking.connect(del1).undelegate(op1.address, shares / 4n);
      await time.increaseTo(t0 + UNBONDING);
      // Old rule: the delegation's thaw end moved to (t0 + U/2) + U for both undelegations.
      await expect(staking.connect(del1).withdrawDelegation(op1.address)).to.changeTokenBalance(token, del1, RGL(250));
      await expect(staking.connect(del1).undelegate(op1.address, shares / 4n)).not.to.be.reverted;
      await expect(staking.connect(del1).undelegate(op1.address, shares / 8n)).to.be.revertedWithCustomError(
        staking,
        "StakingThawSlotsFull",
      );
      await time.increase(UNBONDING);
      await expect(staking.connect(del1).withdrawDelegation(op1.address)).to.changeTokenBalance(token, del1, RGL(500));
      expect((await staking.delegationInfo(op1.address, del1.address)).thawShares).to.equal(0n);
    });
  });

  describe("pool wipes", () => {
    it("test_repeatedPoolWipes_neverInflateTheSharePrice", async () => {
      const { staking, token, market, op1, del1, del2 } = await loadFixture(deployWithOperator);
      const fresh = RGL(1_000) * 1_000_000n; // shares for 1 000 RGL at the initial price
      for (let round = 1; round <= 6; round++) {
        await staking.connect(del1).delegate(op1.address, RGL(1_000));
        const atStake = (await staking.operatorInfo(op1.address)).totalAtStake;
        await expect(staking.connect(market).slash(op1.address, atStake, 0, ethers.ZeroAddress, 0))
          .to.emit(staking, "PoolWiped")
          .withArgs(op1.address, false, round, fresh);
        const v = await staking.operatorInfo(op1.address);
        expect(v.poolTokens).to.equal(0n);
        expect(v.poolShares).to.equal(0n);
        expect(v.poolGeneration).to.equal(BigInt(round));
        expect((await staking.delegationInfo(op1.address, del1.address)).value).to.equal(0n);
      }
      // Old rule: after a wipe the pool kept its shares at 0 tokens, so 1 000 RGL minted
      // 1 000e18 × (S + 10^6) shares, S growing by ~10^24 per wipe: mulDiv overflowed within a few.
      await staking.connect(del2).delegate(op1.address, RGL(1_000));
      const d2 = await staking.delegationInfo(op1.address, del2.address);
      expect(d2.shares).to.equal(fresh);
      expect(d2.value).to.equal(RGL(1_000));
      // The wiped delegator's next touch clears its old shares before its new ones.
      await expect(staking.connect(del1).delegate(op1.address, RGL(1_000)))
        .to.emit(staking, "DelegationWiped")
        .withArgs(op1.address, del1.address, fresh, 0n);
      expect((await staking.delegationInfo(op1.address, del1.address)).shares).to.equal(fresh);
      expect(await token.balanceOf(await staking.getAddress())).to.equal(
        (await staking.operatorInfo(op1.address)).totalAtStake,
      );
    });
  });
});

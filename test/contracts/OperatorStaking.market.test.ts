import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  FIGURES,
  JAIL,
  RGL,
  delta,
  deployWithOperator,
  now,
  operatorFigures,
  zeroDelta,
} from "../../fixtures/stakingFixture";

/** op1: self 10 000 (4 000 locked), 2 000 self thawing; pool 3 000 active, 1 000 thawing. */
async function fullyLoaded() {
  const f = await deployWithOperator();
  const { staking, op1, del1, del2, market } = f;
  await staking.connect(op1).stake(RGL(2_000));
  await staking.connect(op1).requestUnstake(RGL(2_000));
  await staking.connect(market).lockCollateral(op1.address, RGL(4_000));
  await staking.connect(del1).delegate(op1.address, RGL(3_000));
  await staking.connect(del2).delegate(op1.address, RGL(1_000));
  const d2 = await staking.delegationInfo(op1.address, del2.address);
  await staking.connect(del2).undelegate(op1.address, d2.shares);
  return f;
}

describe("OperatorStaking: collateral and slashing", () => {
  describe("lockCollateral", () => {
    it("test_lockCollateral_locksFreeStake", async () => {
      const { staking, token, market, op1 } = await loadFixture(deployWithOperator);
      const before = await operatorFigures(staking, op1.address);
      const tx = staking.connect(market).lockCollateral(op1.address, RGL(3_000));
      await expect(tx).to.emit(staking, "CollateralLocked").withArgs(op1.address, RGL(3_000), RGL(3_000));
      await expect(tx).to.changeTokenBalances(token, [op1, staking], [0n, 0n]);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { lockedStake: RGL(3_000) }));
      expect(await staking.freeStake(op1.address)).to.equal(RGL(7_000));
      expect(await staking.selfStake(op1.address)).to.equal(RGL(10_000));
    });

    it("test_lockCollateral_revertsWhen_aboveFreeOrNotMarket", async () => {
      const { staking, market, op1, outsider } = await loadFixture(deployWithOperator);
      await expect(staking.connect(market).lockCollateral(op1.address, RGL(10_001)))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientFreeStake")
        .withArgs(op1.address, RGL(10_000), RGL(10_001));
      await expect(staking.connect(outsider).lockCollateral(op1.address, 1))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.id("MARKET_ROLE"));
    });
  });

  describe("eligibilityOf", () => {
    it("test_eligibilityOf_equalsTheFourViews_registeredLockedJailedAndOutsider", async () => {
      const { staking, market, op1, outsider } = await loadFixture(deployWithOperator);
      await staking.connect(market).lockCollateral(op1.address, RGL(3_000));
      const expectSame = async (who: string) => {
        const e = await staking.eligibilityOf(who);
        const c = await staking.capacityOf(who);
        expect(e.registered).to.equal(await staking.isRegistered(who));
        expect(e.jailedUntil).to.equal(await staking.jailedUntil(who));
        expect(e.freeStake).to.equal(await staking.freeStake(who));
        expect([e.opsPerSec, e.vramMiB, e.capacityValidUntil]).to.deep.equal([c.opsPerSec, c.vramMiB, c.validUntil]);
        return e;
      };
      const e1 = await expectSame(op1.address);
      expect(e1.registered).to.equal(true);
      expect(e1.freeStake).to.equal(RGL(7_000));
      const eo = await expectSame(outsider.address);
      expect([eo.registered, eo.freeStake]).to.deep.equal([false, 0n]);
      // A slash jails: the jail end shows in the one-call view too.
      await staking.connect(market).slash(op1.address, RGL(1_000), RGL(3_000), ethers.ZeroAddress, 0);
      const e2 = await expectSame(op1.address);
      expect(e2.jailedUntil).to.be.greaterThan(await now());
      expect(e2.freeStake).to.equal(RGL(9_000));
    });
  });

  describe("unlockCollateral", () => {
    it("test_unlockCollateral_unlocks", async () => {
      const { staking, market, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(market).lockCollateral(op1.address, RGL(3_000));
      const before = await operatorFigures(staking, op1.address);
      await expect(staking.connect(market).unlockCollateral(op1.address, RGL(1_000)))
        .to.emit(staking, "CollateralUnlocked")
        .withArgs(op1.address, RGL(1_000), RGL(2_000));
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { lockedStake: -RGL(1_000) }));
    });

    it("test_unlockCollateral_capsAtLocked", async () => {
      const { staking, market, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(market).lockCollateral(op1.address, RGL(3_000));
      await expect(staking.connect(market).unlockCollateral(op1.address, RGL(5_000)))
        .to.emit(staking, "CollateralUnlocked")
        .withArgs(op1.address, RGL(3_000), 0n);
    });

    it("test_unlockCollateral_revertsWhen_notMarket", async () => {
      const { staking, op1, outsider } = await loadFixture(deployWithOperator);
      await expect(staking.connect(outsider).unlockCollateral(op1.address, 1)).to.be.revertedWithCustomError(
        staking,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("slash", () => {
    it("test_slash_takesReleasedAndFreeSelfStakeFirst", async () => {
      const { staking, token, market, op1, outsider } = await loadFixture(fullyLoaded);
      const before = await operatorFigures(staking, op1.address);
      const supply = await token.totalSupply();
      const tx = await staking.connect(market).slash(op1.address, RGL(7_000), RGL(1_000), outsider.address, 5000);
      const jailedUntil = (await now()) + JAIL;
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(op1.address, RGL(7_000), 0n, outsider.address, RGL(3_500), RGL(3_500), jailedUntil);
      await expect(tx).to.changeTokenBalances(token, [outsider, staking], [RGL(3_500), -RGL(7_000)]);
      expect(await token.totalSupply()).to.equal(supply - RGL(3_500));
      const after = await operatorFigures(staking, op1.address);
      // Free was 6 000 + 1 000 released = 7 000: exactly taken. Other collateral (3 000) untouched.
      expect(delta(before, after)).to.deep.equal(
        zeroDelta(FIGURES, { selfStake: -RGL(7_000), lockedStake: -RGL(1_000) }),
      );
      expect(await staking.jailedUntil(op1.address)).to.equal(jailedUntil);
    });

    it("test_slash_thenReachesSelfThawingThenOtherCollateral", async () => {
      const { staking, market, op1 } = await loadFixture(fullyLoaded);
      const before = await operatorFigures(staking, op1.address);
      await staking.connect(market).slash(op1.address, RGL(10_000), RGL(1_000), ethers.ZeroAddress, 0);
      const after = await operatorFigures(staking, op1.address);
      // 7 000 free (released included), 2 000 self thawing, then 1 000 of the 3 000 other collateral.
      expect(delta(before, after)).to.deep.equal(
        zeroDelta(FIGURES, { selfStake: -RGL(8_000), lockedStake: -RGL(2_000), selfThawing: -RGL(2_000) }),
      );
    });

    it("test_slash_thenReachesPoolActiveThenThawing", async () => {
      const { staking, token, market, op1, del1, del2 } = await loadFixture(fullyLoaded);
      const before = await operatorFigures(staking, op1.address);
      const supply = await token.totalSupply();
      // The slash's block time is pinned: reading the clock while the transaction is in flight raced
      // with its mining (and a loaded machine stamps blocks with the wall clock, not "latest + 1").
      const at = (await now()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(staking.connect(market).slash(op1.address, RGL(14_500), 0, ethers.ZeroAddress, 5000))
        .to.emit(staking, "Slashed")
        .withArgs(op1.address, RGL(12_000), RGL(2_500), ethers.ZeroAddress, 0n, RGL(14_500), at + JAIL);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(
        zeroDelta(FIGURES, {
          selfStake: -RGL(10_000),
          lockedStake: -RGL(4_000),
          selfThawing: -RGL(2_000),
          poolTokens: -RGL(2_500),
        }),
      );
      expect(await token.totalSupply()).to.equal(supply - RGL(14_500));
      expect((await staking.delegationInfo(op1.address, del1.address)).value).to.be.closeTo(RGL(500), 1n);
      expect((await staking.delegationInfo(op1.address, del2.address)).thawValue).to.be.closeTo(RGL(1_000), 1n);
      await staking.connect(market).slash(op1.address, RGL(1_000), 0, ethers.ZeroAddress, 0);
      expect((await staking.delegationInfo(op1.address, del2.address)).thawValue).to.be.closeTo(RGL(500), 1n);
    });

    it("test_slash_capsAtWhatIsAtStake", async () => {
      const { staking, token, market, op1, outsider } = await loadFixture(fullyLoaded);
      const atStake = (await staking.operatorInfo(op1.address)).totalAtStake;
      expect(atStake).to.equal(RGL(16_000));
      await expect(
        staking.connect(market).slash(op1.address, RGL(1_000_000), RGL(9_999), outsider.address, 10_000),
      ).to.changeTokenBalances(token, [outsider, staking], [atStake, -atStake]);
      const info = await staking.operatorInfo(op1.address);
      expect(info.totalAtStake).to.equal(0n);
      expect(info.lockedStake).to.equal(0n);
    });

    it("test_slash_zeroAmountJailsAndReleases", async () => {
      const { staking, token, market, op1 } = await loadFixture(fullyLoaded);
      const before = await operatorFigures(staking, op1.address);
      await expect(
        staking.connect(market).slash(op1.address, 0, RGL(500), ethers.ZeroAddress, 0),
      ).to.changeTokenBalance(token, staking, 0n);
      const after = await operatorFigures(staking, op1.address);
      expect(delta(before, after)).to.deep.equal(zeroDelta(FIGURES, { lockedStake: -RGL(500) }));
      expect(await staking.jailedUntil(op1.address)).to.be.gt(await now());
    });

    it("test_slash_keepsLongerJail", async () => {
      const { staking, market, op1, admin } = await loadFixture(fullyLoaded);
      await staking.connect(market).slash(op1.address, 1, 0, ethers.ZeroAddress, 0);
      const first = await staking.jailedUntil(op1.address);
      await staking.connect(admin).setJailPeriod(1);
      await staking.connect(market).slash(op1.address, 1, 0, ethers.ZeroAddress, 0);
      expect(await staking.jailedUntil(op1.address)).to.equal(first);
    });

    it("test_slash_revertsWhen_notSlasherOrBadBps", async () => {
      const { staking, market, op1, outsider } = await loadFixture(fullyLoaded);
      await expect(staking.connect(outsider).slash(op1.address, 1, 0, outsider.address, 0))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.id("SLASHER_ROLE"));
      await expect(staking.connect(market).slash(op1.address, 1, 0, outsider.address, 10_001))
        .to.be.revertedWithCustomError(staking, "StakingInvalidBps")
        .withArgs(10_001);
    });
  });
});

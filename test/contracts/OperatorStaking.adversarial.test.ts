// Adversarial cases: escaping a slash, replayed or forged capacity quorums, dust griefing,
// commission front-running and re-entrancy through a hostile token.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HostileToken, OperatorStaking, OracleCommittee } from "../../typechain-types";
import {
  COMMISSION_DELAY,
  JAIL,
  RGL,
  UNBONDING,
  capacityAttestation,
  deployStaking,
  deployWithOperator,
  signCapacity,
  signShard,
} from "../../fixtures/stakingFixture";

describe("OperatorStaking: adversarial", () => {
  describe("escaping a slash", () => {
    it("test_unstakeAheadOfSlash_thawingSelfStakeIsStillSlashed", async () => {
      const { staking, market, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).requestUnstake(RGL(10_000));
      await staking.connect(market).slash(op1.address, RGL(4_000), 0, ethers.ZeroAddress, 0);
      const info = await staking.operatorInfo(op1.address);
      expect(info.selfThawing).to.equal(RGL(6_000));
      await time.increase(UNBONDING);
      await expect(staking.connect(op1).withdrawStake())
        .to.emit(staking, "StakeWithdrawn")
        .withArgs(op1.address, RGL(6_000));
    });

    it("test_undelegateAheadOfSlash_thawingDelegationIsStillSlashed", async () => {
      const { staking, token, market, op1, del1, del2 } = await loadFixture(deployWithOperator);
      await staking.connect(del1).delegate(op1.address, RGL(1_000));
      await staking.connect(del2).delegate(op1.address, RGL(1_000));
      // del1 sees the slash coming and leaves; del2 stays.
      await staking
        .connect(del1)
        .undelegate(op1.address, (await staking.delegationInfo(op1.address, del1.address)).shares);
      // Self-stake (10 000) goes first, then the pool's active 1 000, then 500 of the thawing 1 000.
      await staking.connect(market).slash(op1.address, RGL(11_500), 0, ethers.ZeroAddress, 0);
      expect((await staking.delegationInfo(op1.address, del2.address)).value).to.equal(0n);
      await time.increase(UNBONDING);
      await expect(staking.connect(del1).withdrawDelegation(op1.address)).to.changeTokenBalance(token, del1, RGL(500));
    });

    it("test_slashedOperatorIsJailedForJailPeriod", async () => {
      const { staking, market, op1 } = await loadFixture(deployWithOperator);
      const tx = await staking.connect(market).slash(op1.address, 1, 0, ethers.ZeroAddress, 0);
      const block = await ethers.provider.getBlock(tx.blockNumber!);
      expect(await staking.jailedUntil(op1.address)).to.equal(BigInt(block!.timestamp) + JAIL);
    });
  });

  describe("forged and replayed capacity quorums", () => {
    it("test_recordCapacity_revertsWhen_signedForAnotherChainOrCommittee", async () => {
      const { staking, committee, oracles, op1 } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op1.address);
      await expect(
        staking.recordCapacity(att, await signCapacity(committee, oracles, att, 5n)),
      ).to.be.revertedWithCustomError(committee, "CommitteeSignerNotActive");
    });

    it("test_recordCapacity_revertsWhen_signerRemovedUnsortedOrDuplicated", async () => {
      const { staking, committee, oracles, op1, admin } = await loadFixture(deployWithOperator);
      const att = await capacityAttestation(op1.address);
      const sigs = await signCapacity(committee, oracles, att);
      await expect(staking.recordCapacity(att, [sigs[1], sigs[0]])).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignersNotSorted",
      );
      await expect(staking.recordCapacity(att, [sigs[0], sigs[0]])).to.be.revertedWithCustomError(
        committee,
        "CommitteeSignersNotSorted",
      );
      await committee.connect(admin).removeSigner(oracles[2].address);
      await expect(staking.recordCapacity(att, sigs))
        .to.be.revertedWithCustomError(committee, "CommitteeSignerNotActive")
        .withArgs(oracles[2].address);
      await staking.recordCapacity(att, sigs.slice(0, 2));
    });
  });

  describe("dust delegations", () => {
    it("test_dustFirstDelegation_cannotInflateSharePriceAgainstTheNext", async () => {
      const { staking, rewarder, admin, op1, del1, del2 } = await loadFixture(deployWithOperator);
      await staking.connect(admin).setMinDelegation(0);
      await staking.connect(del1).delegate(op1.address, 1n);
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(1), 0);
      await staking.connect(del2).delegate(op1.address, RGL(1_000));
      const d2 = await staking.delegationInfo(op1.address, del2.address);
      // The victim keeps its deposit up to a rounding loss of at most 1e-6 of the donation.
      expect(d2.value).to.be.gte(RGL(1_000) - RGL(1) / 1_000_000n);
      const d1 = await staking.delegationInfo(op1.address, del1.address);
      expect(d1.value).to.be.lte(RGL(1) + 1n);
    });

    it("test_belowMinimumDelegation_isRefused", async () => {
      const { staking, op1, del1 } = await loadFixture(deployWithOperator);
      await expect(staking.connect(del1).delegate(op1.address, 1n)).to.be.revertedWithCustomError(
        staking,
        "StakingBelowMinDelegation",
      );
    });

    it("test_manyDustDelegations_doNotRaiseTheGasOfOperatorOrOtherDelegators", async () => {
      const { staking, admin, market, op1, del1, del2, del3 } = await loadFixture(deployWithOperator);
      await staking.connect(del1).delegate(op1.address, RGL(100));
      const gasOf = async (tx: Promise<{ wait: () => Promise<unknown> }>) => {
        const r = (await (await tx).wait()) as { gasUsed: bigint };
        return r.gasUsed;
      };
      const slashBefore = await gasOf(staking.connect(market).slash(op1.address, 1, 0, ethers.ZeroAddress, 0));
      const undelegateBefore = await gasOf(staking.connect(del1).undelegate(op1.address, 1_000_000n));
      await staking.connect(admin).setMinDelegation(0);
      for (let i = 0; i < 10; i++) {
        await staking.connect(del2).delegate(op1.address, 1n);
        await staking.connect(del3).delegate(op1.address, 1n + BigInt(i));
      }
      const slashAfter = await gasOf(staking.connect(market).slash(op1.address, 1, 0, ethers.ZeroAddress, 0));
      const undelegateAfter = await gasOf(staking.connect(del1).undelegate(op1.address, 1_000_000n));
      expect(slashAfter).to.be.lte(slashBefore);
      expect(undelegateAfter).to.be.lte(undelegateBefore);
    });
  });

  describe("commission front-running", () => {
    it("test_commissionIncrease_leavesDelegatorsTimeToExit", async () => {
      const { staking, op1, del1 } = await loadFixture(deployWithOperator);
      await staking.connect(del1).delegate(op1.address, RGL(1_000));
      await staking.connect(op1).setCommission(10_000);
      // Until the delay has passed, rewards are split at the old commission, and the delegator can leave.
      expect(await staking.commissionBps(op1.address)).to.equal(1000n);
      await time.increase(COMMISSION_DELAY - 10n);
      expect(await staking.commissionBps(op1.address)).to.equal(1000n);
      await staking
        .connect(del1)
        .undelegate(op1.address, (await staking.delegationInfo(op1.address, del1.address)).shares);
      expect((await staking.delegationInfo(op1.address, del1.address)).thawValue).to.equal(RGL(1_000));
    });

    it("test_commissionDecreaseThenIncrease_cannotSkipTheDelay", async () => {
      const { staking, op1 } = await loadFixture(deployWithOperator);
      await staking.connect(op1).setCommission(5000);
      await time.increase(COMMISSION_DELAY - 100n);
      await staking.connect(op1).setCommission(0);
      await staking.connect(op1).setCommission(5000);
      await time.increase(200n);
      expect(await staking.commissionBps(op1.address)).to.equal(0n);
    });
  });

  describe("re-entrancy through a hostile token", () => {
    async function hostile() {
      const f = await deployStaking();
      const evil = (await ethers.deployContract("HostileToken")) as unknown as HostileToken;
      const staking = (await ethers.deployContract("OperatorStaking", [
        await evil.getAddress(),
        await f.committee.getAddress(),
        f.admin.address,
        UNBONDING,
        JAIL,
        COMMISSION_DELAY,
        1n,
      ])) as unknown as OperatorStaking;
      await staking.connect(f.admin).grantRole(await staking.REWARDER_ROLE(), f.rewarder.address);
      for (const who of [f.op1, f.del1, f.rewarder]) {
        await evil.mint(who.address, RGL(100_000));
        await evil.connect(who).approve(await staking.getAddress(), ethers.MaxUint256);
      }
      await staking.connect(f.op1).register("op1", 0);
      await staking.connect(f.op1).stake(RGL(1_000));
      return { ...f, evil, staking };
    }

    it("test_withdrawStake_cannotBeReentered", async () => {
      const { staking, evil, op1 } = await loadFixture(hostile);
      await staking.connect(op1).requestUnstake(RGL(1_000));
      await time.increase(UNBONDING);
      await evil.arm(await staking.getAddress(), staking.interface.encodeFunctionData("withdrawStake"));
      await expect(staking.connect(op1).withdrawStake()).to.be.revertedWithCustomError(
        staking,
        "ReentrancyGuardReentrantCall",
      );
    });

    it("test_claimAndWithdrawDelegation_cannotBeReentered", async () => {
      const { staking, evil, op1, del1, rewarder } = await loadFixture(hostile);
      await staking.connect(del1).delegate(op1.address, RGL(100));
      await staking.connect(rewarder).addPoolRewards(op1.address, RGL(10), 0);
      const claim = staking.interface.encodeFunctionData("claimRewards", [op1.address]);
      await evil.arm(await staking.getAddress(), claim);
      await expect(staking.connect(del1).claimRewards(op1.address)).to.be.revertedWithCustomError(
        staking,
        "ReentrancyGuardReentrantCall",
      );
      await staking
        .connect(del1)
        .undelegate(op1.address, (await staking.delegationInfo(op1.address, del1.address)).shares);
      await time.increase(UNBONDING);
      const withdraw = staking.interface.encodeFunctionData("withdrawDelegation", [op1.address]);
      await evil.arm(await staking.getAddress(), withdraw);
      await expect(staking.connect(del1).withdrawDelegation(op1.address)).to.be.revertedWithCustomError(
        staking,
        "ReentrancyGuardReentrantCall",
      );
    });

    it("test_entryAndHooks_cannotBeReentered", async () => {
      const { staking, evil, admin, op1, del1, market } = await loadFixture(hostile);
      await staking.connect(admin).grantRole(await staking.SLASHER_ROLE(), market.address);
      // The token itself holds the roles, so that its re-entrant calls pass the role checks and
      // reach the re-entrancy guard.
      const evilAddr = await evil.getAddress();
      await staking.connect(admin).grantRole(await staking.REWARDER_ROLE(), evilAddr);
      await staking.connect(admin).grantRole(await staking.SLASHER_ROLE(), evilAddr);
      const addr = await staking.getAddress();
      const cases = [
        { data: staking.interface.encodeFunctionData("stake", [1n]), call: () => staking.connect(op1).stake(1n) },
        {
          data: staking.interface.encodeFunctionData("delegate", [op1.address, 1n]),
          call: () => staking.connect(del1).delegate(op1.address, 1n),
        },
        // addPoolRewards holds no guard (the RewardsDistributor calls it while settling inside
        // staking's own guarded entrypoints); only the rewarder calls it and its token pull is last.
        {
          data: staking.interface.encodeFunctionData("slash", [op1.address, 1n, 0n, market.address, 0]),
          call: () => staking.connect(market).slash(op1.address, RGL(1), 0, market.address, 10_000),
        },
      ];
      for (const c of cases) {
        await evil.arm(addr, c.data);
        await expect(c.call()).to.be.revertedWithCustomError(staking, "ReentrancyGuardReentrantCall");
      }
    });

    it("test_committeeBondsAndReports_cannotBeReentered", async () => {
      const f = await loadFixture(deployStaking);
      const evil = (await ethers.deployContract("HostileToken")) as unknown as HostileToken;
      const committee = (await ethers.deployContract("OracleCommittee", [
        await evil.getAddress(),
        f.admin.address,
        1,
        RGL(10),
        1000,
        0,
      ])) as unknown as OracleCommittee;
      const addr = await committee.getAddress();
      const [o1, o2] = f.oracles;
      for (const o of [o1, o2]) {
        await evil.mint(o.address, RGL(100));
        await evil.connect(o).approve(addr, ethers.MaxUint256);
        await committee.connect(f.admin).approveSigner(o.address);
      }
      await evil.arm(addr, committee.interface.encodeFunctionData("postBond"));
      await expect(committee.connect(o1).postBond()).to.be.revertedWithCustomError(
        committee,
        "ReentrancyGuardReentrantCall",
      );
      const disarm = () => evil.arm(ethers.ZeroAddress, "0x");
      await disarm();
      await committee.connect(o1).postBond();
      await committee.connect(o2).postBond();
      await committee.connect(f.admin).removeSigner(o2.address);
      await time.increase(await committee.maxAttestationLifetime()); // the bond lock (PROTOCOL §7.2)
      await evil.arm(addr, committee.interface.encodeFunctionData("withdrawBond"));
      await expect(committee.connect(o2).withdrawBond()).to.be.revertedWithCustomError(
        committee,
        "ReentrancyGuardReentrantCall",
      );
      await disarm();
      const a = {
        market: addr,
        jobId: 1n,
        shard: 0,
        operator: f.op1.address,
        resultRoot: ethers.id("r"),
        verdict: 1,
        units: 1n,
        expiry: 1n,
      };
      const b = { ...a, verdict: 2 };
      const [sigA] = await signShard(committee, [o1], a);
      const [sigB] = await signShard(committee, [o1], b);
      const capA = await capacityAttestation(f.op1.address);
      const capB = { ...capA, vramMiB: 1 };
      const [sigCA] = await signCapacity(committee, [o1], capA);
      const [sigCB] = await signCapacity(committee, [o1], capB);
      const report = committee.interface.encodeFunctionData("reportShardEquivocation", [a, sigA, b, sigB]);
      const reportCap = committee.interface.encodeFunctionData("reportCapacityEquivocation", [
        capA,
        sigCA,
        capB,
        sigCB,
      ]);
      await evil.arm(addr, reportCap);
      await expect(committee.reportShardEquivocation(a, sigA, b, sigB)).to.be.revertedWithCustomError(
        committee,
        "ReentrancyGuardReentrantCall",
      );
      await evil.arm(addr, report);
      await expect(committee.reportCapacityEquivocation(capA, sigCA, capB, sigCB)).to.be.revertedWithCustomError(
        committee,
        "ReentrancyGuardReentrantCall",
      );
    });
  });
});

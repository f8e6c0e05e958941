import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  attestation,
  createJob,
  deployMarket,
  paramsOf,
  E18,
  jobParams,
  PARAMS,
  ROOT,
  sign,
  signedBatch,
  State,
  submittedJob,
  USD_RATE,
  verdictOf,
} from "./fixture";
import type { TestFeeOnTransferToken, TestReentrantToken, TestRevertingToken } from "../../../typechain-types";

describe("JobMarket adversarial and governance", () => {
  describe("hostile tokens", () => {
    it("test_createJob_revertsWhen_feeOnTransferToken", async () => {
      const f = await loadFixture(deployMarket);
      const fot = (await ethers.deployContract("TestFeeOnTransferToken")) as unknown as TestFeeOnTransferToken;
      await f.market.setPaymentToken(await fot.getAddress(), true, USD_RATE);
      await fot.mint(f.dev.address, 10n ** 12n);
      await fot.connect(f.dev).approve(await f.market.getAddress(), ethers.MaxUint256);
      await expect(f.market.connect(f.dev).createJob(await jobParams(await fot.getAddress())))
        .to.be.revertedWithCustomError(f.market, "MarketTransferShortfall")
        .withArgs(await fot.getAddress(), 100_000_000n, 99_000_000n);
      expect(await fot.balanceOf(await f.market.getAddress())).to.equal(0n);
      expect(await f.market.escrowOf(await fot.getAddress())).to.equal(0n);
    });

    it("test_revertingToken_settleStillUnlocksCollateral_withdrawWaitsForTheToken", async () => {
      // Old rule (push payments): settle transferred inside the call, so a failing token reverted the
      // settlement and kept the operator's 300 RGL collateral locked until the token recovered.
      const f = await loadFixture(deployMarket);
      const rev = (await ethers.deployContract("TestRevertingToken")) as unknown as TestRevertingToken;
      const token = await rev.getAddress();
      await f.market.setPaymentToken(token, true, USD_RATE);
      await rev.mint(f.dev.address, 10n ** 12n);
      await rev.connect(f.dev).approve(await f.market.getAddress(), ethers.MaxUint256);
      const jobId = await submittedJob(f, f.ops[0], 80n, {}, token);
      const a = await attestation(f, jobId, 0);
      const sigs = await sign(f, a);
      await rev.setFailing(true);
      await expect(f.market.settle(a, sigs)).to.emit(f.market, "ShardSettled");
      expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Settled);
      expect(await f.market.escrowOf(token)).to.equal(0n);
      expect(await f.staking.locked(f.ops[0].address)).to.equal(0n);
      expect(await f.market.owedOf(token, f.ops[0].address)).to.equal(78_000_000n);
      await expect(f.market.connect(f.ops[0]).withdraw(token, f.ops[0].address)).to.be.revertedWithCustomError(
        rev,
        "TestTokenFailing",
      );
      expect(await f.market.owedOf(token, f.ops[0].address)).to.equal(78_000_000n);
      await rev.setFailing(false);
      await f.market.connect(f.ops[0]).withdraw(token, f.ops[0].address);
      expect(await rev.balanceOf(f.ops[0].address)).to.equal(78_000_000n);
      expect(await rev.balanceOf(await f.market.getAddress())).to.equal(22_000_000n);
      expect(await f.market.owedTotal(token)).to.equal(22_000_000n);
    });

    it("test_reentrantToken_cannotReenterMarketOnTransfer", async () => {
      const f = await loadFixture(deployMarket);
      const ree = (await ethers.deployContract("TestReentrantToken")) as unknown as TestReentrantToken;
      const token = await ree.getAddress();
      await f.market.setPaymentToken(token, true, USD_RATE);
      await ree.mint(f.dev.address, 10n ** 12n);
      await ree.connect(f.dev).approve(await f.market.getAddress(), ethers.MaxUint256);
      const jobId = await createJob(f, { shards: 2 }, token);
      await f.market.connect(f.dev).cancel(jobId);
      // On the refund's transfer in withdraw, the token tries to withdraw again (a double refund).
      const payload = f.market.interface.encodeFunctionData("withdraw", [token, f.dev.address]);
      await ree.arm(await f.market.getAddress(), payload);
      await expect(f.market.connect(f.dev).withdraw(token, f.dev.address)).to.be.revertedWithCustomError(
        f.market,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.market.owedOf(token, f.dev.address)).to.equal(200_000_000n);
      expect(await ree.balanceOf(await f.market.getAddress())).to.equal(200_000_000n);
    });

    it("test_reentrantToken_cannotReenterSettleDuringCreate", async () => {
      const f = await loadFixture(deployMarket);
      const ree = (await ethers.deployContract("TestReentrantToken")) as unknown as TestReentrantToken;
      const token = await ree.getAddress();
      await f.market.setPaymentToken(token, true, USD_RATE);
      await ree.mint(f.dev.address, 10n ** 12n);
      await ree.connect(f.dev).approve(await f.market.getAddress(), ethers.MaxUint256);
      const payload = f.market.interface.encodeFunctionData("expire", [1, 0]);
      await ree.arm(await f.market.getAddress(), payload);
      await expect(f.market.connect(f.dev).createJob(await jobParams(token))).to.be.revertedWithCustomError(
        f.market,
        "ReentrancyGuardReentrantCall",
      );
    });
  });

  describe("re-entrancy", () => {
    it("test_reentrantToken_cannotReenterAnyGuardedEntrypoint", async () => {
      const f = await loadFixture(deployMarket);
      const ree = (await ethers.deployContract("TestReentrantToken")) as unknown as TestReentrantToken;
      const token = await ree.getAddress();
      const m = await f.market.getAddress();
      await f.market.setPaymentToken(token, true, USD_RATE);
      await ree.mint(f.dev.address, 10n ** 12n);
      await ree.connect(f.dev).approve(m, ethers.MaxUint256);
      const jobId = await createJob(f, { shards: 2 }, token);
      const p = await jobParams(token);
      const a = await attestation(f, jobId, 0);
      const sigs = await sign(f, a);
      const leaf = await verdictOf(f, jobId, 0);
      const batch = await signedBatch(f, [leaf]);
      await f.market.connect(f.dev).cancel(jobId);
      const acceptDeadline = BigInt(await time.latest()) + 600n;
      const encode = f.market.interface.encodeFunctionData.bind(f.market.interface);
      // Every nonReentrant entrypoint, called back from the refund transfer of `withdraw`.
      const calls: [string, string][] = [
        ["createJob", encode("createJob", [p])],
        ["createGangJob", encode("createGangJob", [p, acceptDeadline])],
        ["createJobWithPermit", encode("createJobWithPermit", [p, 0, 27, ethers.ZeroHash, ethers.ZeroHash])],
        ["cancel", encode("cancel", [jobId])],
        ["accept", encode("accept", [jobId, 0])],
        ["submit", encode("submit", [jobId, 0, ROOT, 1n, ""])],
        ["settle", encode("settle", [a, sigs])],
        ["acceptAndSubmit", encode("acceptAndSubmit", [jobId, 0, ROOT, 1n, ""])],
        ["submitMany", encode("submitMany", [[{ jobId, shard: 0, resultRoot: ROOT, units: 1n, resultURI: "" }]])],
        ["settleVerdicts", encode("settleVerdicts", [batch.batch, batch.sigs, [leaf]])],
        ["withdraw", encode("withdraw", [token, f.dev.address])],
        ["expire", encode("expire", [jobId, 0])],
        ["releaseGang", encode("releaseGang", [jobId])],
      ];
      const [devB, count] = await Promise.all([ree.balanceOf(f.dev.address), f.market.jobCount()]);
      for (const [name, payload] of calls) {
        await ree.arm(m, payload);
        await expect(f.market.connect(f.dev).withdraw(token, f.dev.address), name).to.be.revertedWithCustomError(
          f.market,
          "ReentrancyGuardReentrantCall",
        );
        expect(await f.market.owedOf(token, f.dev.address), name).to.equal(200_000_000n);
        expect(await ree.balanceOf(m), name).to.equal(200_000_000n);
        expect(await ree.balanceOf(f.dev.address), name).to.equal(devB);
        expect(await f.market.jobCount(), name).to.equal(count);
        expect((await f.market.getShard(jobId, 0)).state, name).to.equal(State.Cancelled);
      }
      // Disarmed, the same withdrawal pays both refunds, once.
      await ree.arm(ethers.ZeroAddress, "0x");
      await expect(f.market.connect(f.dev).withdraw(token, f.dev.address)).to.changeTokenBalances(
        ree,
        [f.dev.address, m],
        [200_000_000n, -200_000_000n],
      );
      expect(await f.market.owedTotal(token)).to.equal(0n);
    });
  });

  describe("front-running and griefing", () => {
    it("test_frontRunAccept_secondAcceptReverts_andAssignedShardCannotBeSniped", async () => {
      const f = await loadFixture(deployMarket);
      const open = await createJob(f);
      await f.market.connect(f.ops[1]).accept(open, 0); // the front-runner wins an open shard…
      await expect(f.market.connect(f.ops[0]).accept(open, 0))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(open, 0n, State.Accepted);
      // …and is bound by the same collateral and deadline as anyone.
      expect(await f.staking.locked(f.ops[1].address)).to.equal(300n * E18);
      // A planned job names its operator: nobody else can take the shard.
      const planned = await createJob(f, { shardOperators: [f.ops[0].address] });
      await expect(f.market.connect(f.ops[1]).accept(planned, 0)).to.be.revertedWithCustomError(
        f.market,
        "MarketOperatorNotAllowed",
      );
      await f.market.connect(f.ops[0]).accept(planned, 0);
    });

    it("test_griefing_acceptAndGoSilent_developerCompensatedByNoShowSlash", async () => {
      const f = await loadFixture(deployMarket);
      const griefer = f.ops[2];
      const jobId = await createJob(f);
      await f.market.connect(griefer).accept(jobId, 0);
      await time.increase(86_401);
      const usd = await f.usd.getAddress();
      const [usdB, rglB, stakeB] = await Promise.all([
        f.market.owedOf(usd, f.dev.address),
        f.rgl.balanceOf(f.dev.address),
        f.staking.selfStake(griefer.address),
      ]);
      await f.market.connect(f.dev).expire(jobId, 0);
      // The developer gets all escrow back plus 10% of 150% of the shard's value, in RGL:
      // 15% of the shard's value for the time lost; the griefer loses exactly that.
      const value = 100_000_000n;
      const compensation = (value * BigInt(PARAMS.collateralRatioBps) * BigInt(PARAMS.noShowSlashBps)) / 10n ** 8n;
      const compensationRgl = (compensation * USD_RATE) / E18;
      expect((await f.market.owedOf(usd, f.dev.address)) - usdB).to.equal(value);
      expect((await f.rgl.balanceOf(f.dev.address)) - rglB).to.equal(compensationRgl);
      expect(stakeB - (await f.staking.selfStake(griefer.address))).to.equal(compensationRgl);
      // The griefer is jailed and cannot grab the next shard.
      const next = await createJob(f);
      await expect(f.market.connect(griefer).accept(next, 0)).to.be.revertedWithCustomError(f.market, "MarketJailed");
    });
  });

  describe("pause never traps escrow or stake", () => {
    it("test_pause_everyExitStillWorks", async () => {
      const f = await loadFixture(deployMarket);
      const open = await createJob(f);
      const accepted = await createJob(f);
      await f.market.connect(f.ops[0]).accept(accepted, 0);
      const submitted = await submittedJob(f, f.ops[1]);
      const toSettle = await submittedJob(f, f.ops[2]);
      await f.market.pause();
      const a = await attestation(f, toSettle, 0);
      await f.market.settle(a, await sign(f, a));
      await f.market.connect(f.dev).cancel(open);
      await f.market.connect(f.ops[0]).submit(accepted, 0, ROOT, 10n, "");
      await time.increase(86_401);
      await f.market.expire(accepted, 0);
      await f.market.expire(submitted, 0);
      const usd = await f.usd.getAddress();
      expect(await f.market.escrowOf(usd)).to.equal(0n);
      for (const op of f.ops) expect(await f.staking.locked(op.address)).to.equal(0n);
      // Withdrawals are exits too: everyone owed is paid while paused.
      for (const who of [f.dev, f.ops[2], f.treasury]) await f.market.connect(who).withdraw(usd, who.address);
      expect(await f.usd.balanceOf(await f.market.getAddress())).to.equal(0n);
      expect(await f.market.owedTotal(usd)).to.equal(0n);
      await f.market.unpause();
      await createJob(f);
    });
  });

  describe("governance", () => {
    it("test_constructor_revertsWhen_zeroAddress", async () => {
      const f = await loadFixture(deployMarket);
      const factory = await ethers.getContractFactory("JobMarket");
      const args = [
        f.admin.address,
        await f.rgl.getAddress(),
        await f.staking.getAddress(),
        await f.committee.getAddress(),
        await f.rewards.getAddress(),
      ];
      for (let i = 0; i < args.length; i++) {
        const bad = [...args];
        bad[i] = ethers.ZeroAddress;
        await expect(
          factory.deploy(bad[0], bad[1], bad[2], bad[3], bad[4], { treasury: f.treasury.address, ...PARAMS }),
        ).to.be.revertedWithCustomError(factory, "MarketZeroAddress");
      }
    });

    it("test_setParams_updatesAndEmits", async () => {
      const f = await loadFixture(deployMarket);
      const p = { ...(await paramsOf(f.market)), feeBps: 100 };
      await expect(f.market.setParams(p)).to.emit(f.market, "ParamsSet");
      expect((await f.market.params()).feeBps).to.equal(100n);
    });

    it("test_setParams_revertsWhen_outOfRange", async () => {
      const f = await loadFixture(deployMarket);
      const base = await paramsOf(f.market);
      const bad: [string, Record<string, unknown>][] = [
        ["feeBps", { feeBps: 1_001 }],
        ["collateralRatioBps", { collateralRatioBps: 9_999 }],
        ["verifyWindow", { verifyWindow: 0 }],
        ["invalidSlashBps", { invalidSlashBps: 10_001 }],
        ["invalidDeveloperBps", { invalidDeveloperBps: 10_001 }],
        ["noShowSlashBps", { noShowSlashBps: 10_001 }],
        ["noShowDeveloperBps", { noShowDeveloperBps: 10_001 }],
      ];
      for (const [name, over] of bad) {
        await expect(f.market.setParams({ ...base, ...over }))
          .to.be.revertedWithCustomError(f.market, "MarketBadParam")
          .withArgs(ethers.encodeBytes32String(name), Object.values(over)[0]);
      }
      await expect(f.market.setParams({ ...base, treasury: ethers.ZeroAddress })).to.be.revertedWithCustomError(
        f.market,
        "MarketZeroAddress",
      );
    });

    it("test_governance_revertsWhen_notGovernorOrPauser", async () => {
      const f = await loadFixture(deployMarket);
      const m = f.market.connect(f.others[0]);
      await expect(m.setParams(await paramsOf(f.market))).to.be.revertedWithCustomError(
        f.market,
        "AccessControlUnauthorizedAccount",
      );
      await expect(m.setPaymentToken(f.others[0].address, true, 1)).to.be.revertedWithCustomError(
        f.market,
        "AccessControlUnauthorizedAccount",
      );
      await expect(m.pause()).to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount");
      await expect(m.unpause()).to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount");
    });

    it("test_setPaymentToken_setsEntryAndValidates", async () => {
      const f = await loadFixture(deployMarket);
      const t = f.others[1].address;
      await expect(f.market.setPaymentToken(t, true, 5n))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(t, true, 5n);
      const e = await f.market.paymentToken(t);
      expect(e.allowed).to.equal(true);
      expect(e.rglPerToken).to.equal(5n);
      await f.market.setPaymentToken(t, false, 0n);
      expect((await f.market.paymentToken(t)).allowed).to.equal(false);
      await expect(f.market.setPaymentToken(t, true, 0n)).to.be.revertedWithCustomError(f.market, "MarketBadParam");
      await expect(f.market.setPaymentToken(ethers.ZeroAddress, true, 1n)).to.be.revertedWithCustomError(
        f.market,
        "MarketZeroAddress",
      );
    });

    it("test_views_constants", async () => {
      const f = await loadFixture(deployMarket);
      expect(await f.market.MAX_FEE_BPS()).to.equal(1_000n);
      expect(await f.market.rgl()).to.equal(await f.rgl.getAddress());
      expect(await f.market.staking()).to.equal(await f.staking.getAddress());
      expect(await f.market.committee()).to.equal(await f.committee.getAddress());
      expect(await f.market.rewards()).to.equal(await f.rewards.getAddress());
    });
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { createJob, deployMarket, jobParams, State } from "./fixture";

describe("JobMarket.createJob / createJobWithPermit / cancel", () => {
  describe("createJob", () => {
    it("test_createJob_pullsEscrowAndOpensShards", async () => {
      const f = await loadFixture(deployMarket);
      const usd = await f.usd.getAddress();
      const p = await jobParams(usd, { shards: 3 });
      const escrow = 3n * 100n * 1_000_000n;
      const devBefore = await f.usd.balanceOf(f.dev.address);
      await expect(f.market.connect(f.dev).createJob(p)).to.emit(f.market, "JobCreated");
      expect(await f.market.jobCount()).to.equal(1n);
      expect(devBefore - (await f.usd.balanceOf(f.dev.address))).to.equal(escrow);
      expect(await f.usd.balanceOf(await f.market.getAddress())).to.equal(escrow);
      expect(await f.market.escrowOf(usd)).to.equal(escrow);
      const job = await f.market.getJob(1);
      expect(job.developer).to.equal(f.dev.address);
      expect(job.escrow).to.equal(escrow);
      expect(job.shards).to.equal(3n);
      for (let i = 0; i < 3; i++) expect((await f.market.getShard(1, i)).state).to.equal(State.Open);
    });

    it("test_createJob_withOperatorList_assignsShards", async () => {
      const f = await loadFixture(deployMarket);
      const list = [f.ops[0].address, ethers.ZeroAddress];
      const p = await jobParams(await f.usd.getAddress(), { shards: 2, shardOperators: list });
      await expect(f.market.connect(f.dev).createJob(p))
        .to.emit(f.market, "ShardAssigned")
        .withArgs(1n, 0n, f.ops[0].address);
      expect(await f.market.assignedOperator(1, 0)).to.equal(f.ops[0].address);
      expect(await f.market.assignedOperator(1, 1)).to.equal(ethers.ZeroAddress);
    });

    it("test_createJob_revertsWhen_tokenNotAllowed", async () => {
      const f = await loadFixture(deployMarket);
      const other = await ethers.deployContract("TestUSD");
      const p = await jobParams(await other.getAddress());
      await expect(f.market.connect(f.dev).createJob(p))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(await other.getAddress());
    });

    it("test_createJob_revertsWhen_shardCountOutOfRange", async () => {
      const f = await loadFixture(deployMarket);
      const usd = await f.usd.getAddress();
      for (const shards of [0, 65]) {
        await expect(f.market.connect(f.dev).createJob(await jobParams(usd, { shards })))
          .to.be.revertedWithCustomError(f.market, "MarketBadShardCount")
          .withArgs(shards);
      }
    });

    it("test_createJob_revertsWhen_zeroUnitsOrPrice", async () => {
      const f = await loadFixture(deployMarket);
      const usd = await f.usd.getAddress();
      await expect(
        f.market.connect(f.dev).createJob(await jobParams(usd, { maxUnitsPerShard: 0 })),
      ).to.be.revertedWithCustomError(f.market, "MarketZeroValue");
      await expect(
        f.market.connect(f.dev).createJob(await jobParams(usd, { maxPricePerUnit: 0 })),
      ).to.be.revertedWithCustomError(f.market, "MarketZeroValue");
    });

    it("test_createJob_revertsWhen_deadlineNotInFuture", async () => {
      const f = await loadFixture(deployMarket);
      const now = BigInt(await time.latest());
      await expect(
        f.market.connect(f.dev).createJob(await jobParams(await f.usd.getAddress(), { deadline: now })),
      ).to.be.revertedWithCustomError(f.market, "MarketBadDeadline");
    });

    it("test_createJob_revertsWhen_operatorListWrongLength", async () => {
      const f = await loadFixture(deployMarket);
      const p = await jobParams(await f.usd.getAddress(), { shards: 2, shardOperators: [f.ops[0].address] });
      await expect(f.market.connect(f.dev).createJob(p))
        .to.be.revertedWithCustomError(f.market, "MarketBadOperatorList")
        .withArgs(1n, 2n);
    });

    it("test_createJob_revertsWhen_allowanceMissing", async () => {
      const f = await loadFixture(deployMarket);
      await f.usd.connect(f.dev).approve(await f.market.getAddress(), 0);
      await expect(
        f.market.connect(f.dev).createJob(await jobParams(await f.usd.getAddress())),
      ).to.be.revertedWithCustomError(f.usd, "ERC20InsufficientAllowance");
    });

    it("test_createJob_revertsWhen_paused", async () => {
      const f = await loadFixture(deployMarket);
      await f.market.pause();
      await expect(
        f.market.connect(f.dev).createJob(await jobParams(await f.usd.getAddress())),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });
  });

  describe("createJobWithPermit", () => {
    async function permitSig(f: Awaited<ReturnType<typeof deployMarket>>, deadline: bigint) {
      const domain = {
        name: "Test USD",
        version: "1",
        chainId: (await ethers.provider.getNetwork()).chainId,
        verifyingContract: await f.usd.getAddress(),
      };
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const value = {
        owner: f.dev.address,
        spender: await f.market.getAddress(),
        value: ethers.MaxUint256,
        nonce: await f.usd.nonces(f.dev.address),
        deadline,
      };
      return ethers.Signature.from(await f.dev.signTypedData(domain, types, value));
    }

    it("test_createJobWithPermit_approvesAndPullsInOneCall", async () => {
      const f = await loadFixture(deployMarket);
      await f.usd.connect(f.dev).approve(await f.market.getAddress(), 0);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await permitSig(f, deadline);
      const p = await jobParams(await f.usd.getAddress());
      const before = await f.usd.balanceOf(f.dev.address);
      await f.market.connect(f.dev).createJobWithPermit(p, deadline, sig.v, sig.r, sig.s);
      expect(before - (await f.usd.balanceOf(f.dev.address))).to.equal(100_000_000n);
      expect(await f.usd.nonces(f.dev.address)).to.equal(1n);
    });

    it("test_createJobWithPermit_frontRunPermit_stillCreates", async () => {
      const f = await loadFixture(deployMarket);
      await f.usd.connect(f.dev).approve(await f.market.getAddress(), 0);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await permitSig(f, deadline);
      // An observer submits the permit first: the nonce is spent, the allowance is set.
      await f.usd
        .connect(f.others[0])
        .permit(f.dev.address, await f.market.getAddress(), ethers.MaxUint256, deadline, sig.v, sig.r, sig.s);
      const p = await jobParams(await f.usd.getAddress());
      await expect(f.market.connect(f.dev).createJobWithPermit(p, deadline, sig.v, sig.r, sig.s)).to.emit(
        f.market,
        "JobCreated",
      );
    });

    it("test_createJobWithPermit_revertsWhen_badPermitAndNoAllowance", async () => {
      const f = await loadFixture(deployMarket);
      await f.usd.connect(f.dev).approve(await f.market.getAddress(), 0);
      const p = await jobParams(await f.usd.getAddress());
      await expect(
        f.market.connect(f.dev).createJobWithPermit(p, 0, 27, ethers.ZeroHash, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.usd, "ERC20InsufficientAllowance");
    });

    it("test_createJobWithPermit_revertsWhen_paused", async () => {
      const f = await loadFixture(deployMarket);
      await f.market.pause();
      const p = await jobParams(await f.usd.getAddress());
      await expect(
        f.market.connect(f.dev).createJobWithPermit(p, 0, 27, ethers.ZeroHash, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });
  });

  describe("cancel", () => {
    it("test_cancel_refundsOnlyOpenShards", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f, { shards: 3 });
      await f.market.connect(f.ops[0]).accept(jobId, 1);
      const usd = await f.usd.getAddress();
      const before = await f.usd.balanceOf(f.dev.address);
      await expect(f.market.connect(f.dev).cancel(jobId))
        .to.emit(f.market, "ShardCancelled")
        .withArgs(jobId, 0n, 100_000_000n)
        .and.to.emit(f.market, "ShardCancelled")
        .withArgs(jobId, 2n, 100_000_000n);
      // Refunds are credited (PROTOCOL §20.1): nothing sent until the developer withdraws.
      expect(await f.usd.balanceOf(f.dev.address)).to.equal(before);
      expect(await f.market.owedOf(usd, f.dev.address)).to.equal(200_000_000n);
      await f.market.connect(f.dev).withdraw(usd, f.dev.address);
      expect((await f.usd.balanceOf(f.dev.address)) - before).to.equal(200_000_000n);
      expect((await f.market.getJob(jobId)).escrow).to.equal(100_000_000n);
      expect(await f.market.escrowOf(await f.usd.getAddress())).to.equal(100_000_000n);
      expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Cancelled);
      expect((await f.market.getShard(jobId, 1)).state).to.equal(State.Accepted);
      // A second cancel finds nothing open and moves nothing.
      await f.market.connect(f.dev).cancel(jobId);
      expect(await f.market.owedOf(usd, f.dev.address)).to.equal(0n);
    });

    it("test_cancel_worksWhilePaused", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.pause();
      await expect(f.market.connect(f.dev).cancel(jobId)).to.emit(f.market, "ShardCancelled");
    });

    it("test_cancel_revertsWhen_notDeveloper", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.ops[0]).cancel(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotDeveloper")
        .withArgs(f.ops[0].address, f.dev.address);
    });

    it("test_cancel_revertsWhen_unknownJob", async () => {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.dev).cancel(9))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(9n);
    });
  });
});

import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { CAPACITY, createJob, deployMarket, E18, ROOT, State } from "./fixture";

const COLLATERAL = 300n * E18; // 100 tUSD × 150% × 2 RGL/tUSD

describe("JobMarket.accept / submit", () => {
  describe("accept", () => {
    it("test_accept_locksCollateralAndRecordsOperator", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      const op = f.ops[0];
      expect(await f.market.collateralFor(jobId)).to.equal(COLLATERAL);
      const freeBefore = await f.staking.freeStake(op.address);
      await expect(f.market.connect(op).accept(jobId, 0))
        .to.emit(f.market, "ShardAccepted")
        .withArgs(jobId, 0n, op.address, COLLATERAL);
      expect(freeBefore - (await f.staking.freeStake(op.address))).to.equal(COLLATERAL);
      expect(await f.staking.locked(op.address)).to.equal(COLLATERAL);
      const sh = await f.market.getShard(jobId, 0);
      expect(sh.state).to.equal(State.Accepted);
      expect(sh.operator).to.equal(op.address);
      expect(sh.collateral).to.equal(COLLATERAL);
      expect(sh.acceptedAt).to.equal(BigInt(await time.latest()));
    });

    it("test_accept_revertsWhen_shardNotOpen", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await expect(f.market.connect(f.ops[1]).accept(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(jobId, 0n, State.Accepted);
    });

    it("test_accept_revertsWhen_unknownJobOrShard", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.ops[0]).accept(7, 0)).to.be.revertedWithCustomError(f.market, "MarketUnknownJob");
      await expect(f.market.connect(f.ops[0]).accept(jobId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownShard")
        .withArgs(jobId, 1n);
    });

    it("test_accept_revertsWhen_deadlinePassed", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await time.increase(86_401);
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.be.revertedWithCustomError(
        f.market,
        "MarketDeadlinePassed",
      );
    });

    it("test_accept_revertsWhen_shardAssignedToAnother", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f, { shardOperators: [f.ops[1].address] });
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketOperatorNotAllowed")
        .withArgs(jobId, 0n, f.ops[0].address);
      await expect(f.market.connect(f.ops[1]).accept(jobId, 0)).to.emit(f.market, "ShardAccepted");
    });

    it("test_accept_revertsWhen_notRegistered", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.staking.setOperator(f.ops[0].address, false, 0);
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketNotRegistered")
        .withArgs(f.ops[0].address);
    });

    it("test_accept_revertsWhen_jailed", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      const until = BigInt(await time.latest()) + 1000n;
      await f.staking.setJailedUntil(f.ops[0].address, until);
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketJailed")
        .withArgs(f.ops[0].address, until);
    });

    it("test_accept_revertsWhen_capacityExpiredOrTooSmall", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      const op = f.ops[0].address;
      await f.staking.setCapacity(op, { ...CAPACITY, validUntil: 1n });
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.be.revertedWithCustomError(
        f.market,
        "MarketCapacityTooLow",
      );
      await f.staking.setCapacity(op, { ...CAPACITY, vramMiB: 8_192 });
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.be.revertedWithCustomError(
        f.market,
        "MarketCapacityTooLow",
      );
      await f.staking.setCapacity(op, { ...CAPACITY, opsPerSec: 10n ** 10n });
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.be.revertedWithCustomError(
        f.market,
        "MarketCapacityTooLow",
      );
    });

    it("test_accept_revertsWhen_freeStakeBelowCollateral", async () => {
      const f = await loadFixture(deployMarket);
      // 1000 units × 100 tUSD → 150,000 tUSD × 2 = 300,000 RGL of collateral > 100,000 staked.
      const jobId = await createJob(f, { maxUnitsPerShard: 1_000n, maxPricePerUnit: 100_000_000n });
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0))
        .to.be.revertedWithCustomError(f.market, "MarketInsufficientStake")
        .withArgs(f.ops[0].address, 100_000n * E18, 300_000n * E18);
    });

    it("test_accept_revertsWhen_paused", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.pause();
      await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.be.revertedWithCustomError(
        f.market,
        "EnforcedPause",
      );
    });
  });

  describe("submit", () => {
    it("test_submit_recordsRootUnitsUriAndBeaconBlock", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      const op = f.ops[0];
      await f.market.connect(op).accept(jobId, 0);
      const tx = await f.market.connect(op).submit(jobId, 0, ROOT, 80n, "ipfs://result");
      const rc = await tx.wait();
      const block = BigInt(rc!.blockNumber);
      await expect(tx)
        .to.emit(f.market, "ShardSubmitted")
        .withArgs(jobId, 0n, op.address, ROOT, 80n, block, "ipfs://result");
      const sh = await f.market.getShard(jobId, 0);
      expect(sh.state).to.equal(State.Submitted);
      expect(sh.units).to.equal(80n);
      expect(sh.resultRoot).to.equal(ROOT);
      // The result URI is emitted (above), not stored (PROTOCOL §20.3); the window is the one accepted under.
      expect(sh.verifyWindow).to.equal(3_600n);
      expect(sh.submittedBlock).to.equal(block);
      // blockhash(b) is readable from block b + 1 on.
      await mine(1);
      const chainId = (await ethers.provider.getNetwork()).chainId;
      const bh = (await ethers.provider.getBlock(Number(block)))!.hash!;
      const expected = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["uint256", "address", "uint256", "uint32", "bytes32", "bytes32"],
          [chainId, await f.market.getAddress(), jobId, 0, ROOT, bh],
        ),
      );
      expect(await f.market.beaconOf(jobId, 0)).to.equal(expected);
    });

    it("test_beaconOf_zeroWhenNotSubmittedOrTooOld", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      expect(await f.market.beaconOf(jobId, 0)).to.equal(ethers.ZeroHash);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, 80n, "u");
      await mine(300);
      expect(await f.market.beaconOf(jobId, 0)).to.equal(ethers.ZeroHash);
    });

    it("test_submit_revertsWhen_notShardOperator", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await expect(f.market.connect(f.ops[1]).submit(jobId, 0, ROOT, 1n, ""))
        .to.be.revertedWithCustomError(f.market, "MarketNotShardOperator")
        .withArgs(f.ops[1].address, f.ops[0].address);
    });

    it("test_submit_revertsWhen_notAccepted", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, 1n, ""))
        .to.be.revertedWithCustomError(f.market, "MarketBadShardState")
        .withArgs(jobId, 0n, State.Open);
    });

    it("test_submit_revertsWhen_unitsZeroOrAboveMax", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      for (const units of [0n, 101n]) {
        await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, units, ""))
          .to.be.revertedWithCustomError(f.market, "MarketBadUnits")
          .withArgs(units, 100n);
      }
    });

    it("test_submit_revertsWhen_zeroRoot", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ethers.ZeroHash, 1n, "")).to.be.revertedWithCustomError(
        f.market,
        "MarketZeroRoot",
      );
    });

    it("test_submit_revertsWhen_deadlinePassed", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await time.increase(86_401);
      await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, 1n, "")).to.be.revertedWithCustomError(
        f.market,
        "MarketDeadlinePassed",
      );
    });

    it("test_submit_worksWhilePaused", async () => {
      const f = await loadFixture(deployMarket);
      const jobId = await createJob(f);
      await f.market.connect(f.ops[0]).accept(jobId, 0);
      await f.market.pause();
      await expect(f.market.connect(f.ops[0]).submit(jobId, 0, ROOT, 1n, "")).to.emit(f.market, "ShardSubmitted");
    });
  });
});

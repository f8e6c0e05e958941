// The compact job and shard records (docs/PROTOCOL.md §20.3): a 2-slot job (token id, 96-bit price,
// 40-bit deadline), a 2-slot shard (operator id, collateral derived from the terms). What the packing
// bounds at creation, the operator ids, and that a derived collateral never drifts from the locked one.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  attestation,
  createJob,
  deployMarket,
  E18,
  jobParams,
  paramsOf,
  ROOT,
  sign,
  State,
  submittedJob,
} from "./fixture";

const COLLATERAL = 300n * E18; // 100 tUSD × 150 % × 2 RGL/tUSD

describe("JobMarket compact records (§20.3)", () => {
  it("test_createJob_revertsWhen_priceAbove96Bits_orDeadlineAbove40Bits", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const price = 2n ** 96n;
    await expect(
      f.market.connect(f.dev).createJob(await jobParams(usd, { maxPricePerUnit: price, maxUnitsPerShard: 1n })),
    )
      .to.be.revertedWithCustomError(f.market, "MarketBadParam")
      .withArgs(ethers.encodeBytes32String("maxPricePerUnit"), price);
    const deadline = 2n ** 40n;
    await expect(f.market.connect(f.dev).createJob(await jobParams(usd, { deadline })))
      .to.be.revertedWithCustomError(f.market, "MarketBadDeadline")
      .withArgs(deadline, BigInt(await time.latest()) + 1n);
  });

  it("test_getJob_returnsEveryField_fromTwoSlots", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const deadline = 2n ** 40n - 1n;
    const p = await jobParams(usd, {
      shards: 64,
      maxPricePerUnit: 2n ** 96n - 1n,
      maxUnitsPerShard: 1n,
      minVramMiB: 2 ** 32 - 1,
      minOpsPerSec: 2n ** 64n - 1n,
      kind: 2,
      verificationMode: 1,
      deadline,
    });
    await f.usd.mint(f.dev.address, 64n * (2n ** 96n - 1n));
    await f.market.connect(f.dev).createJob(p);
    const j = await f.market.getJob(await f.market.jobCount());
    expect([
      j.developer,
      j.deadline,
      j.shards,
      j.paymentToken,
      j.maxUnitsPerShard,
      j.minVramMiB,
      j.maxPricePerUnit,
      j.minOpsPerSec,
      j.kind,
      j.verificationMode,
      j.escrow,
    ]).to.deep.equal([
      f.dev.address,
      deadline,
      64n,
      usd,
      1n,
      BigInt(2 ** 32 - 1),
      2n ** 96n - 1n,
      2n ** 64n - 1n,
      2n,
      1n,
      64n * (2n ** 96n - 1n),
    ]);
  });

  it("test_operatorId_assignedOnFirstAcceptOnly", async () => {
    const f = await loadFixture(deployMarket);
    const a = await createJob(f, { shards: 2 });
    await expect(f.market.connect(f.ops[1]).accept(a, 0))
      .to.emit(f.market, "OperatorIdAssigned")
      .withArgs(f.ops[1].address, 1n);
    await expect(f.market.connect(f.ops[1]).accept(a, 1)).not.to.emit(f.market, "OperatorIdAssigned");
    await expect(f.market.connect(f.ops[0]).acceptAndSubmit(await createJob(f), 0, ROOT, 5n, "ipfs://r"))
      .to.emit(f.market, "OperatorIdAssigned")
      .withArgs(f.ops[0].address, 2n);
    expect((await f.market.getShard(a, 1)).operator).to.equal(f.ops[1].address);
    // Another operator's submit names the shard's operator, not an id.
    await expect(f.market.connect(f.ops[0]).submit(a, 0, ROOT, 5n, "ipfs://r"))
      .to.be.revertedWithCustomError(f.market, "MarketNotShardOperator")
      .withArgs(f.ops[0].address, f.ops[1].address);
    // An address never numbered (id 0) is nobody's operator.
    await expect(f.market.connect(f.ops[2]).submit(a, 0, ROOT, 5n, "ipfs://r"))
      .to.be.revertedWithCustomError(f.market, "MarketNotShardOperator")
      .withArgs(f.ops[2].address, f.ops[1].address);
  });

  it("test_collateralRatioChangeDuringShard_unlocksWhatWasLocked", async () => {
    // The collateral is derived at settlement from the terms of the accept, which snapshot the ratio:
    // had it been read from params() at settlement, doubling the ratio would unlock 600 RGL of 300
    // locked (underflow in staking) and halving it would leave 150 RGL locked for good.
    const f = await loadFixture(deployMarket);
    const op = f.ops[0];
    const free0 = await f.staking.freeStake(op.address);
    const jobId = await submittedJob(f, op, 100n);
    expect((await f.market.getShard(jobId, 0)).collateral).to.equal(COLLATERAL);
    expect(free0 - (await f.staking.freeStake(op.address))).to.equal(COLLATERAL);
    await f.market.setParams({ ...(await paramsOf(f.market)), collateralRatioBps: 30_000 });
    expect((await f.market.getShard(jobId, 0)).collateral).to.equal(COLLATERAL);
    expect((await f.market.shardTerms(jobId, 0)).collateralRatioBps).to.equal(15_000n);
    const a = await attestation(f, jobId, 0);
    await f.market.settle(a, await sign(f, a));
    expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Settled);
    expect(await f.staking.freeStake(op.address)).to.equal(free0);
    // A shard accepted after the change locks at the new ratio.
    await expect(f.market.connect(op).accept(await createJob(f), 0))
      .to.emit(f.market, "ShardAccepted")
      .withArgs(await f.market.jobCount(), 0n, op.address, 2n * COLLATERAL);
  });
});

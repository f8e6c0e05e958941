// Claims (docs/PROTOCOL.md §20.10): an assigned shard settled straight from Open on the committee's
// Valid verdict, with no accept-and-submit transaction. Only Valid settles a claim (nothing is at
// stake, so nothing may be slashed); only the assigned operator, before the deadline, within the
// job's units; a settled claim is never settled again.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployProtocol, jobParamsFor, verdictBatch, type Protocol } from "../../../fixtures/protocolFixture";
import {
  createJob,
  deployMarket,
  paramsOf,
  ROOT,
  sign,
  signedBatch,
  State,
  submittedJob,
  Verdict,
  verdictOf,
  type Attestation,
  type MarketFixture,
  type ShardVerdict,
} from "./fixture";

const SKIP_STATE = 1n;
const SKIP_CLAIM = 5n;

/** A single-shard job of `f.dev` assigned to `op` (default ops[0]); its id. */
async function assignedJob(f: MarketFixture, op = f.ops[0].address, over = {}): Promise<bigint> {
  return createJob(f, { shardOperators: [op], ...over });
}

function claimLeaf(jobId: bigint, operator: string, over: Partial<ShardVerdict> = {}): ShardVerdict {
  return { jobId, shard: 0, operator, resultRoot: ROOT, verdict: Verdict.Valid, units: 100n, ...over };
}

async function claimAttestation(
  f: MarketFixture,
  jobId: bigint,
  over: Partial<Attestation> = {},
): Promise<Attestation> {
  return {
    market: await f.market.getAddress(),
    jobId,
    shard: 0,
    operator: f.ops[0].address,
    resultRoot: ROOT,
    verdict: Verdict.Valid,
    units: 100n,
    expiry: BigInt(await time.latest()) + 3_600n,
    ...over,
  };
}

describe("JobMarket claims (§20.10)", () => {
  it("test_claim_settlesFromOpen_paysOperatorTreasuryDeveloper_locksNothing", async () => {
    const p: Protocol = await loadFixture(deployProtocol);
    const usd = await p.usd.getAddress();
    const m = await p.market.getAddress();
    const op = p.ops[0].address;
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shardOperators: [op] }));
    const jobId = await p.market.jobCount();
    const balance = await p.usd.balanceOf(m);
    const staked = await p.staking.operatorInfo(op);
    // 80 of 100 units used: pay 8e7, fee 2.5 % = 2e6, operator 7.8e7, developer refund 2e7.
    const leaf = { jobId, shard: 0, operator: op, resultRoot: ROOT, verdict: 1, units: 80n };
    const { batch, sigs } = await verdictBatch(p, [leaf]);
    const tx = p.market.settleVerdicts(batch, sigs, [leaf]);
    await expect(tx).to.emit(p.market, "ShardAccepted").withArgs(jobId, 0n, op, 0n);
    const block = BigInt((await ethers.provider.getBlockNumber()) + 0);
    await expect(tx).to.emit(p.market, "ShardSubmitted").withArgs(jobId, 0n, op, ROOT, 80n, block, "");
    await expect(tx)
      .to.emit(p.market, "ShardSettled")
      .withArgs(jobId, 0n, op, 80n, 78_000_000n, 2_000_000n, 20_000_000n, (v: bigint) => v > 0n);
    await expect(tx).to.emit(p.market, "VerdictsSettled").withArgs(batch.verdictsRoot, 1n, 0n);

    const sh = await p.market.getShard(jobId, 0);
    expect([sh.state, sh.operator, sh.units, sh.resultRoot]).to.deep.equal([State.Settled, op, 80n, ethers.ZeroHash]);
    expect(await p.market.owedOf(usd, op)).to.equal(78_000_000n);
    expect(await p.market.owedOf(usd, p.treasury.address)).to.equal(2_000_000n);
    expect(await p.market.owedOf(usd, p.devs[0].address)).to.equal(20_000_000n);
    expect(await p.market.escrowOf(usd)).to.equal(0n);
    expect(await p.market.owedTotal(usd)).to.equal(100_000_000n);
    expect(await p.usd.balanceOf(m)).to.equal(balance);
    // Nothing was locked or unlocked: the stake is as before.
    const after = await p.staking.operatorInfo(op);
    expect([after.lockedStake, after.selfStake]).to.deep.equal([staked.lockedStake, staked.selfStake]);
    expect((await p.market.operatorRecord(op)).settled).to.equal(1n);
  });

  it("test_claim_replayed_skipped_paidOnce", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const jobId = await assignedJob(f);
    const leaves = [claimLeaf(jobId, f.ops[0].address)];
    const { batch, sigs } = await signedBatch(f, leaves);
    await f.market.settleVerdicts(batch, sigs, leaves);
    const owed = await f.market.owedOf(usd, f.ops[0].address);
    await expect(f.market.settleVerdicts(batch, sigs, leaves))
      .to.emit(f.market, "VerdictSkipped")
      .withArgs(jobId, 0n, SKIP_STATE);
    expect(await f.market.owedOf(usd, f.ops[0].address)).to.equal(owed);
    // Nor through the single path.
    const a = await claimAttestation(f, jobId);
    await expect(f.market.settle(a, await sign(f, a))).to.be.revertedWithCustomError(f.market, "MarketBadShardState");
  });

  it("test_claim_notSettleable_skippedWithReason5_nothingMoves", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const op = f.ops[0].address;
    const jobId = await assignedJob(f);
    const cases: [string, ShardVerdict][] = [
      ["another operator", claimLeaf(jobId, f.ops[1].address)],
      [
        "an Invalid verdict (nothing at stake: no slash)",
        claimLeaf(jobId, op, { verdict: Verdict.Invalid, units: 0n }),
      ],
      ["a DeveloperFault verdict", claimLeaf(jobId, op, { verdict: Verdict.DeveloperFault })],
      ["units above the job's maximum", claimLeaf(jobId, op, { units: 101n })],
      ["zero units", claimLeaf(jobId, op, { units: 0n })],
      ["a zero root", claimLeaf(jobId, op, { resultRoot: ethers.ZeroHash })],
    ];
    const stake = await f.staking.freeStake(op);
    for (const [why, leaf] of cases) {
      const { batch, sigs } = await signedBatch(f, [leaf]);
      await expect(f.market.settleVerdicts(batch, sigs, [leaf]), why)
        .to.emit(f.market, "VerdictSkipped")
        .withArgs(jobId, 0n, SKIP_CLAIM);
    }
    expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Open);
    expect(await f.market.owedTotal(usd)).to.equal(0n);
    expect(await f.market.escrowOf(usd)).to.equal(100_000_000n);
    expect(await f.staking.freeStake(op)).to.equal(stake);
  });

  it("test_claim_ofAGangShard_skipped: a gang's shards start together, on-chain", async () => {
    const f = await loadFixture(deployMarket);
    const params = await jobParamsFor(await f.usd.getAddress(), {
      shards: 2,
      minOpsPerSec: 10n ** 11n,
      shardOperators: [f.ops[0].address, f.ops[1].address],
    });
    await f.market.connect(f.dev).createGangJob(params, BigInt(await time.latest()) + 600n);
    const jobId = await f.market.jobCount();
    const leaf = claimLeaf(jobId, f.ops[0].address);
    const { batch, sigs } = await signedBatch(f, [leaf]);
    await expect(f.market.settleVerdicts(batch, sigs, [leaf]))
      .to.emit(f.market, "VerdictSkipped")
      .withArgs(jobId, 0n, SKIP_CLAIM);
  });

  it("test_claim_afterDeadline_skipped_developerCancelsForRefund", async () => {
    const f = await loadFixture(deployMarket);
    const jobId = await assignedJob(f);
    const job = await f.market.getJob(jobId);
    await time.increaseTo(job.deadline);
    const leaf = claimLeaf(jobId, f.ops[0].address);
    const { batch, sigs } = await signedBatch(f, [leaf]);
    await expect(f.market.settleVerdicts(batch, sigs, [leaf]))
      .to.emit(f.market, "VerdictSkipped")
      .withArgs(jobId, 0n, SKIP_CLAIM);
    await expect(f.market.connect(f.dev).cancel(jobId)).to.emit(f.market, "ShardCancelled");
  });

  it("test_claim_unassignedOpenShard_skippedAsNotSubmitted", async () => {
    const f = await loadFixture(deployMarket);
    const plain = await createJob(f);
    const twoShards = await createJob(f, { shards: 2, shardOperators: [f.ops[0].address, ethers.ZeroAddress] });
    const leaves = [claimLeaf(plain, f.ops[0].address), claimLeaf(twoShards, f.ops[0].address, { shard: 1 })];
    const { batch, sigs } = await signedBatch(f, leaves);
    const tx = f.market.settleVerdicts(batch, sigs, leaves);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(plain, 0n, SKIP_STATE);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(twoShards, 1n, SKIP_STATE);
  });

  it("test_claim_disallowedToken_stillSettlesAtItsKeptRate", async () => {
    const f = await loadFixture(deployMarket);
    const jobId = await assignedJob(f);
    // Disallowing the usual way keeps the rate (§20.2): a job already escrowed is still paid.
    await f.market.setPaymentToken(await f.usd.getAddress(), false, 0);
    const leaf = claimLeaf(jobId, f.ops[0].address);
    const { batch, sigs } = await signedBatch(f, [leaf]);
    await expect(f.market.settleVerdicts(batch, sigs, [leaf])).to.emit(f.market, "ShardSettled");
    expect((await f.market.shardTerms(jobId, 0)).rglPerToken).to.equal(
      (await f.market.paymentToken(await f.usd.getAddress())).rglPerToken,
    );
  });

  it("test_claim_takesTheTermsInForceAtSettlement", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const jobId = await assignedJob(f);
    await f.market.setParams({ ...(await paramsOf(f.market)), feeBps: 500 });
    const leaf = claimLeaf(jobId, f.ops[0].address);
    const { batch, sigs } = await signedBatch(f, [leaf]);
    await expect(f.market.settleVerdicts(batch, sigs, [leaf])).to.emit(f.market, "ShardTermsRecorded");
    expect((await f.market.shardTerms(jobId, 0)).feeBps).to.equal(500n);
    // pay 1e8, fee 5 %.
    expect(await f.market.owedOf(usd, f.treasury.address)).to.equal(5_000_000n);
    expect(await f.market.owedOf(usd, f.ops[0].address)).to.equal(95_000_000n);
  });

  it("test_claim_mixedWithSubmittedLeaves_conservation", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const m = await f.market.getAddress();
    const claimed = await assignedJob(f, f.ops[1].address);
    const submitted = await submittedJob(f, f.ops[0]);
    const leaves = [await verdictOf(f, submitted, 0), claimLeaf(claimed, f.ops[1].address, { units: 60n })];
    const locked = await f.staking.locked(f.ops[0].address);
    const { batch, sigs } = await signedBatch(f, leaves);
    await expect(f.market.settleVerdicts(batch, sigs, leaves))
      .to.emit(f.market, "VerdictsSettled")
      .withArgs(batch.verdictsRoot, 2n, 0n);
    expect(locked).to.be.gt(0n);
    expect(await f.staking.locked(f.ops[0].address)).to.equal(0n);
    expect(await f.staking.locked(f.ops[1].address)).to.equal(0n);
    // What the market holds is exactly what it escrows and owes.
    expect(await f.usd.balanceOf(m)).to.equal((await f.market.escrowOf(usd)) + (await f.market.owedTotal(usd)));
    expect(await f.market.escrowOf(usd)).to.equal(0n);
  });

  it("test_settle_singleClaim_andNotSettleableReverts", async () => {
    const f = await loadFixture(deployMarket);
    const usd = await f.usd.getAddress();
    const jobId = await assignedJob(f);
    const bad = await claimAttestation(f, jobId, { operator: f.ops[1].address });
    await expect(f.market.settle(bad, await sign(f, bad)))
      .to.be.revertedWithCustomError(f.market, "MarketClaimNotSettleable")
      .withArgs(jobId, 0n, SKIP_CLAIM);
    const a = await claimAttestation(f, jobId);
    await expect(f.market.settle(a, await sign(f, a))).to.emit(f.market, "ShardSettled");
    expect((await f.market.getShard(jobId, 0)).state).to.equal(State.Settled);
    expect(await f.market.owedOf(usd, f.ops[0].address)).to.equal(97_500_000n);
  });

  it("test_assignment_storedInTheShardWord_viewsAndAccept", async () => {
    const f = await loadFixture(deployMarket);
    const jobId = await assignedJob(f, f.ops[1].address);
    expect(await f.market.assignedOperator(jobId, 0)).to.equal(f.ops[1].address);
    const open = await f.market.getShard(jobId, 0);
    expect([open.state, open.operator, open.acceptedAt]).to.deep.equal([State.Open, ethers.ZeroAddress, 0n]);
    await expect(f.market.connect(f.ops[0]).accept(jobId, 0)).to.be.revertedWithCustomError(
      f.market,
      "MarketOperatorNotAllowed",
    );
    await f.market.connect(f.ops[1]).accept(jobId, 0);
    const accepted = await f.market.getShard(jobId, 0);
    expect([accepted.state, accepted.operator, accepted.acceptedAt]).to.deep.equal([
      State.Accepted,
      f.ops[1].address,
      BigInt(await time.latest()),
    ]);
    // Taken: no longer a reservation.
    expect(await f.market.assignedOperator(jobId, 0)).to.equal(ethers.ZeroAddress);
    expect(await f.market.assignmentsReopenAt(jobId)).to.equal(0n);
    // An accepted shard's leaf follows the Submitted rules, not the claim's.
    const leaf = claimLeaf(jobId, f.ops[1].address);
    const { batch, sigs } = await signedBatch(f, [leaf]);
    await expect(f.market.settleVerdicts(batch, sigs, [leaf]))
      .to.emit(f.market, "VerdictSkipped")
      .withArgs(jobId, 0n, SKIP_STATE);
  });

  it("test_assignment_ofAnOperatorWithoutId_givesItsIdAtCreation", async () => {
    const f = await loadFixture(deployMarket);
    const fresh = f.ops[2].address;
    await expect(
      f.market.connect(f.dev).createJob(await jobParamsFor(await f.usd.getAddress(), { shardOperators: [fresh] })),
    )
      .to.emit(f.market, "OperatorIdAssigned")
      .withArgs(fresh, (id: bigint) => id > 0n);
    expect(await f.market.assignedOperator(await f.market.jobCount(), 0)).to.equal(fresh);
  });
});

// JobMarket.settleVerdicts (docs/PROTOCOL.md §20.4): one committee signature set over a Merkle root
// of many shard verdicts; every amount credited, withdrawn by its owner (§20.1).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployProtocol,
  jobParamsFor,
  shardVerdict,
  verdictBatch,
  type Protocol,
} from "../../../fixtures/protocolFixture";
import { signVerdictBatch, VERDICT_BATCH_TYPES } from "../../../fixtures/verdictBatch";
import { withGasHeadroom } from "../../../sdk/chain/gasHeadroom";
import {
  deployMarket,
  signedBatch,
  State,
  submittedJob as submittedWithDoubles,
  Verdict,
  verdictOf,
  type MarketFixture,
  type ShardVerdict,
} from "./fixture";

const ROOT = ethers.id("result");

async function submittedJob(p: Protocol, devIndex = 0, opIndex = 0): Promise<bigint> {
  const usd = await p.usd.getAddress();
  await p.market.connect(p.devs[devIndex]).createJob(await jobParamsFor(usd));
  const jobId = await p.market.jobCount();
  await p.market.connect(p.ops[opIndex]).acceptAndSubmit(jobId, 0, ROOT, 100n, "http://agent/r");
  return jobId;
}

describe("JobMarket.settleVerdicts", () => {
  it("test_settleVerdicts_oneValidLeaf: credits the operator, the treasury, unlocks the collateral; withdraw pays", async () => {
    const p = await loadFixture(deployProtocol);
    const jobId = await submittedJob(p);
    const { batch, sigs } = await verdictBatch(p, [await shardVerdict(p, jobId, 0)]);
    const usd = await p.usd.getAddress();
    const m = await p.market.getAddress();
    const balanceBefore = await p.usd.balanceOf(m);
    await expect(p.market.settleVerdicts(batch, sigs, [await shardVerdict(p, jobId, 0)]))
      .to.emit(p.market, "ShardSettled")
      .and.to.emit(p.market, "VerdictsSettled");
    // pay = 100 × 1e6 = 1e8; fee 2.5% = 2.5e6; operator 9.75e7; no refund (every unit used).
    expect(await p.market.owedOf(usd, p.ops[0].address)).to.equal(97_500_000n);
    expect(await p.market.owedOf(usd, p.treasury.address)).to.equal(2_500_000n);
    expect(await p.market.owedTotal(usd)).to.equal(100_000_000n);
    expect(await p.market.escrowOf(usd)).to.equal(0n);
    expect(await p.usd.balanceOf(m)).to.equal(balanceBefore);
    expect((await p.staking.operatorInfo(p.ops[0].address)).lockedStake).to.equal(0n);

    const opBefore = await p.usd.balanceOf(p.ops[0].address);
    await expect(p.market.connect(p.ops[0]).withdraw(usd, p.ops[0].address))
      .to.emit(p.market, "Withdrawn")
      .withArgs(usd, p.ops[0].address, p.ops[0].address, 97_500_000n);
    expect(await p.usd.balanceOf(p.ops[0].address)).to.equal(opBefore + 97_500_000n);
    expect(await p.usd.balanceOf(m)).to.equal(balanceBefore - 97_500_000n);
    expect(await p.market.owedTotal(usd)).to.equal(2_500_000n);
  });
});

describe("JobMarket.settleVerdicts adversarial", () => {
  async function threeSubmitted(f: MarketFixture) {
    const ids = [
      await submittedWithDoubles(f, f.ops[0]),
      await submittedWithDoubles(f, f.ops[1]),
      await submittedWithDoubles(f, f.ops[2]),
    ];
    const leaves = await Promise.all(ids.map((id) => verdictOf(f, id, 0)));
    return { ids, leaves };
  }

  async function assertNothingMoved(f: MarketFixture, ids: bigint[]): Promise<void> {
    const usd = await f.usd.getAddress();
    for (const id of ids) expect((await f.market.getShard(id, 0)).state).to.equal(State.Submitted);
    expect(await f.market.owedTotal(usd)).to.equal(0n);
    expect(await f.market.escrowOf(usd)).to.equal(BigInt(ids.length) * 100_000_000n);
  }

  it("test_replay_otherChain_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves, {}, 2, 1n);
    await expect(f.market.settleVerdicts(batch, sigs, leaves)).to.be.revertedWithCustomError(
      f.committee,
      "TestCommitteeNotSigner",
    );
    await assertNothingMoved(f, ids);
  });

  it("test_replay_otherCommittee_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves, {}, 2, undefined, f.others[0].address);
    await expect(f.market.settleVerdicts(batch, sigs, leaves)).to.be.reverted;
    await assertNothingMoved(f, ids);
  });

  it("test_replay_otherMarket_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    // Signed for another market (a second deployment): `market` is in the signed statement.
    const { batch, sigs } = await signedBatch(f, leaves, { market: f.others[1].address });
    await expect(f.market.settleVerdicts(batch, sigs, leaves))
      .to.be.revertedWithCustomError(f.market, "MarketWrongMarket")
      .withArgs(f.others[1].address);
    await assertNothingMoved(f, ids);
  });

  it("test_replay_otherJobShardOrVerdict_rootMismatch", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves);
    const tamper: Partial<ShardVerdict>[] = [
      { jobId: ids[2] + 1n },
      { shard: 1 },
      { verdict: Verdict.Invalid },
      { units: 1n },
      { operator: f.ops[2].address },
      { resultRoot: ethers.id("other") },
    ];
    for (const t of tamper) {
      const changed = leaves.map((v, i) => (i === 1 ? { ...v, ...t } : v));
      await expect(f.market.settleVerdicts(batch, sigs, changed), Object.keys(t)[0]).to.be.revertedWithCustomError(
        f.market,
        "MarketVerdictsRootMismatch",
      );
    }
    // Leaves moved to another pair give another root (siblings hash as a sorted pair, so swapping the
    // two leaves of one pair gives the same root and the same set of verdicts: harmless).
    await expect(f.market.settleVerdicts(batch, sigs, [leaves[2], leaves[1], leaves[0]])).to.be.revertedWithCustomError(
      f.market,
      "MarketVerdictsRootMismatch",
    );
    await assertNothingMoved(f, ids);
  });

  it("test_doubleSettle_secondBatchSkipsEverything", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves);
    await f.market.settleVerdicts(batch, sigs, leaves);
    const usd = await f.usd.getAddress();
    const owedBefore = await f.market.owedTotal(usd);
    const tx = f.market.settleVerdicts(batch, sigs, leaves);
    await expect(tx).to.emit(f.market, "VerdictsSettled").withArgs(batch.verdictsRoot, 0n, 3n);
    for (const id of ids) await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(id, 0n, 1n);
    await expect(tx).not.to.emit(f.market, "ShardSettled");
    expect(await f.market.owedTotal(usd)).to.equal(owedBefore);
    expect(await f.market.settleVerdicts.staticCall(batch, sigs, leaves)).to.equal(0n);
  });

  it("test_settleAfterExpire_skipped", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves, { expiry: BigInt(await time.latest()) + 10_000n });
    await time.increase(3_601);
    await f.market.expire(ids[0], 0);
    const tx = f.market.settleVerdicts(batch, sigs, leaves);
    // ids[0] expired (reason 1); the others' windows closed (reason 3): nothing is paid.
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(ids[0], 0n, 1n);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(ids[1], 0n, 3n);
    await expect(tx).to.emit(f.market, "VerdictsSettled").withArgs(batch.verdictsRoot, 0n, 3n);
    expect((await f.market.getShard(ids[0], 0)).state).to.equal(State.Expired);
    expect((await f.market.getShard(ids[1], 0)).state).to.equal(State.Submitted);
  });

  it("test_leafForAnotherOperatorOrRoot_skipped", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const wrong = [
      { ...leaves[0], operator: f.ops[1].address },
      { ...leaves[1], resultRoot: ethers.id("x") },
      leaves[2],
    ];
    const { batch, sigs } = await signedBatch(f, wrong);
    const tx = f.market.settleVerdicts(batch, sigs, wrong);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(ids[0], 0n, 2n);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(ids[1], 0n, 2n);
    await expect(tx).to.emit(f.market, "VerdictsSettled").withArgs(batch.verdictsRoot, 1n, 2n);
  });

  it("test_unknownJobOrShard_skipped", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const odd = [...leaves, { ...leaves[0], shard: 5 }, { ...leaves[0], jobId: 999n }];
    const { batch, sigs } = await signedBatch(f, odd);
    const tx = f.market.settleVerdicts(batch, sigs, odd);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(ids[0], 5n, 1n);
    await expect(tx).to.emit(f.market, "VerdictSkipped").withArgs(999n, 0n, 1n);
    await expect(tx).to.emit(f.market, "VerdictsSettled").withArgs(batch.verdictsRoot, 3n, 2n);
  });

  it("test_expiredBatchSignature_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves, { expiry: BigInt(await time.latest()) + 5n });
    await time.increase(10);
    await expect(f.market.settleVerdicts(batch, sigs, leaves)).to.be.revertedWithCustomError(
      f.market,
      "MarketAttestationExpired",
    );
    await assertNothingMoved(f, ids);
  });

  it("test_fewerThanThreshold_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const { batch, sigs } = await signedBatch(f, leaves, {}, 1);
    await expect(f.market.settleVerdicts(batch, sigs, leaves))
      .to.be.revertedWithCustomError(f.committee, "TestCommitteeNoQuorum")
      .withArgs(1n, 2n);
    await assertNothingMoved(f, ids);
  });

  it("test_wrongCount_orEmpty_reverts", async () => {
    const f = await loadFixture(deployMarket);
    const { ids, leaves } = await threeSubmitted(f);
    const short = await signedBatch(f, leaves, { count: 2 });
    await expect(f.market.settleVerdicts(short.batch, short.sigs, leaves))
      .to.be.revertedWithCustomError(f.market, "MarketLengthMismatch")
      .withArgs(2n, 3n);
    // A signed 3-leaf batch given only 2 leaves.
    const full = await signedBatch(f, leaves);
    await expect(f.market.settleVerdicts(full.batch, full.sigs, leaves.slice(0, 2)))
      .to.be.revertedWithCustomError(f.market, "MarketLengthMismatch")
      .withArgs(3n, 2n);
    await expect(f.market.settleVerdicts({ ...full.batch, count: 0 }, full.sigs, [])).to.be.revertedWithCustomError(
      f.market,
      "MarketLengthMismatch",
    );
    await assertNothingMoved(f, ids);
  });

  it("test_aggregation_interleavedOperatorsAndInvalidMidRun_creditsAsOneByOne", async () => {
    const f = await loadFixture(deployMarket);
    const [a, b] = f.ops;
    const usd = await f.usd.getAddress();
    const ids = [
      await submittedWithDoubles(f, a, 100n),
      await submittedWithDoubles(f, a, 50n),
      await submittedWithDoubles(f, b, 100n),
      await submittedWithDoubles(f, a, 100n),
      await submittedWithDoubles(f, a, 100n),
    ];
    const kinds = [Verdict.Valid, Verdict.Valid, Verdict.Valid, Verdict.Invalid, Verdict.DeveloperFault];
    const leaves = await Promise.all(ids.map((id, i) => verdictOf(f, id, 0, { verdict: kinds[i] })));
    const { batch, sigs } = await signedBatch(f, leaves);
    await f.market.settleVerdicts(batch, sigs, leaves);
    // a: 97.5 + 48.75 + 97.5 (developer fault) tUSD; b: 97.5; developer: 50 + 100 refund; fees 2.5+1.25+2.5+2.5.
    expect(await f.market.owedOf(usd, a.address)).to.equal(97_500_000n + 48_750_000n + 97_500_000n);
    expect(await f.market.owedOf(usd, b.address)).to.equal(97_500_000n);
    expect(await f.market.owedOf(usd, f.dev.address)).to.equal(50_000_000n + 100_000_000n);
    expect(await f.market.owedOf(usd, f.treasury.address)).to.equal(8_750_000n);
    expect(await f.market.owedTotal(usd)).to.equal(5n * 100_000_000n);
    expect(await f.usd.balanceOf(await f.market.getAddress())).to.equal(5n * 100_000_000n);
    expect(await f.staking.locked(a.address)).to.equal(0n);
    expect(await f.staking.locked(b.address)).to.equal(0n);
    const rec = await f.market.operatorRecord(a.address);
    expect([rec.settled, rec.failed]).to.deep.equal([2n, 1n]);
    // a was slashed in this epoch (Invalid): its work points of the epoch are forfeited (§10.8).
    expect((await f.market.operatorRecord(b.address)).settled).to.equal(1n);
  });
});

describe("JobMarket.settleVerdicts with the real committee", () => {
  it("test_expiryBeyondLifetime_reverts", async () => {
    const p = await loadFixture(deployProtocol);
    const jobId = await submittedJob(p);
    const leaves = [await shardVerdict(p, jobId, 0)];
    const { batch } = await verdictBatch(p, leaves);
    const far = { ...batch, expiry: BigInt(await time.latest()) + 8n * 86_400n };
    const sigs = await signVerdictBatch(await p.committee.getAddress(), p.oracles.slice(0, 2), far);
    await expect(p.market.settleVerdicts(far, sigs, leaves)).to.be.revertedWithCustomError(
      p.committee,
      "CommitteeAttestationTooLong",
    );
  });

  it("test_gasGrowsAfterEstimate_bareEstimateReverts_headroomSettles (the relay's gas headroom)", async () => {
    // A batch estimated on one state and mined on a later one: here the operator and the treasury
    // withdraw in between, so the batch's credits write to empty slots again and need more gas. Old
    // rule (the relay sent the bare estimate): the batch reverted, as one did in a 3,000-job load run.
    const p = await loadFixture(deployProtocol);
    const usd = await p.usd.getAddress();
    const first = await submittedJob(p);
    const firstLeaf = await shardVerdict(p, first, 0);
    const signedFirst = await verdictBatch(p, [firstLeaf]);
    await p.market.settleVerdicts(signedFirst.batch, signedFirst.sigs, [firstLeaf]);
    const second = await submittedJob(p);
    const leaf = await shardVerdict(p, second, 0);
    const { batch, sigs } = await verdictBatch(p, [leaf]);
    const estimate = await p.market.settleVerdicts.estimateGas(batch, sigs, [leaf]);
    const between = await ethers.provider.send("evm_snapshot", []);

    await p.market.connect(p.ops[0]).withdraw(usd, p.ops[0].address);
    await p.market.connect(p.treasury).withdraw(usd, p.treasury.address);
    expect(await p.market.owedTotal(usd)).to.equal(0n);
    await expect(p.market.settleVerdicts(batch, sigs, [leaf], { gasLimit: estimate })).to.be.reverted;
    expect((await p.market.getShard(second, 0)).state).to.equal(State.Submitted);

    await ethers.provider.send("evm_revert", [between]);
    await p.market.connect(p.ops[0]).withdraw(usd, p.ops[0].address);
    await p.market.connect(p.treasury).withdraw(usd, p.treasury.address);
    await expect(p.market.settleVerdicts(batch, sigs, [leaf], { gasLimit: withGasHeadroom(estimate) })).to.emit(
      p.market,
      "ShardSettled",
    );
    expect((await p.market.getShard(second, 0)).state).to.equal(State.Settled);
    expect(await p.market.owedOf(usd, p.ops[0].address)).to.equal(97_500_000n);
  });

  it("test_hashVerdictBatch_isTheEip712Digest", async () => {
    const p = await loadFixture(deployProtocol);
    const jobId = await submittedJob(p);
    const { batch } = await verdictBatch(p, [await shardVerdict(p, jobId, 0)]);
    const domain = {
      name: "Rigel",
      version: "1",
      chainId: (await ethers.provider.getNetwork()).chainId,
      verifyingContract: await p.committee.getAddress(),
    };
    expect(await p.committee.hashVerdictBatch(batch)).to.equal(
      ethers.TypedDataEncoder.hash(domain, VERDICT_BATCH_TYPES, batch),
    );
  });
});

// ShardTransitions (docs/PROTOCOL.md §9.2, §20.3) tested alone: every transition from every state,
// the record each one writes, and the skip reasons of a verdict leaf.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { TestShardTransitions } from "../../../typechain-types";
import { ShardState } from "../../../sdk/market/enums";

const S = ShardState;
const ALL = Object.values(S).filter((v) => typeof v === "number") as number[];
const ROOT = ethers.id("root");

async function deploy() {
  const t = (await ethers.deployContract("TestShardTransitions")) as unknown as TestShardTransitions;
  return { t };
}

/** The allowed final transitions (PROTOCOL §9.2): from → the final states it may close into. */
const CLOSES: Record<number, number[]> = {
  [S.Open]: [S.Cancelled],
  [S.Accepted]: [S.Expired, S.Cancelled],
  [S.Submitted]: [S.Settled, S.Failed, S.DeveloperFault, S.Expired],
};

describe("ShardTransitions", () => {
  it("test_canClose_matchesTheStateMachine_forEveryPair", async () => {
    const { t } = await loadFixture(deploy);
    for (const from of ALL) {
      for (const to of ALL) {
        const allowed = (CLOSES[from] ?? []).includes(to);
        expect(await t.canClose(from, to), `${from} → ${to}`).to.equal(allowed);
      }
    }
  });

  it("test_close_writesOrRevertsFromEveryState", async () => {
    const { t } = await loadFixture(deploy);
    for (const from of ALL) {
      for (const to of ALL) {
        await t.setState(from);
        if ((CLOSES[from] ?? []).includes(to)) {
          await t.close(to);
          expect((await t.record()).state).to.equal(BigInt(to));
        } else {
          await expect(t.close(to), `${from} → ${to}`).to.be.revertedWithCustomError(t, "MarketBadShardState");
        }
      }
    }
  });

  it("test_isUnsettled_onlyOpenAcceptedSubmitted", async () => {
    const { t } = await loadFixture(deploy);
    for (const s of ALL) {
      expect(await t.isUnsettled(s)).to.equal(s === S.Open || s === S.Accepted || s === S.Submitted);
    }
  });

  it("test_acceptThenSubmit_writesTheRecord", async () => {
    const { t } = await loadFixture(deploy);
    await t.accept(3, 7);
    const acceptedAt = BigInt(await time.latest());
    let r = await t.record();
    expect([r.operatorId, r.state, r.acceptedAt, r.termsId]).to.deep.equal([3n, BigInt(S.Accepted), acceptedAt, 7n]);
    await expect(t.accept(3, 1)).to.be.revertedWithCustomError(t, "MarketBadShardState");
    await expect(t.submit(4, ROOT, 5n))
      .to.be.revertedWithCustomError(t, "ShardNotOperator")
      .withArgs(4, 3);
    await mine(3);
    const tx = await t.submit(3, ROOT, 5n);
    const rc = await tx.wait();
    r = await t.record();
    expect([r.state, r.resultRoot, r.units, r.submittedBlock]).to.deep.equal([
      BigInt(S.Submitted),
      ROOT,
      5n,
      BigInt(rc!.blockNumber),
    ]);
    expect(r.acceptedAt).to.equal(acceptedAt);
    await expect(t.submit(3, ROOT, 5n)).to.be.revertedWithCustomError(t, "MarketBadShardState");
  });

  it("test_acceptAndSubmit_fromOpenOnly_oneWrite", async () => {
    const { t } = await loadFixture(deploy);
    await t.acceptAndSubmit(3, 2, ROOT, 9n);
    const r = await t.record();
    expect([r.state, r.operatorId, r.units, r.termsId, r.resultRoot]).to.deep.equal([
      BigInt(S.Submitted),
      3n,
      9n,
      2n,
      ROOT,
    ]);
    expect(r.acceptedAt).to.equal(r.submittedAt);
    await expect(t.acceptAndSubmit(3, 1, ROOT, 1n)).to.be.revertedWithCustomError(t, "MarketBadShardState");
  });

  it("test_skipReason_stateMismatchVerdictWindow", async () => {
    const { t } = await loadFixture(deploy);
    expect(await t.skipReason(3, ROOT, 1, 60)).to.equal(1n); // Open
    await t.acceptAndSubmit(3, 1, ROOT, 9n);
    expect(await t.skipReason(3, ROOT, 1, 60)).to.equal(0n);
    expect(await t.skipReason(4, ROOT, 1, 60)).to.equal(2n);
    expect(await t.skipReason(0, ROOT, 1, 60)).to.equal(2n); // an address the market never numbered
    expect(await t.skipReason(3, ethers.id("x"), 1, 60)).to.equal(2n);
    expect(await t.skipReason(3, ROOT, 0, 60)).to.equal(4n);
    expect(await t.skipReason(3, ROOT, 4, 60)).to.equal(4n);
    expect(await t.skipReason(3, ROOT, 3, 60)).to.equal(0n);
    await time.increase(61);
    expect(await t.skipReason(3, ROOT, 1, 60)).to.equal(3n);
    expect(await t.skipReason(3, ROOT, 1, 3_600)).to.equal(0n);
    await t.close(S.Settled);
    expect(await t.skipReason(3, ROOT, 1, 3_600)).to.equal(1n);
  });

  it("test_word_decodesTheRecord_closeWordAndSkipReasonWordMatch", async () => {
    const { t } = await loadFixture(deploy);
    await t.acceptAndSubmit(2 ** 32 - 1, 2 ** 32 - 2, ROOT, 2n ** 64n - 1n);
    const r = await t.record();
    const d = await t.decodeWord();
    expect([d.operatorId, d.state, d.termsId, d.submittedAt, d.units]).to.deep.equal([
      r.operatorId,
      r.state,
      r.termsId,
      r.submittedAt,
      r.units,
    ]);
    for (const [id, root, verdict, window] of [
      [2 ** 32 - 1, ROOT, 1, 60],
      [1, ROOT, 1, 60],
      [2 ** 32 - 1, ethers.id("x"), 1, 60],
      [2 ** 32 - 1, ROOT, 0, 60],
      [2 ** 32 - 1, ROOT, 3, 0],
    ] as const) {
      expect(await t.skipReasonWord(id, root, verdict, window)).to.equal(await t.skipReason(id, root, verdict, window));
    }
    await t.closeWord(S.Settled);
    const after = await t.record();
    // Only the state changed.
    expect([
      after.state,
      after.operatorId,
      after.termsId,
      after.acceptedAt,
      after.submittedBlock,
      after.units,
    ]).to.deep.equal([BigInt(S.Settled), r.operatorId, r.termsId, r.acceptedAt, r.submittedBlock, r.units]);
    await expect(t.closeWord(S.Failed)).to.be.revertedWithCustomError(t, "MarketBadShardState");
    expect(await t.skipReasonWord(2 ** 32 - 1, ROOT, 1, 60)).to.equal(1n);
  });
});

// SlashWaterfall (docs/PROTOCOL.md §6.4) tested alone: the order of the waterfall on examples, and a
// property over random stakes against a TypeScript model: nothing is created or lost, nothing is
// taken past a level while a cheaper one has some left, never more than asked.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { TestSlashWaterfall } from "../../../typechain-types";
import type { SlashWaterfall } from "../../../typechain-types/contracts/test/TestSlashWaterfall";

interface Stakes {
  selfStake: bigint;
  locked: bigint;
  selfThawing: bigint;
  selfThaw0: bigint;
  poolTokens: bigint;
  thawTokens: bigint;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** The model: the waterfall written out level by level. */
function model(s0: Stakes, amount: bigint, release: bigint) {
  const s = { ...s0 };
  s.locked -= min(release, s.locked);
  let left = amount;
  const free = min(left, s.selfStake - s.locked);
  s.selfStake -= free;
  left -= free;
  const thawing = min(left, s.selfThawing);
  const second = s.selfThawing - s.selfThaw0;
  if (thawing > second) s.selfThaw0 -= thawing - second;
  s.selfThawing -= thawing;
  left -= thawing;
  const locked = min(left, s.selfStake);
  s.selfStake -= locked;
  s.locked -= locked;
  left -= locked;
  const fromSelf = amount - left;
  const pool = min(left, s.poolTokens);
  s.poolTokens -= pool;
  left -= pool;
  const poolThawing = min(left, s.thawTokens);
  s.thawTokens -= poolThawing;
  left -= poolThawing;
  return { s, fromSelf, slashed: amount - left };
}

const deploy = async () => (await ethers.deployContract("TestSlashWaterfall")) as unknown as TestSlashWaterfall;

function asStakes(r: SlashWaterfall.StakesStructOutput): Stakes {
  return {
    selfStake: r.selfStake,
    locked: r.locked,
    selfThawing: r.selfThawing,
    selfThaw0: r.selfThaw0,
    poolTokens: r.poolTokens,
    thawTokens: r.thawTokens,
  };
}

const base: Stakes = {
  selfStake: 1_000n,
  locked: 600n,
  selfThawing: 300n,
  selfThaw0: 100n,
  poolTokens: 500n,
  thawTokens: 200n,
};

describe("SlashWaterfall", () => {
  it("test_take_releaseThenFreeFirst", async () => {
    const w = await loadFixture(deploy);
    // Releasing 300 of 600 locked leaves 700 free: a 500 slash takes only free self-stake.
    const [s, fromSelf, slashed] = await w.take(base, 500n, 300n);
    expect(asStakes(s)).to.deep.equal({ ...base, selfStake: 500n, locked: 300n });
    expect([fromSelf, slashed]).to.deep.equal([500n, 500n]);
  });

  it("test_take_thawingSecondSlotFirst_thenLocked_thenPool", async () => {
    const w = await loadFixture(deploy);
    // free 400, thawing 300 (second slot 200 first, then 100 of the first), locked 600, pool 500, thaw 200.
    const [s1] = await w.take(base, 600n, 0n);
    expect(asStakes(s1)).to.deep.equal({ ...base, selfStake: 600n, selfThawing: 100n, selfThaw0: 100n });
    const [s2, fromSelf2, slashed2] = await w.take(base, 1_500n, 0n);
    expect(asStakes(s2)).to.deep.equal({
      ...base,
      selfStake: 0n,
      locked: 0n,
      selfThawing: 0n,
      selfThaw0: 0n,
      poolTokens: 300n,
    });
    expect([fromSelf2, slashed2]).to.deep.equal([1_300n, 1_500n]);
  });

  it("test_take_cappedAtEverythingAtStake", async () => {
    const w = await loadFixture(deploy);
    const [s, fromSelf, slashed] = await w.take(base, 10_000n, 10_000n);
    expect(asStakes(s)).to.deep.equal({
      selfStake: 0n,
      locked: 0n,
      selfThawing: 0n,
      selfThaw0: 0n,
      poolTokens: 0n,
      thawTokens: 0n,
    });
    expect([fromSelf, slashed]).to.deep.equal([1_300n, 2_000n]);
  });

  it("test_split_roundsDownForRecipient_zeroRecipientBurnsAll", async () => {
    const w = await loadFixture(deploy);
    expect(await w.split(999n, ethers.Wallet.createRandom().address, 5_000)).to.deep.equal([499n, 500n]);
    expect(await w.split(999n, ethers.ZeroAddress, 5_000)).to.deep.equal([0n, 999n]);
    expect(await w.split(999n, ethers.Wallet.createRandom().address, 10_000)).to.deep.equal([999n, 0n]);
  });

  it("test_take_property_matchesModel_conservesStake", async () => {
    const w = await loadFixture(deploy);
    const amount = fc.bigInt({ min: 0n, max: 10n ** 24n });
    const stakes = fc
      .record({
        selfStake: amount,
        lockedShare: fc.integer({ min: 0, max: 100 }),
        selfThawing: amount,
        thaw0Share: fc.integer({ min: 0, max: 100 }),
        poolTokens: amount,
        thawTokens: amount,
      })
      .map((r) => ({
        selfStake: r.selfStake,
        locked: (r.selfStake * BigInt(r.lockedShare)) / 100n,
        selfThawing: r.selfThawing,
        selfThaw0: (r.selfThawing * BigInt(r.thaw0Share)) / 100n,
        poolTokens: r.poolTokens,
        thawTokens: r.thawTokens,
      }));
    await fc.assert(
      fc.asyncProperty(stakes, amount, amount, async (s, amt, release) => {
        const [out, fromSelf, slashed] = await w.take(s, amt, release);
        const m = model(s, amt, release);
        expect(asStakes(out)).to.deep.equal(m.s);
        expect([fromSelf, slashed]).to.deep.equal([m.fromSelf, m.slashed]);
        const total = (x: Stakes) => x.selfStake + x.selfThawing + x.poolTokens + x.thawTokens;
        expect(total(s) - total(asStakes(out))).to.equal(slashed);
        expect(slashed <= amt).to.equal(true);
        expect(out.locked <= out.selfStake && out.selfThaw0 <= out.selfThawing).to.equal(true);
      }),
      { numRuns: 60 },
    );
  });
});

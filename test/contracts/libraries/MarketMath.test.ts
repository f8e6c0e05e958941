// MarketMath.toRgl (docs/PROTOCOL.md §20.3): the plain division below 2^128 and OZ mulDiv above agree
// with the exact floor(amount × rate / 10^18) on both sides of the boundary.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { TestMarketMath } from "../../../typechain-types";

const WAD = 10n ** 18n;
const MAX128 = 2n ** 128n - 1n;

async function deploy() {
  return (await ethers.deployContract("TestMarketMath")) as unknown as TestMarketMath;
}

describe("MarketMath.toRgl", () => {
  it("test_toRgl_exactFloor_belowAtAndAbove2pow128", async () => {
    const m = await loadFixture(deploy);
    for (const amount of [0n, 1n, 2_500_000n, MAX128 - 1n, MAX128, MAX128 + 1n, 2n ** 150n + 12_345n]) {
      for (const rate of [1n, 2n * 10n ** 30n, MAX128]) {
        expect(await m.toRgl(amount, rate)).to.equal((amount * rate) / WAD);
      }
    }
  });
});

import { expect } from "chai";
import { formatUnits, parseUnits } from "viem";
import {
  perThousandTokensFromPricePerUnit,
  pricePerUnitFromPerThousandTokens,
  TokenPriceError,
} from "../../../sdk/pricing/pricePerThousandTokens";

describe("sdk/pricing pricePerUnitFromPerThousandTokens", () => {
  it("divides a price per 1,000 tokens by 1000 exactly", () => {
    // 2 RGL per 1,000 tokens = 0.002 RGL = 2·10^15 wei per token.
    expect(pricePerUnitFromPerThousandTokens(parseUnits("2", 18))).to.equal(2_000_000_000_000_000n);
    expect(pricePerUnitFromPerThousandTokens(1000n)).to.equal(1n);
    // 0.000000000000001 RGL (15 decimals) per 1,000 tokens is the smallest: 1 wei per token.
    expect(pricePerUnitFromPerThousandTokens(parseUnits("0.000000000000001", 18))).to.equal(1n);
  });

  it("is exact where floats are not (1.1 RGL and 123456789.123456789 RGL per 1,000 tokens)", () => {
    // Through a float, 1.1e18 / 1000 is 1100000000000000.1 wei, and the large price rounds to
    // 123456789123456791740416 wei: neither is the price asked.
    expect((Number("1.1") * 1e18) / 1000).to.not.equal(1_100_000_000_000_000);
    expect(BigInt(Math.round((Number("123456789.123456789") * 1e18) / 1000))).to.not.equal(
      123_456_789_123_456_789_000_000n,
    );
    expect(pricePerUnitFromPerThousandTokens(parseUnits("1.1", 18))).to.equal(1_100_000_000_000_000n);
    const perThousand = parseUnits("123456789.123456789", 18);
    expect(pricePerUnitFromPerThousandTokens(perThousand)).to.equal(123_456_789_123_456_789_000_000n);
    expect(perThousandTokensFromPricePerUnit(pricePerUnitFromPerThousandTokens(perThousand))).to.equal(perThousand);
  });

  it("refuses a price that is not a whole number of base units per token, or not positive", () => {
    for (const bad of [999n, 1001n, parseUnits("0.0000000000000001", 18), 0n, -1000n]) {
      let caught: unknown;
      try {
        pricePerUnitFromPerThousandTokens(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught, `${bad}`).to.be.instanceOf(TokenPriceError);
      expect((caught as TokenPriceError).code).to.equal("TOKEN_PRICE_NOT_EXACT");
    }
  });

  it("gives back the price per 1,000 tokens of a per-unit price", () => {
    expect(perThousandTokensFromPricePerUnit(2_000_000_000_000_000n)).to.equal(parseUnits("2", 18));
    expect(formatUnits(perThousandTokensFromPricePerUnit(1n), 18)).to.equal("0.000000000000001");
  });
});

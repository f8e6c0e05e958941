import { expect } from "chai";
import { formatTokenAmount, formatTokenAmountExact } from "../../developer/tokenAmount";

const RGL = { symbol: "RGL", decimals: 18 };
const USD = { symbol: "tUSD", decimals: 6 };

describe("developer/tokenAmount: amounts in whole tokens", () => {
  it("groups thousands and trims trailing zeros, in the token's own decimals", () => {
    expect(formatTokenAmount(1_234_500_000n, USD)).to.equal("1,234.5 tUSD");
    expect(formatTokenAmount(195n * 10n ** 16n, RGL)).to.equal("1.95 RGL");
    expect(formatTokenAmount(0n, RGL)).to.equal("0 RGL");
    expect(formatTokenAmount(42n, { symbol: "0x1234…abcd", decimals: 0 })).to.equal("42 0x1234…abcd");
  });

  it("cuts beyond 6 decimals towards zero and marks the cut; dust is written out in full", () => {
    expect(formatTokenAmount(1_950_000_000_000_000_001n, RGL)).to.equal("~1.95 RGL");
    expect(formatTokenAmount(1_234_567_891_000_000_000n, RGL)).to.equal("~1.234567 RGL");
    expect(formatTokenAmount(2_925n, RGL)).to.equal("0.000000000000002925 RGL");
  });

  it("adds the exact base units for lines that report money moved", () => {
    expect(formatTokenAmountExact(160_000_000n, USD)).to.equal("160 tUSD (160000000 base units)");
  });
});

import { expect } from "chai";
import {
  formatAddress,
  formatBps,
  formatDate,
  formatDuration,
  formatRgl,
  formatTokenAmount,
} from "../../../sdk/cli/humanFormat";
import { AmountArgError, parseAmountArg } from "../../../sdk/cli/parseAmount";

const E18 = 10n ** 18n;
const RGL = { decimals: 18, symbol: "RGL", flag: "--budget" };

describe("sdk/cli/humanFormat", () => {
  it("formats RGL with at most 4 decimals, thousands separators, and marks a cut amount with ~", () => {
    expect(formatRgl(12n * E18 + E18 / 2n)).to.equal("12.5 RGL");
    expect(formatRgl(1_234_567n * E18)).to.equal("1,234,567 RGL");
    expect(formatRgl(0n)).to.equal("0 RGL");
    expect(formatRgl(1_234_567_891_234_567_891n)).to.equal("~1.2345 RGL");
    expect(formatRgl(1n)).to.equal("0.000000000000000001 RGL");
    expect(formatRgl(2_925n)).to.equal("0.000000000000002925 RGL");
    expect(formatRgl(123_456n * 10n ** 9n)).to.equal("~0.0001234 RGL");
    expect(formatRgl(1_234_567_891_234_567_891n, { exact: true })).to.equal("1.234567891234567891 RGL");
    expect(formatRgl(-3n * E18)).to.equal("-3 RGL");
  });

  it("formats a token of any decimals", () => {
    expect(formatTokenAmount(1_500_000n, 6, "tUSD")).to.equal("1.5 tUSD");
    expect(formatTokenAmount(7n, 0, "0x1234…abcd")).to.equal("7 0x1234…abcd");
  });

  it("formats dates in UTC, durations, percent and addresses", () => {
    expect(formatDate(Date.UTC(2026, 11, 6, 17, 5, 42) / 1000)).to.equal("2026-12-06 17:05 UTC");
    expect(formatDate(0n)).to.equal("1970-01-01 00:00 UTC");
    expect(formatDuration(7_500)).to.equal("2 h 5 min");
    expect(formatDuration(45)).to.equal("45 s");
    expect(formatDuration(0)).to.equal("0 s");
    expect(formatDuration(86_400n)).to.equal("1 d");
    expect(formatDuration(90_061)).to.equal("1 d 1 h");
    expect(formatDuration(-300)).to.equal("-5 min");
    expect(formatBps(250)).to.equal("2.5 %");
    expect(formatBps(10_000n)).to.equal("100 %");
    expect(formatBps(1)).to.equal("0.01 %");
    expect(formatAddress("0x1234567890abcdef1234567890abcdef1234abcd")).to.equal("0x1234…abcd");
  });
});

describe("sdk/cli/parseAmount", () => {
  it("reads whole tokens by default and wei only with the unit", () => {
    expect(parseAmountArg("100", RGL)).to.equal(100n * E18);
    expect(parseAmountArg("100 RGL", RGL)).to.equal(100n * E18);
    expect(parseAmountArg("100rgl", RGL)).to.equal(100n * E18);
    expect(parseAmountArg("1.5", RGL)).to.equal(15n * 10n ** 17n);
    expect(parseAmountArg("0.000000000000000001", RGL)).to.equal(1n);
    expect(parseAmountArg("100wei", RGL)).to.equal(100n);
    expect(parseAmountArg("100 wei", RGL)).to.equal(100n);
    expect(parseAmountArg("1_000", RGL)).to.equal(1_000n * E18);
    expect(parseAmountArg("2", { decimals: 6, symbol: "tUSD", flag: "--max-price" })).to.equal(2_000_000n);
  });

  it("refuses anything else with a sentence naming the flag", () => {
    const bad: [string, RegExp][] = [
      ["-1", /--budget "-1" is not an amount/],
      ["abc", /is not an amount/],
      ["1.5wei", /fraction of a wei/],
      ["10 USDC", /names USDC, but this amount is in RGL/],
      ["0.0000000000000000001", /more decimals than RGL has \(18\)/],
      ["", /is not an amount/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseAmountArg(text, RGL), text)
        .to.throw(AmountArgError)
        .with.property("message")
        .that.matches(message);
    }
  });
});

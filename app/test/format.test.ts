import { describe, expect, it } from "vitest";
import { formatBps, formatDuration, formatOpsPerSec, formatToken, formatVram, shortAddress } from "../src/lib/format";

describe("format", () => {
  it("formatToken groups thousands, cuts decimals and names the unit", () => {
    expect(formatToken(1234_500000000000000000n)).toBe("1,234.5 RGL");
    expect(formatToken(0n)).toBe("0 RGL");
    expect(formatToken(1n)).toBe("<0.0001 RGL");
    expect(formatToken(-(10n ** 18n), "USD", 2)).toBe("−1 USD");
    expect(formatToken(123456789n * 10n ** 14n)).toBe("12,345.6789 RGL");
    // A token of its own decimals (a 6-decimal stablecoin).
    expect(formatToken(1_500_000n, "tUSD", 6, 6)).toBe("1.5 tUSD");
    expect(formatToken(1_234_567_891n, "tUSD", 2, 6)).toBe("1,234.56 tUSD");
  });
  it("formatBps prints percentages", () => {
    expect(formatBps(250)).toBe("2.5%");
    expect(formatBps(10_000)).toBe("100%");
    expect(formatBps(1)).toBe("0.01%");
    expect(formatBps(156019521n)).toBe("1,560,195.21%");
  });
  it("formatDuration keeps the two largest units", () => {
    expect(formatDuration(119)).toBe("1m 59s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(90061)).toBe("1d 1h");
    expect(formatDuration(-5)).toBe("0s");
  });
  it("formats throughput, VRAM and addresses", () => {
    expect(formatOpsPerSec(50_000_000_000_000n)).toBe("50 Tops/s");
    expect(formatVram(24576)).toBe("24 GiB");
    expect(formatVram(512)).toBe("512 MiB");
    expect(shortAddress("0x1234567890abcdef1234567890abcdef12345678")).toBe("0x1234…5678");
  });
});

import { describe, expect, it } from "vitest";
import { categoryTicks, niceTicks } from "../src/lib/chartTicks";

describe("niceTicks", () => {
  it("steps by 1, 2 or 5 × 10^k from 0 up to at least the maximum", () => {
    expect(niceTicks(1000n, 4)).toEqual([0n, 500n, 1000n]);
    expect(niceTicks(930n, 5)).toEqual([0n, 200n, 400n, 600n, 800n, 1000n]);
    expect(niceTicks(7n, 4)).toEqual([0n, 2n, 4n, 6n, 8n]);
    expect(niceTicks(10n ** 21n, 4)).toEqual([0n, 5n * 10n ** 20n, 10n ** 21n]);
  });
  it("gives an axis of [0, 1] when there is nothing to show", () => {
    expect(niceTicks(0n)).toEqual([0n, 1n]);
  });
});

describe("categoryTicks", () => {
  it("labels every point of a short axis", () => {
    expect(categoryTicks(4)).toEqual([0, 1, 2, 3]);
    expect(categoryTicks(0)).toEqual([]);
  });
  it("labels a long axis at a round stride, always with the first and the last", () => {
    expect(categoryTicks(101, 6)).toEqual([0, 20, 40, 60, 80, 100]);
    const t = categoryTicks(250, 6);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBe(249);
    expect(t.length).toBeLessThanOrEqual(7);
  });
});

import { expect } from "chai";
import { percentile } from "../../../scripts/lib/percentile";

describe("scripts/lib/percentile (nearest rank)", () => {
  it("gives the nearest-rank quantiles of an unsorted sample", () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 0)).to.equal(1);
    expect(percentile(xs, 0.5)).to.equal(5);
    expect(percentile(xs, 0.9)).to.equal(9);
    expect(percentile(xs, 0.99)).to.equal(10);
    expect(percentile(xs, 1)).to.equal(10);
    expect(xs[0]).to.equal(5); // the input is not sorted in place
  });

  it("p99 of 1,000 samples is the 990th smallest", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(percentile(xs, 0.99)).to.equal(990);
    expect(percentile(xs, 0.5)).to.equal(500);
  });

  it("handles one sample and refuses an empty one or a bad quantile", () => {
    expect(percentile([7], 0.99)).to.equal(7);
    expect(() => percentile([], 0.5)).to.throw(RangeError);
    expect(() => percentile([1], 1.5)).to.throw(RangeError);
    expect(() => percentile([1], Number.NaN)).to.throw(RangeError);
  });
});

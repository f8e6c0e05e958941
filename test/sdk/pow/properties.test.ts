import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex } from "viem";
import { generateMatrix, generateRow } from "../../../sdk/pow/generator";
import { matmulInt8Sync } from "../../../sdk/pow/kernel";
import { sampleIndices } from "../../../sdk/pow/sample";
import { naiveMatmul } from "./random";

describe("sdk/pow properties (fast-check)", () => {
  it("the kernel equals the naive product for any shape up to 12×300×300 and any int8 values", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (m, n, k, key) => {
          const a = generateMatrix(key, m, k);
          const b = generateMatrix(key ^ 0x5a5a5a5a, k, n);
          expect(Array.from(matmulInt8Sync(a, b, { m, n, k }))).to.deep.equal(Array.from(naiveMatmul(a, b, m, n, k)));
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it("any row generated alone equals that row of the whole operand", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 70 }),
        (key, rows, cols) => {
          const whole = generateMatrix(key, rows, cols);
          const row = Math.floor(rows / 2);
          expect(Array.from(generateRow(key, row, cols))).to.deep.equal(
            Array.from(whole.subarray(row * cols, (row + 1) * cols)),
          );
        },
      ),
      { numRuns: 100, seed: 8 },
    );
  });

  it("the sample has min(s, m) distinct in-range indices and extends when s grows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 40 }),
        (t, m, s) => {
          const beacon = keccak256(toHex(t, { size: 32 }));
          const indices = sampleIndices(beacon, m, s);
          expect(indices).to.have.length(Math.min(s, m));
          expect(new Set(indices).size).to.equal(indices.length);
          expect(indices.every((i) => Number.isInteger(i) && i >= 0 && i < m)).to.equal(true);
          expect(sampleIndices(beacon, m, s + 3).slice(0, indices.length)).to.deep.equal(indices);
        },
      ),
      { numRuns: 60, seed: 9 },
    );
  });
});

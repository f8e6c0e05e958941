import { expect } from "chai";
import { MatmulWorkerPool, matmulInt8, matmulInt8Sync, matmulRow } from "../../../sdk/pow/kernel";
import { PowWorkloadError } from "../../../sdk/pow/errors";
import { naiveMatmul, randomInt8, seededRandom } from "./random";

describe("sdk/pow/kernel", () => {
  const random = seededRandom(42);

  it("equals the naive triple loop on random shapes, edge cases included", () => {
    const shapes = [
      [1, 1, 1],
      [1, 7, 1],
      [7, 1, 1],
      [1, 1, 9],
      [5, 1, 300],
      [1, 300, 5],
      [3, 257, 259],
      [6, 33, 513],
      [9, 260, 2],
      [13, 17, 19],
    ];
    for (let t = 0; t < 10; t++) {
      shapes.push([1 + Math.floor(random() * 40), 1 + Math.floor(random() * 300), 1 + Math.floor(random() * 300)]);
    }
    for (const [m, n, k] of shapes) {
      const a = randomInt8(m * k, random);
      const b = randomInt8(k * n, random);
      expect(Array.from(matmulInt8Sync(a, b, { m, n, k })), `m=${m} n=${n} k=${k}`).to.deep.equal(
        Array.from(naiveMatmul(a, b, m, n, k)),
      );
    }
  });

  it("is exact at the extreme values -128 and 127", () => {
    const m = 5;
    const n = 258;
    const k = 513;
    for (const [x, y] of [
      [-128, -128],
      [-128, 127],
      [127, 127],
    ]) {
      const c = matmulInt8Sync(new Int8Array(m * k).fill(x), new Int8Array(k * n).fill(y), { m, n, k });
      expect(c.every((v) => v === x * y * k)).to.equal(true);
    }
  });

  it("is exact when neighbouring columns (one packed float64) hold opposite extremes", () => {
    for (const [m, n, k] of [
      [4, 7, 256],
      [5, 257, 512],
      [3, 2, 1000],
    ]) {
      const a = new Int8Array(m * k).fill(-128);
      a[k - 1] = 127;
      const b = new Int8Array(k * n);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b[p * n + j] = j % 2 === 0 ? 127 : -128;
      expect(Array.from(matmulInt8Sync(a, b, { m, n, k })), `m=${m} n=${n} k=${k}`).to.deep.equal(
        Array.from(naiveMatmul(a, b, m, n, k)),
      );
    }
  });

  it("wraps mod 2^32 in the one case that leaves int32: k = 131072 with every product 16384", () => {
    const k = 131072;
    const c = matmulInt8Sync(new Int8Array(k).fill(-128), new Int8Array(k).fill(-128), { m: 1, n: 1, k });
    expect(c[0]).to.equal(-(2 ** 31));
  });

  it("gives the same C on 1, 2 and 3 worker threads", async () => {
    const m = 37;
    const n = 70;
    const k = 90;
    const a = randomInt8(m * k, random);
    const b = randomInt8(k * n, random);
    const expected = Array.from(naiveMatmul(a, b, m, n, k));
    for (const threads of [1, 2, 3]) {
      expect(Array.from(await matmulInt8(a, b, { m, n, k }, { threads })), `threads=${threads}`).to.deep.equal(
        expected,
      );
    }
    // More threads than rows: one row each.
    const one = await matmulInt8(a.subarray(0, 2 * k), b, { m: 2, n, k }, { threads: 8 });
    expect(Array.from(one)).to.deep.equal(expected.slice(0, 2 * n));
  });

  it("runs on a caller's pool, again after the pool is closed", async () => {
    const pool = new MatmulWorkerPool();
    const m = 9;
    const n = 20;
    const k = 30;
    const a = randomInt8(m * k, random);
    const b = randomInt8(k * n, random);
    const expected = Array.from(naiveMatmul(a, b, m, n, k));
    try {
      for (let round = 0; round < 2; round++) {
        expect(Array.from(await matmulInt8(a, b, { m, n, k }, { threads: 2, pool }))).to.deep.equal(expected);
      }
      await pool.close();
      expect(Array.from(await matmulInt8(a, b, { m, n, k }, { threads: 3, pool }))).to.deep.equal(expected);
    } finally {
      await pool.close();
    }
  });

  it("computes one row alone", () => {
    const n = 11;
    const k = 300;
    const a = randomInt8(3 * k, random);
    const b = randomInt8(k * n, random);
    const full = naiveMatmul(a, b, 3, n, k);
    expect(Array.from(matmulRow(a.subarray(k, 2 * k), b, n, k))).to.deep.equal(Array.from(full.subarray(n, 2 * n)));
  });

  it("refuses operands that do not match the shape", () => {
    expect(() => matmulInt8Sync(new Int8Array(6), new Int8Array(6), { m: 2, n: 2, k: 2 }))
      .to.throw(PowWorkloadError)
      .with.property("code", "POW_INVALID_WORKLOAD");
  });
});

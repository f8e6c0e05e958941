// The CPU matmul kernel's inner loop, and the entry of its worker threads. Plain CommonJS so that a
// worker thread can load it without a TypeScript loader; typed by kernel-worker.d.ts.
"use strict";
const { isMainThread, parentPort, workerData } = require("node:worker_threads");

/** Columns of B (and C) per block: 128 packed pairs. */
const COLUMN_BLOCK = 256;
/** Rows of B (the inner dimension) per block; it also bounds each packed lane's sum (see below). */
const INNER_BLOCK = 256;
/** Two int8 columns share one float64: column 2q in the low lane, column 2q+1 times 2^24. */
const LANE = 16777216;
const INV_LANE = 1 / LANE;

/**
 * Rows `rowStart … rowEnd−1` of C = A·B, exact: int8 × int8 products summed mod 2^32 and read as
 * int32 (storing into an Int32Array wraps).
 *
 * JavaScript has no SIMD, so two columns of B ride in one float64 (`b[2q] + b[2q+1]·2^24`): one
 * multiply-add of a float64 does two int8 multiply-adds. It is exact: over one block of at most
 * 256 rows of B, each lane's sum L satisfies |L| ≤ 256·128·128 = 2^22, so the packed accumulator
 * `L_lo + L_hi·2^24` stays below 2^47 < 2^53 (every float64 step is an exact integer), and
 * `L_hi = round(x / 2^24)` and `L_lo = x − L_hi·2^24` recover both lanes (|L_lo / 2^24| ≤ 1/4).
 * After each block the lanes are added into C. Blocked over columns and the inner dimension, with
 * each block of B packed contiguously; four rows of A and two rows of B at a time.
 * @param {Int8Array} a A, m×k row-major
 * @param {Int8Array} b B, k×n row-major
 * @param {Int32Array} c C, m×n row-major; rows rowStart … rowEnd−1 are overwritten
 * @param {number} n columns of B and C
 * @param {number} k columns of A, rows of B
 * @param {number} rowStart first row of C to compute
 * @param {number} rowEnd one past the last row of C to compute
 */
function matmulRowsInto(a, b, c, n, k, rowStart, rowEnd) {
  c.fill(0, rowStart * n, rowEnd * n);
  const packed = new Float64Array(INNER_BLOCK * (COLUMN_BLOCK >> 1));
  const acc = new Float64Array(4 * (COLUMN_BLOCK >> 1));
  for (let j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
    const width = Math.min(n, j0 + COLUMN_BLOCK) - j0;
    const pairs = (width + 1) >> 1;
    for (let p0 = 0; p0 < k; p0 += INNER_BLOCK) {
      const depth = Math.min(k, p0 + INNER_BLOCK) - p0;
      for (let p = 0; p < depth; p++) {
        const src = (p0 + p) * n + j0;
        const dst = p * pairs;
        for (let q = 0; q < pairs; q++) {
          const high = 2 * q + 1 < width ? b[src + 2 * q + 1] : 0;
          packed[dst + q] = b[src + 2 * q] + high * LANE;
        }
      }
      let i = rowStart;
      for (; i + 4 <= rowEnd; i += 4) {
        acc.fill(0);
        const a0 = i * k + p0;
        const a1 = a0 + k;
        const a2 = a1 + k;
        const a3 = a2 + k;
        const r1 = pairs;
        const r2 = 2 * pairs;
        const r3 = 3 * pairs;
        let p = 0;
        for (; p + 2 <= depth; p += 2) {
          const x0 = a[a0 + p];
          const x1 = a[a1 + p];
          const x2 = a[a2 + p];
          const x3 = a[a3 + p];
          const y0 = a[a0 + p + 1];
          const y1 = a[a1 + p + 1];
          const y2 = a[a2 + p + 1];
          const y3 = a[a3 + p + 1];
          const bp = p * pairs;
          const bq = bp + pairs;
          for (let q = 0; q < pairs; q++) {
            const u = packed[bp + q];
            const v = packed[bq + q];
            acc[q] += x0 * u + y0 * v;
            acc[r1 + q] += x1 * u + y1 * v;
            acc[r2 + q] += x2 * u + y2 * v;
            acc[r3 + q] += x3 * u + y3 * v;
          }
        }
        for (; p < depth; p++) {
          const x0 = a[a0 + p];
          const x1 = a[a1 + p];
          const x2 = a[a2 + p];
          const x3 = a[a3 + p];
          const bp = p * pairs;
          for (let q = 0; q < pairs; q++) {
            const u = packed[bp + q];
            acc[q] += x0 * u;
            acc[r1 + q] += x1 * u;
            acc[r2 + q] += x2 * u;
            acc[r3 + q] += x3 * u;
          }
        }
        for (let r = 0; r < 4; r++) unpackInto(acc, r * pairs, c, (i + r) * n + j0, width);
      }
      for (; i < rowEnd; i++) {
        acc.fill(0, 0, pairs);
        const ai = i * k + p0;
        for (let p = 0; p < depth; p++) {
          const x = a[ai + p];
          const bp = p * pairs;
          for (let q = 0; q < pairs; q++) acc[q] += x * packed[bp + q];
        }
        unpackInto(acc, 0, c, i * n + j0, width);
      }
    }
  }
}

/**
 * Adds the two lanes of `width` packed columns from `acc` (at `from`) into `c` (at `to`).
 * @param {Float64Array} acc packed accumulators
 * @param {number} from first accumulator
 * @param {Int32Array} c C
 * @param {number} to first element of C
 * @param {number} width columns to unpack
 */
function unpackInto(acc, from, c, to, width) {
  const pairs = width >> 1;
  for (let q = 0; q < pairs; q++) {
    const x = acc[from + q];
    const high = Math.round(x * INV_LANE);
    c[to + 2 * q] += x - high * LANE;
    c[to + 2 * q + 1] += high;
  }
  if (width & 1) c[to + width - 1] += acc[from + pairs];
}

// As a worker thread of kernel.ts's pool: compute each job's rows over shared memory, then report.
if (!isMainThread && workerData && workerData.rigelMatmulKernel === 1) {
  parentPort.on("message", (job) => {
    matmulRowsInto(
      new Int8Array(job.a),
      new Int8Array(job.b),
      new Int32Array(job.c),
      job.n,
      job.k,
      job.rowStart,
      job.rowEnd,
    );
    parentPort.postMessage({ id: job.id });
  });
}

module.exports = { matmulRowsInto };

// The CPU matmul kernel's inner loop, and the entry of its worker threads. Plain CommonJS so that a
// worker thread can load it without a TypeScript loader; typed by kernel-worker.d.ts.
"use strict";
const { isMainThread, parentPort, workerData } = require("node:worker_threads");

/** Columns of B (and C) per block: a 256×256 int8 block of B (64 KiB) stays in L2. */
const COLUMN_BLOCK = 256;
/** Rows of B (the inner dimension) per block. */
const INNER_BLOCK = 256;

/**
 * Rows `rowStart … rowEnd−1` of C = A·B, exact: int8 × int8 products summed mod 2^32 and read as
 * int32 (storing into an Int32Array wraps). Blocked over columns and the inner dimension (each block
 * of B packed contiguously); four rows of A and two of B at a time, so each load of B feeds eight
 * multiply-adds.
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
  // Each block of B is copied into a contiguous buffer first: rows of B are n bytes apart, and
  // with n a power of two they would all fall into the same few cache sets.
  const packed = new Int8Array(INNER_BLOCK * COLUMN_BLOCK);
  for (let j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
    const width = Math.min(n, j0 + COLUMN_BLOCK) - j0;
    for (let p0 = 0; p0 < k; p0 += INNER_BLOCK) {
      const depth = Math.min(k, p0 + INNER_BLOCK) - p0;
      for (let p = 0; p < depth; p++) packed.set(b.subarray((p0 + p) * n + j0, (p0 + p) * n + j0 + width), p * width);
      let i = rowStart;
      for (; i + 4 <= rowEnd; i += 4) {
        const c0 = i * n + j0;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        const a0 = i * k + p0;
        const a1 = a0 + k;
        const a2 = a1 + k;
        const a3 = a2 + k;
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
          const bp = p * width;
          const bq = bp + width;
          for (let j = 0; j < width; j++) {
            const u = packed[bp + j];
            const v = packed[bq + j];
            c[c0 + j] += x0 * u + y0 * v;
            c[c1 + j] += x1 * u + y1 * v;
            c[c2 + j] += x2 * u + y2 * v;
            c[c3 + j] += x3 * u + y3 * v;
          }
        }
        for (; p < depth; p++) {
          const x0 = a[a0 + p];
          const x1 = a[a1 + p];
          const x2 = a[a2 + p];
          const x3 = a[a3 + p];
          const bp = p * width;
          for (let j = 0; j < width; j++) {
            const u = packed[bp + j];
            c[c0 + j] += x0 * u;
            c[c1 + j] += x1 * u;
            c[c2 + j] += x2 * u;
            c[c3 + j] += x3 * u;
          }
        }
      }
      for (; i < rowEnd; i++) {
        const ci = i * n + j0;
        const ai = i * k + p0;
        for (let p = 0; p < depth; p++) {
          const x = a[ai + p];
          const bp = p * width;
          for (let j = 0; j < width; j++) c[ci + j] += x * packed[bp + j];
        }
      }
    }
  }
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

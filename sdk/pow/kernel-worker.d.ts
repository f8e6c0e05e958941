/**
 * Rows `rowStart … rowEnd−1` of C = A·B, exact int8 × int8 → int32 (sums mod 2^32), single-threaded.
 * A is m×k, B is k×n, C is m×n, all row-major; only the named rows of C are written.
 */
export declare function matmulRowsInto(
  a: Int8Array,
  b: Int8Array,
  c: Int32Array,
  n: number,
  k: number,
  rowStart: number,
  rowEnd: number,
): void;

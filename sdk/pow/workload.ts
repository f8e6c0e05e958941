import type { Hex } from "viem";
import { PowWorkloadError } from "./errors";

/** The workload `matmul-int8`: C = A·B with A (m×k) and B (k×n) int8, C int32. */
export interface MatmulWorkload {
  /** The 32-byte seed that keys the generator (for generated operands). */
  seed: Hex;
  m: number;
  n: number;
  k: number;
}

/** The largest inner dimension for which int32 accumulation of int8 products is exact (DESIGN §4). */
export const MAX_K = 131072;

/** 2^32: the flat indices of A (m·k) and of B (k·n) must stay below it. */
const TWO_POW_32 = 2 ** 32;

/**
 * Throws {@link PowWorkloadError} unless `m`, `n`, `k` are positive integers with `m·k < 2^32`,
 * `k·n < 2^32`, `m·n < 2^32` and `k ≤ MAX_K`, and `seed` is 32 bytes of hex.
 */
export function assertWorkload(workload: MatmulWorkload): void {
  const { seed, m, n, k } = workload;
  for (const [name, value] of [
    ["m", m],
    ["n", n],
    ["k", k],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new PowWorkloadError(`${name} must be a positive integer`, { details: { [name]: value } });
    }
  }
  if (k > MAX_K) throw new PowWorkloadError(`k must be at most ${MAX_K}`, { details: { k } });
  if (m * k >= TWO_POW_32 || k * n >= TWO_POW_32 || m * n >= TWO_POW_32) {
    throw new PowWorkloadError("m·k, k·n and m·n must be below 2^32", { details: { m, n, k } });
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(seed))
    throw new PowWorkloadError("seed must be 32 bytes of hex", { details: { seed } });
}

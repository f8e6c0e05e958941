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

/** The largest inner dimension for which int32 accumulation of int8 products is exact (docs/PROTOCOL.md §3.2, §3.8). */
export const MAX_K = 131072;

/** 2^32: every flat index of A (m·k), B (k·n) and C (m·n) must stay below it (docs/PROTOCOL.md §3.2). */
export const MAX_MATRIX_ELEMENTS = 2 ** 32;

/** One broken shape rule: the dimension it is reported on (a spec field) and what the rule says. */
export interface MatmulShapeIssue {
  path: "m" | "n" | "k";
  message: string;
}

/**
 * The shape rules of docs/PROTOCOL.md §3.2 and §12.1, written once: the job spec validator, the
 * provers and the verifiers all apply these (`sdk/python/worker.py` `shape_issues` is the same list,
 * same order, same words). Returns every broken rule of positive `m`, `n`, `k`, in this order:
 * `k ≤ 131072` (int32 accumulation stays exact), `m·k < 2^32` and `k·n < 2^32` (the generator's
 * flat indices of A and B), `m·n < 2^32` (the flat index of C, whole job, not only a shard's window).
 * Empty: a job of this shape can be proven and verified.
 */
export function matmulShapeIssues({ m, n, k }: { m: number; n: number; k: number }): MatmulShapeIssue[] {
  const issues: MatmulShapeIssue[] = [];
  if (k > MAX_K) issues.push({ path: "k", message: `must be at most ${MAX_K}` });
  if (m * k >= MAX_MATRIX_ELEMENTS) issues.push({ path: "m", message: "m·k must be below 2^32" });
  if (k * n >= MAX_MATRIX_ELEMENTS) issues.push({ path: "n", message: "k·n must be below 2^32" });
  if (m * n >= MAX_MATRIX_ELEMENTS) {
    issues.push({ path: "m", message: "m·n must be below 2^32 (C is m×n int32, the whole job)" });
  }
  return issues;
}

/**
 * Throws {@link PowWorkloadError} unless `m`, `n`, `k` are positive integers, then unless the shape
 * keeps every rule of {@link matmulShapeIssues} (the message names the first broken one), then unless
 * `seed` is 32 bytes of hex.
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
  const [issue] = matmulShapeIssues({ m, n, k });
  if (issue) {
    throw new PowWorkloadError(issue.path === "k" ? `k ${issue.message}` : issue.message, { details: { m, n, k } });
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(seed))
    throw new PowWorkloadError("seed must be 32 bytes of hex", { details: { seed } });
}

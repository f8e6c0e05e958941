import { randomBytes } from "node:crypto";
import { PowFreivaldsError, PowWorkloadError } from "./errors";
import type { MatmulShape } from "./kernel";

/** The false-accept bound is 2^-rounds (docs/PROTOCOL.md §3.11); 32 rounds by default. */
export const DEFAULT_FREIVALDS_ROUNDS = 32;

/** Input of {@link freivalds}. */
export interface FreivaldsParameters extends MatmulShape {
  a: Int8Array;
  b: Int8Array;
  c: Int32Array;
  /** Rounds, each with a fresh r; false accept ≤ 2^-rounds. */
  rounds?: number;
  /** Source of randomness (bytes → uniform bytes); default node:crypto randomBytes. Tests inject a seeded one. */
  random?: (length: number) => Uint8Array;
}

/**
 * Freivalds' check of C = A·B: for random r ∈ {0,1}^n, `A(Br) = Cr` with all arithmetic mod 2^32
 * (int32 wrap). A library for whoever holds a whole C (a developer who downloaded a shard's results):
 * no proof sent to the committee carries C (docs/PROTOCOL.md §3.11). O(mk + kn + mn) per round. Throws {@link PowFreivaldsError} naming the round and
 * the first row where the two sides differ; an incorrect C passes a round with probability ≤ 1/2.
 */
export function freivalds(params: FreivaldsParameters): void {
  const { a, b, c, m, n, k } = params;
  const rounds = params.rounds ?? DEFAULT_FREIVALDS_ROUNDS;
  if (a.length !== m * k || b.length !== k * n || c.length !== m * n) {
    throw new PowWorkloadError("operand sizes do not match the shape", {
      details: { m, n, k, aLength: a.length, bLength: b.length, cLength: c.length },
    });
  }
  const random = params.random ?? ((length: number) => randomBytes(length));
  const br = new Int32Array(k);
  for (let round = 0; round < rounds; round++) {
    const bits = random(Math.ceil(n / 8));
    const r = new Uint8Array(n);
    for (let j = 0; j < n; j++) r[j] = (bits[j >> 3] >> (j & 7)) & 1;
    // Br: each entry is a sum of at most n int8 values, exact in a double (n < 2^32); the
    // Int32Array store wraps it mod 2^32.
    for (let p = 0; p < k; p++) {
      const row = p * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += b[row + j] * r[j];
      br[p] = sum;
    }
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      let left = 0;
      for (let p = 0; p < k; p++) left = (left + Math.imul(a[aRow + p], br[p])) | 0;
      const cRow = i * n;
      // Branch-free (r is random, so a branch would mispredict half the time): c·r is c or 0.
      let right = 0;
      for (let j = 0; j < n; j++) right = (right + c[cRow + j] * r[j]) | 0;
      if (left !== right) throw new PowFreivaldsError(round, i, left, right);
    }
  }
}

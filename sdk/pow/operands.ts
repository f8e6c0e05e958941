import { PowWorkloadError } from "./errors";
import { generateMatrix, generateRow, generatorKeys } from "./generator";
import type { MatmulShape } from "./kernel";
import { assertWorkload, type MatmulWorkload } from "./workload";

/** What a verifier needs of A and B: any row of A on its own, any row of B on its own, or all of B. */
export interface MatmulOperands extends MatmulShape {
  /** Row i of A (k elements). */
  rowOfA(i: number): Int8Array;
  /** Row l of B (n elements), written into `out` when given; never builds the whole B. */
  rowOfB(l: number, out?: Int8Array): Int8Array;
  /** B, k×n row-major (generated operands build it on first read: k·n bytes). */
  readonly b: Int8Array;
}

/**
 * The operands of a generated workload: rows of A and of B generated on demand; the whole B only
 * when `b` is read (then kept), so a verifier that streams B's rows never holds k·n bytes.
 */
export function generatedOperands(workload: MatmulWorkload): MatmulOperands {
  assertWorkload(workload);
  const { m, n, k } = workload;
  const keys = generatorKeys(workload.seed);
  let whole: Int8Array | undefined;
  return {
    m,
    n,
    k,
    get b() {
      whole ??= generateMatrix(keys.b, k, n);
      return whole;
    },
    rowOfA: (i: number) => generateRow(keys.a, i, k),
    rowOfB: (l: number, out?: Int8Array) => generateRow(keys.b, l, n, out),
  };
}

/** The operands of a workload whose A (m×k) and B (k×n) are given whole, e.g. supplied by the developer. */
export function arrayOperands(a: Int8Array, b: Int8Array, shape: MatmulShape): MatmulOperands {
  const { m, n, k } = shape;
  if (a.length !== m * k || b.length !== k * n) {
    throw new PowWorkloadError("operand sizes do not match the shape", {
      details: { m, n, k, aLength: a.length, bLength: b.length },
    });
  }
  return {
    m,
    n,
    k,
    b,
    rowOfA: (i: number) => a.subarray(i * k, (i + 1) * k),
    rowOfB: (l: number, out?: Int8Array) => {
      const row = b.subarray(l * n, (l + 1) * n);
      if (!out) return row;
      out.set(row);
      return out;
    },
  };
}

import { PowWorkloadError } from "./errors";
import { generateMatrix, generateRow, generatorKeys } from "./generator";
import type { MatmulShape } from "./kernel";
import { assertWorkload, type MatmulWorkload } from "./workload";

/** What a verifier needs of A and B: any row of A on its own, and all of B. */
export interface MatmulOperands extends MatmulShape {
  /** Row i of A (k elements). */
  rowOfA(i: number): Int8Array;
  /** B, k×n row-major. */
  b: Int8Array;
}

/** The operands of a generated workload: B generated whole, rows of A generated on demand. */
export function generatedOperands(workload: MatmulWorkload): MatmulOperands {
  assertWorkload(workload);
  const { m, n, k } = workload;
  const keys = generatorKeys(workload.seed);
  return { m, n, k, b: generateMatrix(keys.b, k, n), rowOfA: (i: number) => generateRow(keys.a, i, k) };
}

/** The operands of a workload whose A (m×k) and B (k×n) are given whole, e.g. supplied by the developer. */
export function arrayOperands(a: Int8Array, b: Int8Array, shape: MatmulShape): MatmulOperands {
  const { m, n, k } = shape;
  if (a.length !== m * k || b.length !== k * n) {
    throw new PowWorkloadError("operand sizes do not match the shape", {
      details: { m, n, k, aLength: a.length, bLength: b.length },
    });
  }
  return { m, n, k, b, rowOfA: (i: number) => a.subarray(i * k, (i + 1) * k) };
}

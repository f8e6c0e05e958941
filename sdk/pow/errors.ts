import { RigelError, type RigelErrorOptions } from "../errors/RigelError";

/** A workload `(seed, m, n, k)` or operand shape that the proof of work cannot accept. */
export class PowWorkloadError extends RigelError {
  override readonly name = "PowWorkloadError";
  constructor(message: string, options: RigelErrorOptions = {}) {
    super("POW_INVALID_WORKLOAD", message, options);
  }
}

/** Why a revealed sample does not match the indices drawn from the beacon. */
export type PowSampleFault = "missing" | "extra" | "duplicate" | "wrong-index";

/** The revealed rows are not exactly the indices drawn from the beacon, in the order drawn. */
export class PowSampleError extends RigelError {
  override readonly name = "PowSampleError";
  constructor(
    readonly fault: PowSampleFault,
    readonly position: number,
    readonly expectedIndex: number | undefined,
    readonly gotIndex: number | undefined,
  ) {
    super(
      "POW_SAMPLE_MISMATCH",
      `sample position ${position}: ${fault} (expected row ${expectedIndex}, got ${gotIndex})`,
      {
        details: { fault, position, expectedIndex, gotIndex },
      },
    );
  }
}

/** A revealed row does not have `n` elements. */
export class PowRowLengthError extends RigelError {
  override readonly name = "PowRowLengthError";
  constructor(
    readonly row: number,
    readonly expectedLength: number,
    readonly gotLength: number,
  ) {
    super("POW_ROW_LENGTH", `row ${row} has ${gotLength} elements, expected ${expectedLength}`, {
      details: { row, expectedLength, gotLength },
    });
  }
}

/** A revealed row's Merkle proof does not lead from the leaf `[row, sha256(row)]` to the committed root. */
export class PowProofError extends RigelError {
  override readonly name = "PowProofError";
  constructor(
    readonly row: number,
    readonly rowHash: string,
    readonly root: string,
    options: RigelErrorOptions = {},
  ) {
    super("POW_BAD_PROOF", `the Merkle proof of row ${row} does not match root ${root}`, {
      ...options,
      details: { row, rowHash, root, ...(options.details ?? {}) },
    });
  }
}

/** A revealed row differs from the row that the verifier recomputed from A and B. */
export class PowRowValueError extends RigelError {
  override readonly name = "PowRowValueError";
  constructor(
    readonly row: number,
    readonly column: number,
    readonly expected: number,
    readonly got: number,
  ) {
    super("POW_WRONG_ROW", `C[${row}][${column}] is ${got}, expected ${expected}`, {
      details: { row, column, expected, got },
    });
  }
}

/** Freivalds' check found `A(Br) ≠ Cr` (mod 2^32): C is not A·B. */
export class PowFreivaldsError extends RigelError {
  override readonly name = "PowFreivaldsError";
  constructor(
    readonly round: number,
    readonly row: number,
    readonly expected: number,
    readonly got: number,
  ) {
    super(
      "POW_FREIVALDS_FAILED",
      `Freivalds round ${round}: (A·B·r)[${row}] = ${expected} but (C·r)[${row}] = ${got}`,
      {
        details: { round, row, expected, got },
      },
    );
  }
}

/** A kernel worker thread failed or exited before reporting its rows. */
export class PowKernelError extends RigelError {
  override readonly name = "PowKernelError";
  constructor(message: string, options: RigelErrorOptions = {}) {
    super("POW_KERNEL_FAILED", message, options);
  }
}

import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PowKernelError, PowWorkloadError } from "./errors";
import { matmulRowsInto } from "./kernel-worker";

/** Shapes of a product C (m×n) = A (m×k) · B (k×n). */
export interface MatmulShape {
  m: number;
  n: number;
  k: number;
}

/** Options of {@link matmulInt8}. */
export interface MatmulOptions {
  /** Worker threads to use; default: the machine's available parallelism. 1 runs on the calling thread. */
  threads?: number;
}

function assertOperands(a: Int8Array, b: Int8Array, { m, n, k }: MatmulShape): void {
  if (a.length !== m * k || b.length !== k * n) {
    throw new PowWorkloadError("operand sizes do not match the shape", {
      details: { m, n, k, aLength: a.length, bLength: b.length },
    });
  }
}

/** C = A·B on the calling thread, exact int8 × int8 → int32 (sums mod 2^32). */
export function matmulInt8Sync(a: Int8Array, b: Int8Array, shape: MatmulShape): Int32Array {
  assertOperands(a, b, shape);
  const c = new Int32Array(shape.m * shape.n);
  matmulRowsInto(a, b, c, shape.n, shape.k, 0, shape.m);
  return c;
}

/** One row of C: `aRow` (k) · B (k×n). */
export function matmulRow(aRow: Int8Array, b: Int8Array, n: number, k: number): Int32Array {
  const c = new Int32Array(n);
  matmulRowsInto(aRow, b, c, n, k, 0, 1);
  return c;
}

function toShared(source: Int8Array): SharedArrayBuffer {
  if (
    source.buffer instanceof SharedArrayBuffer &&
    source.byteOffset === 0 &&
    source.byteLength === source.buffer.byteLength
  ) {
    return source.buffer;
  }
  const shared = new SharedArrayBuffer(source.byteLength);
  new Int8Array(shared).set(source);
  return shared;
}

const WORKER_FILE = path.join(__dirname, "kernel-worker.js");

/**
 * C = A·B, exact int8 × int8 → int32 (sums mod 2^32), with the rows of C split across worker threads
 * over shared memory. The result is an Int32Array over a SharedArrayBuffer.
 */
export async function matmulInt8(
  a: Int8Array,
  b: Int8Array,
  shape: MatmulShape,
  options: MatmulOptions = {},
): Promise<Int32Array> {
  assertOperands(a, b, shape);
  const { m, n, k } = shape;
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), m));
  if (threads === 1) return matmulInt8Sync(a, b, shape);
  const shared = { a: toShared(a), b: toShared(b), c: new SharedArrayBuffer(m * n * 4) };
  const jobs: Promise<void>[] = [];
  for (let t = 0; t < threads; t++) {
    const rowStart = Math.floor((m * t) / threads);
    const rowEnd = Math.floor((m * (t + 1)) / threads);
    const workerData = { rigelMatmulKernel: 1, ...shared, n, k, rowStart, rowEnd };
    jobs.push(
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(WORKER_FILE, { workerData });
        worker.once("message", () => resolve());
        worker.once("error", (err) => reject(new PowKernelError("matmul worker failed", { cause: err })));
        worker.once("exit", (code) => {
          if (code !== 0) reject(new PowKernelError(`matmul worker exited with code ${code}`, { details: { code } }));
        });
      }),
    );
  }
  await Promise.all(jobs);
  return new Int32Array(shared.c);
}

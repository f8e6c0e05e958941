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
  /** The worker pool to run on; default: a process-wide pool. */
  pool?: MatmulWorkerPool;
  /** With one thread, still run on a worker (a daemon keeps its event loop free); default false. */
  offMainThread?: boolean;
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
  assertOperands(aRow, b, { m: 1, n, k });
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

interface PooledWorker {
  worker: Worker;
  inFlight: number;
}

/**
 * Kernel worker threads kept warm between products (their JIT-compiled inner loop with them).
 * Idle workers are unref'd, so an idle pool never keeps the process alive; `close()` ends them.
 */
export class MatmulWorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (err: Error) => void; slot: PooledWorker }
  >();
  private nextId = 0;

  private spawn(): PooledWorker {
    const slot: PooledWorker = {
      worker: new Worker(WORKER_FILE, { workerData: { rigelMatmulKernel: 1 } }),
      inFlight: 0,
    };
    slot.worker.unref();
    slot.worker.on("message", ({ id }: { id: number }) => {
      const job = this.pending.get(id);
      if (!job) return;
      this.pending.delete(id);
      this.release(slot);
      job.resolve();
    });
    const fail = (err: Error) => {
      const index = this.workers.indexOf(slot);
      if (index >= 0) this.workers.splice(index, 1);
      for (const [id, job] of this.pending) {
        if (job.slot !== slot) continue;
        this.pending.delete(id);
        job.reject(err);
      }
    };
    slot.worker.on("error", (err) => fail(new PowKernelError("matmul worker failed", { cause: err })));
    slot.worker.on("exit", (code) =>
      fail(new PowKernelError(`matmul worker exited with code ${code}`, { details: { code } })),
    );
    this.workers.push(slot);
    return slot;
  }

  private release(slot: PooledWorker): void {
    slot.inFlight--;
    if (slot.inFlight === 0) slot.worker.unref();
  }

  /** Runs rows `rowStart … rowEnd−1` of a product on worker `index` (spawned on first use). */
  run(
    index: number,
    job: {
      a: SharedArrayBuffer;
      b: SharedArrayBuffer;
      c: SharedArrayBuffer;
      n: number;
      k: number;
      rowStart: number;
      rowEnd: number;
    },
  ): Promise<void> {
    const slot = this.workers[index] ?? this.spawn();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      if (slot.inFlight++ === 0) slot.worker.ref();
      slot.worker.postMessage({ id, ...job });
    });
  }

  /** Ends every worker; jobs in flight fail with {@link PowKernelError}. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((slot) => slot.worker.terminate()));
  }
}

let sharedPool: MatmulWorkerPool | undefined;

/**
 * C = A·B, exact int8 × int8 → int32 (sums mod 2^32), with the rows of C split across worker threads
 * over shared memory. The result is an Int32Array over a SharedArrayBuffer. Uses `options.pool`, or
 * a process-wide pool created on first use.
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
  if (threads === 1 && !options.offMainThread) return matmulInt8Sync(a, b, shape);
  const pool = options.pool ?? (sharedPool ??= new MatmulWorkerPool());
  const shared = { a: toShared(a), b: toShared(b), c: new SharedArrayBuffer(m * n * 4), n, k };
  const jobs: Promise<void>[] = [];
  for (let t = 0; t < threads; t++) {
    const rowStart = Math.floor((m * t) / threads);
    const rowEnd = Math.floor((m * (t + 1)) / threads);
    jobs.push(pool.run(t, { ...shared, rowStart, rowEnd }));
  }
  await Promise.all(jobs);
  return new Int32Array(shared.c);
}

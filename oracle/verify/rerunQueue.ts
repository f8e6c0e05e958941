import os from "node:os";
import { HttpError } from "../../sdk/errors/HttpError";

/** The node's re-run queue is full: 503 `ORACLE_BUSY`, retry (the proof's arrival is already recorded). */
export class RerunQueueFullError extends HttpError {
  constructor(waiting: number) {
    super(503, "ORACLE_BUSY", "this node's container re-run queue is full; retry", {
      details: { waiting },
    });
  }
}

/** The default parallelism: half the host's CPUs, at least 1 (PROTOCOL §18.3). */
export function defaultRerunConcurrency(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

interface Entry {
  deadline: bigint;
  seq: number;
  start: () => void;
}

/**
 * The node's container re-run queue (PROTOCOL §18.3): at most `concurrency` re-runs at once; the
 * waiting ones start in order of their shard's reveal deadline (earliest first, then arrival), so a
 * proof that must be decided soon is not stuck behind later ones; at most `max` wait, and one more is
 * refused with {@link RerunQueueFullError} (nothing is queued then).
 */
export class RerunQueue {
  private readonly waitingEntries: Entry[] = [];
  private active = 0;
  private seq = 0;

  constructor(
    private readonly max: number,
    private readonly concurrency: number,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`rerunQueueMax must be ≥ 1, got ${max}`);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`rerunConcurrency must be ≥ 1, got ${concurrency}`);
  }

  /** Re-runs waiting for a slot. */
  get waiting(): number {
    return this.waitingEntries.length;
  }

  /** Re-runs in progress. */
  get running(): number {
    return this.active;
  }

  /**
   * Runs `work` once a slot is free and no re-run with an earlier deadline waits. Rejects with
   * {@link RerunQueueFullError} at once when `max` re-runs already wait.
   */
  run<T>(deadline: bigint, work: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency && this.waitingEntries.length >= this.max) {
      return Promise.reject(new RerunQueueFullError(this.waitingEntries.length));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        deadline,
        seq: this.seq++,
        start: () => {
          this.active += 1;
          Promise.resolve()
            .then(work)
            .then(resolve, reject)
            .finally(() => {
              this.active -= 1;
              this.pump();
            });
        },
      };
      // Sorted insert: by deadline, then by arrival (seq only grows, so equal deadlines stay FIFO).
      let at = this.waitingEntries.length;
      while (at > 0 && this.waitingEntries[at - 1].deadline > deadline) at -= 1;
      this.waitingEntries.splice(at, 0, entry);
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.concurrency && this.waitingEntries.length > 0) {
      this.waitingEntries.shift()!.start();
    }
  }
}

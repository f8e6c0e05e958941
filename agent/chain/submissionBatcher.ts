import type { Hex } from "viem";
import type { Logger } from "../../sdk/log/createLogger";

/** One shard's result, as `JobMarket.submit` and each entry of `submitMany` take it. */
export interface Submission {
  jobId: bigint;
  shard: number;
  resultRoot: Hex;
  units: bigint;
  resultURI: string;
}

/** A mined transaction that carried a submission. */
export interface SubmissionTx {
  hash: Hex;
  blockNumber: bigint;
  /** How many shards the transaction submitted (1 for a shard sent alone). */
  batchSize: number;
}

/** The two writes the batcher sends with (AgentChain in the daemon; a double in tests). */
export interface SubmissionSender {
  /** One transaction for many shards; reverts as a whole when any entry fails. */
  submitMany(subs: readonly Submission[]): Promise<{ hash: Hex; blockNumber: bigint }>;
  /** One shard alone. */
  submit(sub: Submission): Promise<{ hash: Hex; blockNumber: bigint }>;
}

export interface SubmissionBatcherParameters {
  sender: SubmissionSender;
  /** A batch is sent as soon as it holds this many shards (1: every shard alone). */
  maxBatch: number;
  /** ... or this long after its oldest shard joined it, whichever comes first. */
  maxDelayMs: number;
  logger?: Logger;
}

interface Pending {
  sub: Submission;
  resolve: (tx: SubmissionTx) => void;
  reject: (err: unknown) => void;
  promise: Promise<SubmissionTx>;
}

const keyOf = (s: Pick<Submission, "jobId" | "shard">) => `${s.jobId}/${s.shard}`;

/**
 * Groups the agent's finished shards into `submitMany` transactions (docs/PROTOCOL.md §14.2, §20.7).
 * A batch closes at `maxBatch` shards or `maxDelayMs` after its oldest shard, so no shard waits longer
 * than the bound; an urgent shard (near its deadline) is sent alone at once. When a batch transaction
 * fails (simulation refused, reverted, never mined), each of its shards is sent again alone, so one bad
 * entry sinks nobody else; a shard whose own transaction fails rejects, and its journal step (still
 * `submitting`) is retried later from the chain's state. The batcher holds nothing that the journal
 * does not: after a crash every `submitting` shard is read back from the chain and submitted again
 * only when it is still Accepted.
 */
export class SubmissionBatcher {
  private queue: Pending[] = [];
  private readonly byKey = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly p: SubmissionBatcherParameters) {
    if (!Number.isInteger(p.maxBatch) || p.maxBatch < 1)
      throw new RangeError(`maxBatch must be ≥ 1, not ${p.maxBatch}`);
    if (!(p.maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be ≥ 0, not ${p.maxDelayMs}`);
  }

  /** Shards waiting for their batch to close. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Submits one shard: resolves with the transaction that carried it once mined, rejects when its
   * own (single) submission failed. The same shard asked twice while pending shares one promise.
   */
  submit(sub: Submission, options: { urgent?: boolean } = {}): Promise<SubmissionTx> {
    const existing = this.byKey.get(keyOf(sub));
    if (existing) return existing.promise;
    let resolve!: (tx: SubmissionTx) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<SubmissionTx>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const pending: Pending = { sub, resolve, reject, promise };
    this.byKey.set(keyOf(sub), pending);
    if (options.urgent || this.p.maxBatch === 1) {
      this.track(this.sendAlone(pending));
      return promise;
    }
    this.queue.push(pending);
    if (this.queue.length >= this.p.maxBatch) this.close();
    else this.timer ??= setTimeout(() => this.close(), this.p.maxDelayMs);
    return promise;
  }

  /** Sends whatever waits now, and resolves when every transaction in flight has ended. */
  async flush(): Promise<void> {
    if (this.queue.length > 0) this.close();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(task: Promise<void>): void {
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Closes the current batch (up to `maxBatch` shards, oldest first) and sends it. */
  private close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.p.maxBatch);
    if (this.queue.length > 0) {
      // More than one batch's worth arrived at once: the rest closes at once too.
      if (this.queue.length >= this.p.maxBatch) queueMicrotask(() => this.close());
      else this.timer = setTimeout(() => this.close(), this.p.maxDelayMs);
    }
    if (batch.length === 0) return;
    this.track(batch.length === 1 ? this.sendAlone(batch[0]) : this.sendBatch(batch));
  }

  private finish(p: Pending, outcome: { tx: SubmissionTx } | { err: unknown }): void {
    this.byKey.delete(keyOf(p.sub));
    if ("tx" in outcome) p.resolve(outcome.tx);
    else p.reject(outcome.err);
  }

  private async sendAlone(p: Pending): Promise<void> {
    try {
      const tx = await this.p.sender.submit(p.sub);
      this.finish(p, { tx: { ...tx, batchSize: 1 } });
    } catch (err) {
      this.finish(p, { err });
    }
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    try {
      const tx = await this.p.sender.submitMany(batch.map((b) => b.sub));
      this.p.logger?.info({ tx: tx.hash, shards: batch.length }, "results submitted in one transaction");
      for (const b of batch) this.finish(b, { tx: { ...tx, batchSize: batch.length } });
    } catch (err) {
      this.p.logger?.warn({ err, shards: batch.length }, "batch submission failed; submitting each shard alone");
      await Promise.all(batch.map((b) => this.sendAlone(b)));
    }
  }
}

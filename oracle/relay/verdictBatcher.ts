import type { Address, Hex } from "viem";
import { sortSignaturesBySigner, type SignerSignature } from "../../sdk/eip712/sortSignatures";
import type { RigelDomain, ShardVerdict, VerdictBatch } from "../../sdk/eip712/types";
import { recoverVerdictBatchSigner } from "../../sdk/eip712/verdictBatch";
import type { Logger } from "../../sdk/log/createLogger";
import { verdictsRoot } from "../../sdk/market/verdictTree";
import type { VerdictBatchCosignResult } from "../../sdk/oracleApi/client";
import { shardVerdictToJson, type SignedShardAttestation, type VerdictBatchRequest } from "../../sdk/oracleApi/types";
import type { BatchSigner } from "../attest/batchSigner";

/** One decided shard waiting to be settled: its leaf, this node's own signed attestation, and that attestation's expiry. */
export interface BatchLeaf {
  verdict: ShardVerdict;
  own: SignedShardAttestation;
  /** `submittedAt + verifyWindow` of the shard (its attestation's expiry): the last second it settles. */
  expiry: bigint;
}

/** A committee member that co-signs batches (`OracleClient.cosignVerdictBatch` against its URL). */
export interface BatchPeer {
  url: string;
  cosign(request: VerdictBatchRequest): Promise<VerdictBatchCosignResult>;
}

/** A timer port, so that tests drive time themselves (default: `setTimeout`). */
export interface BatchTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** The batcher's metrics (oracle/metrics.ts). */
export interface BatchMetrics {
  batchLeaves: { observe(value: number): void };
  batchLatencySeconds: { observe(value: number): void };
  settlements: { inc(labels: { path: "batch" | "single" }, value?: number): void };
}

/** Input of {@link VerdictBatcher}. */
export interface VerdictBatcherParameters {
  market: Address;
  domain: RigelDomain;
  /** Signs this node's own statement (through the signed-digest log). */
  signer: BatchSigner;
  peers: readonly BatchPeer[];
  /** The committee's threshold. */
  threshold: () => Promise<number>;
  /**
   * Whether a co-signer is an active committee member (a removed peer's signature would make the
   * whole `settleVerdicts` revert); absent: every recovered signer counts.
   */
  isActiveSigner?: (signer: Address) => Promise<boolean>;
  /** The chain's clock (latest block's timestamp). */
  chainTime: () => Promise<bigint>;
  /** `JobMarket.settleVerdicts`, simulated, sent and mined; the transaction hash. */
  settleVerdicts: (batch: VerdictBatch, signatures: Hex[], verdicts: ShardVerdict[]) => Promise<Hex>;
  /**
   * The single path for one leaf (`gatherShardSignatures` + `settle`): whether the shard is done with
   * (settled now, or already final); false when no quorum of single attestations exists yet.
   */
  settleSingle: (leaf: BatchLeaf) => Promise<boolean>;
  /** Leaves whose settlement went out (in a batch or alone): the node marks them relayed. */
  onRelayed: (leaves: readonly BatchLeaf[]) => void;
  /** A batch closes when it holds this many leaves (config `batchMaxSize`, default 100). */
  maxSize: number;
  /** … or this long after its oldest leaf arrived (config `batchMaxDelayMs`, default 2000). */
  maxDelayMs: number;
  /** A leaf with at most this many seconds of its verify window left is settled alone at once (default 60). */
  urgentSec?: number;
  /**
   * How many times a leaf that peers have not decided yet goes back to the queue (another batch,
   * `maxDelayMs` later) before it takes the single path (default 5).
   */
  maxRetries?: number;
  /** The clock the delay is measured with, in ms (default `Date.now`). */
  now?: () => number;
  timers?: BatchTimers;
  metrics?: BatchMetrics;
  logger: Logger;
}

interface Entry {
  leaf: BatchLeaf;
  addedAtMs: number;
  /** How many batches this leaf has gone back to the queue from (peers had not decided it yet). */
  retries: number;
}

const keyOf = (v: ShardVerdict) => `${v.jobId}:${v.shard}`;

function byOperator(a: Entry, b: Entry): number {
  const x = a.leaf.verdict;
  const y = b.leaf.verdict;
  const ox = BigInt(x.operator);
  const oy = BigInt(y.operator);
  if (ox !== oy) return ox < oy ? -1 : 1;
  if (x.jobId !== y.jobId) return x.jobId < y.jobId ? -1 : 1;
  return x.shard - y.shard;
}

const realTimers: BatchTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The relay's batch coordinator (PROTOCOL §20.6). Decided shards are {@link add}ed; a batch closes
 * at `maxSize` leaves or `maxDelayMs` after its oldest, whichever comes first. Closing one:
 *
 * 1. leaves with at most `urgentSec` of their verify window left go alone, at once, by the single path;
 * 2. the rest form a `VerdictBatch` (`expiry` = the earliest leaf's `submittedAt + verifyWindow`, so it
 *    outlives none of them; every peer checks that), signed by this node and sent to every peer's
 *    `POST /v1/verdict-batches` at once;
 * 3. with `threshold` signatures: one `settleVerdicts`. Short of it, the leaves missing (409) at the
 *    peers that lack the fewest — as many peers as the quorum still needs — are dropped from the batch
 *    and the rest asked once more;
 * 4. leaves dropped, or still short of a quorum after that, go back to the queue (a later batch, after
 *    `maxDelayMs`: the peers are still deciding them), at most `maxRetries` times each; then, and when
 *    no peer co-signs batches at all (refusals), each leaf by the single path (`settle` with single
 *    attestations), which settles what has a quorum.
 *
 * One batch is closed at a time (one wallet, one nonce sequence); a leaf waits at most `maxDelayMs`
 * plus the batch before it and one round trip to the peers (their timeout).
 */
export class VerdictBatcher {
  private readonly pending = new Map<string, Entry>();
  private readonly inFlight = new Set<string>();
  private timer: unknown;
  private running: Promise<void> | undefined;
  private lastChainTime: bigint | undefined;
  private readonly now: () => number;
  private readonly timers: BatchTimers;
  private readonly urgentSec: bigint;
  private readonly maxRetries: number;
  private closed = false;
  /** Keys settled (in a batch or alone) during the close in progress: one close runs at a time. */
  private readonly relayedInClose = new Set<string>();

  constructor(private readonly p: VerdictBatcherParameters) {
    this.now = p.now ?? Date.now;
    this.timers = p.timers ?? realTimers;
    this.urgentSec = BigInt(p.urgentSec ?? 60);
    this.maxRetries = p.maxRetries ?? 5;
  }

  /** Leaves waiting for their batch to close. */
  get size(): number {
    return this.pending.size;
  }

  /** Whether a shard is waiting or being settled by this batcher. */
  holds(jobId: bigint, shard: number): boolean {
    const key = `${jobId}:${shard}`;
    return this.pending.has(key) || this.inFlight.has(key);
  }

  /** Queues a decided shard (a shard already held is ignored). Closes a batch when it is full or the leaf urgent. */
  add(leaf: BatchLeaf): void {
    if (this.closed) return;
    const key = keyOf(leaf.verdict);
    if (this.pending.has(key) || this.inFlight.has(key)) return;
    this.pending.set(key, { leaf, addedAtMs: this.now(), retries: 0 });
    if (this.pending.size >= this.p.maxSize || this.isUrgent(leaf)) this.kick();
    else this.arm();
  }

  /** Closes every batch that is due now; resolves when the batches it started are done. */
  async poll(): Promise<void> {
    if (this.due()) this.kick();
    await this.running;
  }

  /** Closes what is pending at once, whatever its age (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.pending.size > 0 || this.running) await (this.running ?? this.start(true));
  }

  /** Stops the timer; leaves still pending stay unsettled (the sweep offers them again after a restart). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private isUrgent(leaf: BatchLeaf): boolean {
    return this.lastChainTime !== undefined && leaf.expiry - this.lastChainTime <= this.urgentSec;
  }

  private oldestMs(): number | undefined {
    for (const e of this.pending.values()) return e.addedAtMs;
    return undefined;
  }

  private due(): boolean {
    const oldest = this.oldestMs();
    if (oldest === undefined) return false;
    if (this.pending.size >= this.p.maxSize || this.now() - oldest >= this.p.maxDelayMs) return true;
    for (const e of this.pending.values()) if (this.isUrgent(e.leaf)) return true;
    return false;
  }

  /** Sets the timer for the oldest pending leaf's deadline (once; the drain re-arms it). */
  private arm(): void {
    if (this.closed || this.timer !== undefined || this.running) return;
    const oldest = this.oldestMs();
    if (oldest === undefined) return;
    const wait = Math.max(0, oldest + this.p.maxDelayMs - this.now());
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.kick();
    }, wait);
  }

  private kick(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    if (!this.running) this.start(false);
  }

  /**
   * Starts a drain and records it as the one running; when it ends, clears that record and re-arms
   * the timer. The clearing runs in a `finally` callback, which is always later than this assignment.
   * Old rule: the drain cleared `running` in its own `finally`, which runs synchronously when nothing
   * is due (a timer that fires a millisecond early): the caller then stored the finished drain as
   * running, every later kick saw a drain in progress, and the relay closed no batch again (each leaf
   * waited for its agent's own settle, a minute later).
   */
  private start(all: boolean): Promise<void> {
    const run: Promise<void> = this.drain(all).finally(() => {
      if (this.running === run) this.running = undefined;
      if (!this.closed) this.arm();
    });
    this.running = run;
    return run;
  }

  /** Closes due batches one after another until none is due (all, with `all`). */
  private async drain(all: boolean): Promise<void> {
    try {
      while (this.pending.size > 0 && (all || this.due())) await this.closeBatch();
    } catch (err) {
      this.p.logger.error({ err }, "verdict batch failed");
    }
  }

  /** Takes the oldest `maxSize` leaves and settles them (PROTOCOL §20.6). */
  private async closeBatch(): Promise<void> {
    this.relayedInClose.clear();
    const taken: Entry[] = [];
    for (const [key, entry] of this.pending) {
      if (taken.length >= this.p.maxSize) break;
      taken.push(entry);
      this.pending.delete(key);
      this.inFlight.add(key);
    }
    try {
      const chainNow = await this.p.chainTime();
      this.lastChainTime = chainNow;
      const urgent = taken.filter((e) => e.leaf.expiry - chainNow <= this.urgentSec);
      // Ordered by operator (then job, shard): the market credits consecutive leaves of one operator
      // once (PROTOCOL §20.4), so a batch sorted this way settles for the least gas.
      const batched = taken.filter((e) => e.leaf.expiry - chainNow > this.urgentSec).sort(byOperator);
      for (const e of urgent) await this.single(e.leaf);
      if (batched.length > 0) await this.settleBatched(batched);
    } catch (err) {
      // The chain or this node's signer failed the close (e.g. settleVerdicts' simulation reverted):
      // the leaves not settled go back to the queue like leaves peers lacked (at most maxRetries times,
      // then alone). Old rule: they were dropped, and a claim (no submission for the sweep to offer
      // again) then waited for its agent's own settle, a minute later under load.
      const left = taken.filter((e) => !this.relayedInClose.has(keyOf(e.leaf.verdict)));
      this.p.logger.warn(
        { err, leaves: taken.length, retried: left.length },
        "could not close a verdict batch; its leaves go back to the queue",
      );
      await this.retryLater(left);
    } finally {
      for (const e of taken) this.inFlight.delete(keyOf(e.leaf.verdict));
    }
  }

  private async single(leaf: BatchLeaf): Promise<boolean> {
    try {
      if (!(await this.p.settleSingle(leaf))) return false;
      this.p.metrics?.settlements.inc({ path: "single" });
      this.relayedInClose.add(keyOf(leaf.verdict));
      this.p.onRelayed([leaf]);
      return true;
    } catch (err) {
      this.p.logger.warn(
        { err, jobId: leaf.verdict.jobId.toString(), shard: leaf.verdict.shard },
        "single settlement failed; offered again later",
      );
      return false;
    }
  }

  /**
   * One batch (two gather rounds at most), then, once, a batch of the leaves it held back (`depth` 1):
   * another peer may hold what the co-signing peer lacked (in 2-of-3 any one peer will do).
   */
  private async settleBatched(entries: Entry[], depth = 0): Promise<void> {
    const threshold = await this.p.threshold();
    let attempt = entries;
    const heldBack: Entry[] = [];
    for (let round = 0; round < 2 && attempt.length > 0; round++) {
      const startedMs = this.now();
      const gathered = await this.gather(attempt.map((e) => e.leaf));
      if (gathered.signatures.length >= threshold) {
        await this.send(gathered.batch, gathered.signatures, attempt, threshold, {
          round,
          gatherMs: this.now() - startedMs,
          heldBack: heldBack.length,
        });
        // Old rule: the held-back leaves went back to the queue, a batch or more later each time the
        // peer chosen lacked them, and after maxRetries took the single path (a transaction each).
        if (depth === 0 && heldBack.length > 0) await this.settleBatched(heldBack, 1);
        else await this.retryLater(heldBack);
        return;
      }
      const drop = leavesToDrop(gathered.missingByPeer, threshold - gathered.signatures.length);
      if (drop === undefined) {
        // Too few peers answer batches at all (they refuse, or are unreachable): the single path.
        for (const e of attempt) await this.single(e.leaf);
        await this.retryLater(heldBack);
        return;
      }
      // Peers have not decided some leaves yet: without them, ask once more; they come back later.
      heldBack.push(...attempt.filter((e) => drop.has(keyOf(e.leaf.verdict))));
      attempt = attempt.filter((e) => !drop.has(keyOf(e.leaf.verdict)));
      this.p.logger.debug({ dropped: drop.size, left: attempt.length }, "peers lack some leaves; held back");
    }
    await this.retryLater([...heldBack, ...attempt]);
  }

  /**
   * Leaves the peers have not decided yet go back to the queue for a later batch (`maxDelayMs` from
   * now); one that has come back `maxRetries` times already takes the single path.
   */
  private async retryLater(entries: Entry[]): Promise<void> {
    for (const e of entries) {
      const key = keyOf(e.leaf.verdict);
      if (e.retries >= this.maxRetries || this.closed) {
        await this.single(e.leaf);
        continue;
      }
      this.inFlight.delete(key);
      this.pending.set(key, { leaf: e.leaf, addedAtMs: this.now(), retries: e.retries + 1 });
    }
  }

  /** This node's and every peer's signature over the batch of `leaves`, and the leaves peers lack. */
  private async gather(leaves: BatchLeaf[]) {
    const verdicts = leaves.map((l) => l.verdict);
    const expiry = leaves.reduce((min, l) => (l.expiry < min ? l.expiry : min), leaves[0].expiry);
    const batch: VerdictBatch = {
      market: this.p.market,
      verdictsRoot: verdictsRoot(verdicts),
      count: verdicts.length,
      expiry,
    };
    const signatures: SignerSignature[] = [
      { signer: this.p.signer.address, signature: await this.p.signer.sign(batch) },
    ];
    const request: VerdictBatchRequest = {
      market: this.p.market,
      expiry: expiry.toString(),
      verdicts: verdicts.map(shardVerdictToJson),
    };
    const missingByPeer: Set<string>[] = [];
    const answers = await Promise.allSettled(this.p.peers.map((peer) => peer.cosign(request)));
    for (const [i, answer] of answers.entries()) {
      if (answer.status === "rejected") {
        this.p.logger.debug({ peer: this.p.peers[i].url, err: answer.reason }, "peer did not co-sign the batch");
        continue;
      }
      const a = answer.value;
      if (a.status === "missing") {
        missingByPeer.push(new Set(a.missing.map((m) => `${m.jobId}:${m.shard}`)));
        continue;
      }
      if (a.root.toLowerCase() !== batch.verdictsRoot.toLowerCase()) continue;
      if (signatures.some((s) => BigInt(s.signer) === BigInt(a.signer))) continue;
      const recovered = await recoverVerdictBatchSigner(this.p.domain, batch, a.signature).catch(() => undefined);
      if (recovered === undefined || BigInt(recovered) !== BigInt(a.signer)) continue;
      if (this.p.isActiveSigner && !(await this.p.isActiveSigner(a.signer).catch(() => false))) continue;
      signatures.push({ signer: a.signer, signature: a.signature });
    }
    return { batch, signatures, missingByPeer };
  }

  private async send(
    batch: VerdictBatch,
    signatures: SignerSignature[],
    entries: Entry[],
    threshold: number,
    timing: { round: number; gatherMs: number; heldBack: number },
  ) {
    const sentMs = this.now();
    const chosen = [...signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).slice(0, threshold);
    const hash = await this.p.settleVerdicts(
      batch,
      sortSignaturesBySigner(chosen),
      entries.map((e) => e.leaf.verdict),
    );
    const oldest = Math.min(...entries.map((e) => e.addedAtMs));
    this.p.metrics?.batchLeaves.observe(entries.length);
    this.p.metrics?.batchLatencySeconds.observe((this.now() - oldest) / 1000);
    this.p.metrics?.settlements.inc({ path: "batch" }, entries.length);
    for (const e of entries) this.relayedInClose.add(keyOf(e.leaf.verdict));
    this.p.onRelayed(entries.map((e) => e.leaf));
    this.p.logger.info(
      {
        hash,
        leaves: entries.length,
        root: batch.verdictsRoot,
        // Where the oldest leaf's time went: queued until the batch closed, co-signatures, the transaction.
        oldestWaitedMs: sentMs - timing.gatherMs - oldest,
        ...timing,
        settleMs: this.now() - sentMs,
      },
      "settled a verdict batch",
    );
  }
}

/**
 * The leaves to drop so that `need` more peers can co-sign: the union of what the `need` peers lacking
 * the fewest leaves lack (a leaf only a lagging third peer lacks stays in a 2-of-3 batch). Undefined
 * when fewer than `need` peers answered with what they lack (the others refused).
 */
function leavesToDrop(missingByPeer: Set<string>[], need: number): Set<string> | undefined {
  if (need <= 0 || missingByPeer.length < need) return undefined;
  const fewest = [...missingByPeer].sort((a, b) => a.size - b.size).slice(0, need);
  const drop = new Set<string>();
  for (const m of fewest) for (const k of m) drop.add(k);
  return drop;
}

import type { Hex } from "viem";
import { RecentMap } from "../../sdk/memo/recentMap";

/** A job's `JobCreated` log as the oracle keeps it: the spec reference and the block it was in. */
export interface CachedSpecRef {
  specHash: Hex;
  specURI: string;
  /** The block of the job's `JobCreated` log. */
  block: bigint;
}

/**
 * A bounded, least-recently-used cache of jobs' spec references (PROTOCOL §20.3: the spec URI is
 * emitted, not stored), so that each job's creation log is read once per oracle. It also gives the
 * first block worth scanning for a job it does not hold: job ids are issued in order, so a job was
 * created in or after the block of any job with a smaller id.
 */
export class SpecRefCache {
  private readonly refs: RecentMap<bigint, CachedSpecRef>;

  /**
   * @param capacity the most jobs kept (the least recently used goes first).
   * @param floor the first block any job can be in (the market's deployment block).
   */
  constructor(
    readonly capacity: number,
    readonly floor: bigint,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be ≥ 1, not ${capacity}`);
    this.refs = new RecentMap(capacity);
  }

  get size(): number {
    return this.refs.size;
  }

  get(jobId: bigint): CachedSpecRef | undefined {
    return this.refs.get(jobId);
  }

  set(jobId: bigint, ref: CachedSpecRef): void {
    this.refs.set(jobId, ref);
  }

  /**
   * The first block `jobId`'s creation log can be in: the latest block of a held job with a smaller
   * id, else the floor. One pass over at most `capacity` entries: far cheaper than the RPC it bounds.
   */
  fromBlockOf(jobId: bigint): bigint {
    let from = this.floor;
    for (const [id, ref] of this.refs.entriesByAge()) if (id < jobId && ref.block > from) from = ref.block;
    return from;
  }
}

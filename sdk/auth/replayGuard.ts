/** Remembers signed requests until they go stale, so that each is accepted once. */
export interface ReplayGuard {
  /** True the first time `key` is claimed before it expires; false for a replay. */
  claim(key: string, expiresAt: number, now: number): boolean;
}

/**
 * An in-process {@link ReplayGuard}. Entries live only until their request would be stale anyway,
 * so memory is bounded by the request rate times the staleness window. A node that restarts
 * within the window forgets: an oracle that must refuse replays across restarts persists them.
 */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  claim(key: string, expiresAt: number, now: number): boolean {
    if (now >= this.nextSweep) {
      for (const [k, expiry] of this.seen) if (expiry < now) this.seen.delete(k);
      this.nextSweep = now + 10;
    }
    const expiry = this.seen.get(key);
    if (expiry !== undefined && expiry >= now) return false;
    this.seen.set(key, expiresAt);
    return true;
  }

  /** Entries held now (for metrics and tests). */
  get size(): number {
    return this.seen.size;
  }
}

/**
 * A {@link ReplayGuard} that lets a signed request repeat within its freshness window: for
 * idempotent reads only (an agent's results, PROTOCOL §14.3). Replaying such a read returns the
 * same bytes the signer was already allowed to fetch, while refusing it would fail honest clients
 * that fetch the same path twice in one second (the signed timestamp has one-second resolution).
 * Staleness and the signature are still checked.
 */
export class RepeatableReadGuard implements ReplayGuard {
  claim(): boolean {
    return true;
  }
}

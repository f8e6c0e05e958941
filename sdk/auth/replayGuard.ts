/** Remembers signed requests until they go stale, so that each is accepted once. */
export interface ReplayGuard {
  /** True the first time `key` is claimed before it expires; false for a replay. */
  claim(key: string, expiresAt: number, now: number): boolean;
}

/**
 * An in-process {@link ReplayGuard}. Entries live only until their request would be stale anyway,
 * so memory is bounded by the request rate times the staleness window. A node that restarts
 * within the window forgets: one that must refuse replays across restarts persists them
 * (`SqliteReplayGuard`, bounded, in ./sqliteReplayGuard.ts).
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

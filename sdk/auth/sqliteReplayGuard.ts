import type { SqliteDatabase } from "../db/openDatabase";
import { RigelError } from "../errors/RigelError";
import type { ReplayGuard } from "./replayGuard";

/** The schema of a {@link SqliteReplayGuard}'s own database (sdk/db `openDatabase` migrations). */
export const REPLAY_GUARD_MIGRATIONS = [
  `CREATE TABLE replay (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX replay_expires ON replay (expires_at);`,
] as const;

/** Default bound of a {@link SqliteReplayGuard}: requests remembered at once. */
export const DEFAULT_REPLAY_CAPACITY = 100_000;

/** The replay memory holds `capacity` live requests: a new one cannot be remembered, so it is refused. */
export class ReplayMemoryFullError extends RigelError {
  override readonly name = "ReplayMemoryFullError";
}

/**
 * A persistent, bounded {@link ReplayGuard} (PROTOCOL §4.2): a request accepted before a restart is
 * still refused after it, and at most `capacity` requests are remembered at once. Entries are
 * dropped once stale (swept every 10 s at most, and before refusing for lack of room); when the
 * memory is full of live entries a claim throws {@link ReplayMemoryFullError}
 * (`AUTH_REPLAY_MEMORY_FULL`) instead of forgetting one, so a replay is never let through.
 */
export class SqliteReplayGuard implements ReplayGuard {
  private readonly insert;
  private readonly sweepStmt;
  private readonly countStmt;
  private readonly liveStmt;
  private nextSweep = 0;
  private entries: number;

  constructor(
    db: SqliteDatabase,
    private readonly capacity = DEFAULT_REPLAY_CAPACITY,
  ) {
    this.insert = db.prepare(
      `INSERT INTO replay (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay.expires_at < ?`,
    );
    this.sweepStmt = db.prepare("DELETE FROM replay WHERE expires_at < ?");
    this.countStmt = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM replay");
    this.liveStmt = db.prepare<[string, number], { key: string }>(
      "SELECT key FROM replay WHERE key = ? AND expires_at >= ?",
    );
    this.entries = this.countStmt.get()!.n;
  }

  claim(key: string, expiresAt: number, now: number): boolean {
    if (now >= this.nextSweep) this.sweep(now);
    if (this.entries >= this.capacity) {
      this.sweep(now);
      if (this.entries >= this.capacity) {
        // A replay is still told so; only a new request finds no room.
        if (this.liveStmt.get(key, now)) return false;
        throw new ReplayMemoryFullError("AUTH_REPLAY_MEMORY_FULL", "too many recent requests to remember another", {
          details: { capacity: this.capacity },
        });
      }
    }
    const claimed = this.insert.run(key, expiresAt, now).changes === 1;
    // An expired key taken again counts twice until the next sweep: the bound errs on the safe side.
    if (claimed) this.entries++;
    return claimed;
  }

  /** Requests remembered now (for metrics and tests). */
  get size(): number {
    return this.entries;
  }

  private sweep(now: number): void {
    this.sweepStmt.run(now);
    this.entries = this.countStmt.get()!.n;
    this.nextSweep = now + 10;
  }
}

import type { ReplayGuard } from "../../sdk/auth/replayGuard";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";

/**
 * A {@link ReplayGuard} in the oracle's database, so that a request accepted before a restart is
 * still refused after it. Entries are dropped once stale (every 10 s at most).
 */
export class SqliteReplayGuard implements ReplayGuard {
  private readonly insert;
  private readonly sweep;
  private nextSweep = 0;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT INTO replay (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay.expires_at < ?`,
    );
    this.sweep = db.prepare("DELETE FROM replay WHERE expires_at < ?");
  }

  claim(key: string, expiresAt: number, now: number): boolean {
    if (now >= this.nextSweep) {
      this.sweep.run(now);
      this.nextSweep = now + 10;
    }
    return this.insert.run(key, expiresAt, now).changes === 1;
  }
}

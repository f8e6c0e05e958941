import type { Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";

/**
 * What the agent decided about a shard it saw in a JobCreated event:
 * `new` (to decide; also a shard refused for a passing reason, such as no free slot), `taken`
 * (journaled and accepted or being accepted), `declined` (policy said no: kept with the reason),
 * `gone` (no longer Open on-chain).
 */
export type OfferStatus = "new" | "taken" | "declined" | "gone";

export interface Offer {
  jobId: bigint;
  shard: number;
  specURI: string;
  /** The spec hash of the job's JobCreated event (null in rows written before it was kept). */
  specHash: Hex | null;
  status: OfferStatus;
  reason: string | null;
}

interface Row {
  job_id: string;
  shard: number;
  spec_uri: string;
  spec_hash: Hex | null;
  status: OfferStatus;
  reason: string | null;
}

const offerOf = (r: Row): Offer => ({
  jobId: BigInt(r.job_id),
  shard: r.shard,
  specURI: r.spec_uri,
  specHash: r.spec_hash,
  status: r.status,
  reason: r.reason,
});

/** The offers table of the journal database (migration 2 of JOURNAL_MIGRATIONS). */
export class Offers {
  private readonly insertStmt;
  private readonly setStmt;
  private readonly pendingStmt;
  private readonly countStmt;
  private readonly declinedStmt;
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.insertStmt = db.prepare(
      `INSERT INTO offers (job_id, shard, spec_uri, spec_hash, status, reason, updated_at)
       VALUES (?, ?, ?, ?, 'new', NULL, ?) ON CONFLICT (job_id, shard) DO NOTHING`,
    );
    this.setStmt = db.prepare(
      "UPDATE offers SET status = ?, reason = ?, updated_at = ? WHERE job_id = ? AND shard = ?",
    );
    this.pendingStmt = db.prepare<[number], Row>(
      "SELECT * FROM offers WHERE status = 'new' ORDER BY CAST(job_id AS INTEGER), shard LIMIT ?",
    );
    this.countStmt = db.prepare<[], { status: OfferStatus; n: number }>(
      "SELECT status, COUNT(*) AS n FROM offers GROUP BY status",
    );
    this.declinedStmt = db.prepare<[number], Row>(
      "SELECT * FROM offers WHERE status = 'declined' ORDER BY updated_at DESC LIMIT ?",
    );
  }

  /** Records a shard seen on-chain; seeing it again (a re-read log range) changes nothing. */
  add(jobId: bigint, shard: number, specURI: string, specHash: Hex | null, now = Date.now()): void {
    this.insertStmt.run(jobId.toString(), shard, specURI, specHash, now);
  }

  set(jobId: bigint, shard: number, status: OfferStatus, reason: string | null = null, now = Date.now()): void {
    this.setStmt.run(status, reason, now, jobId.toString(), shard);
  }

  /**
   * The offers of one batch of logs in one transaction (one commit, one fsync under
   * `synchronous = FULL`, instead of one per row): `added` recorded as {@link add} does, then `gone`
   * marked so with `reason`. Three agents each saw every JobCreated and ShardAssigned of the load, two
   * commits per job each.
   */
  record(
    added: readonly { jobId: bigint; shard: number; specURI: string; specHash: Hex | null }[],
    gone: readonly { jobId: bigint; shard: number }[],
    reason: string,
    now = Date.now(),
  ): void {
    if (added.length + gone.length === 0) return;
    this.db.transaction(() => {
      for (const o of added) this.add(o.jobId, o.shard, o.specURI, o.specHash, now);
      for (const o of gone) this.set(o.jobId, o.shard, "gone", reason, now);
    })();
  }

  /** At most `limit` offers still to decide, oldest job first (bounded work per loop pass). */
  pending(limit: number): Offer[] {
    return this.pendingStmt.all(limit).map(offerOf);
  }

  /** The `limit` offers declined last, newest first, with their reasons (`rigel agent status`). */
  recentDeclined(limit: number): Offer[] {
    return this.declinedStmt.all(limit).map(offerOf);
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.countStmt.all().map((r) => [r.status, r.n]));
  }
}

import type { SqliteDatabase } from "../../sdk/db/openDatabase";

export const DEFERRED_PROOF_MIGRATIONS = [
  `CREATE TABLE deferred_proofs (
     job_id      TEXT NOT NULL,
     shard       INTEGER NOT NULL,
     reason      TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     PRIMARY KEY (job_id, shard)
   )`,
] as const;

/**
 * Shards whose proof arrived in time and passed every check that does not need the executor (the
 * sample drawn from the beacon, the Merkle proofs), but whose re-run failed for a reason of this
 * node's own (ExecutorUnavailableError). Such a shard is never signed MISSING_REVEAL or LATE_REVEAL
 * by this node: the operator proved in time; a later retry is verified normally, and if the node
 * never manages to, the shard expires on-chain (refund, collateral back, no slash).
 */
export class DeferredProofStore {
  private readonly insertStmt;
  private readonly getStmt;

  constructor(db: SqliteDatabase) {
    this.insertStmt = db.prepare(
      `INSERT INTO deferred_proofs (job_id, shard, reason, received_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (job_id, shard) DO UPDATE SET reason = excluded.reason`,
    );
    this.getStmt = db.prepare<[string, number], { reason: string }>(
      "SELECT reason FROM deferred_proofs WHERE job_id = ? AND shard = ?",
    );
  }

  /** Records (idempotently) that a well-formed proof of the shard arrived in time and could not be re-run here. */
  defer(jobId: bigint, shard: number, reason: string, receivedAt: bigint): void {
    this.insertStmt.run(jobId.toString(), shard, reason, Number(receivedAt));
  }

  /** Whether the shard's proof arrived in time and was deferred. */
  has(jobId: bigint, shard: number): boolean {
    return this.getStmt.get(jobId.toString(), shard) !== undefined;
  }
}

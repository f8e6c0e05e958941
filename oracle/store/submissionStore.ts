import type { Address, Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";

/** A shard submission the watcher saw on-chain. */
export interface WatchedSubmission {
  jobId: bigint;
  shard: number;
  operator: Address;
  root: Hex;
  /** The submitted units (null for a row written before the column existed: read the chain). */
  units: bigint | null;
  block: bigint;
  final: boolean;
  relayed: boolean;
}

/** An open submission with its place in the sweep's order. */
export interface OpenSubmission extends WatchedSubmission {
  /** The row's insertion order: the sweep's cursor. */
  seq: number;
}

interface Row {
  seq: number;
  job_id: string;
  shard: number;
  operator: Address;
  root: Hex;
  units: string | null;
  block: string;
  final: number;
  relayed: number;
}

const toSubmission = (r: Row): OpenSubmission => ({
  seq: r.seq,
  jobId: BigInt(r.job_id),
  shard: r.shard,
  operator: r.operator,
  root: r.root,
  units: r.units === null ? null : BigInt(r.units),
  block: BigInt(r.block),
  final: r.final === 1,
  relayed: r.relayed === 1,
});

/** Submissions seen by the chain watcher, and whether each is final (settled, failed, expired) or relayed. */
export class SubmissionStore {
  private readonly upsert;
  private readonly finalStmt;
  private readonly relayedStmt;
  private readonly openStmt;
  private readonly getStmt;

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO submissions (job_id, shard, operator, root, units, block) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id, shard) DO UPDATE SET operator = excluded.operator, root = excluded.root,
         units = excluded.units, block = excluded.block`,
    );
    this.finalStmt = db.prepare(
      `INSERT INTO submissions (job_id, shard, operator, root, block, final) VALUES (?, ?, '', '', '0', 1)
       ON CONFLICT (job_id, shard) DO UPDATE SET final = 1`,
    );
    this.relayedStmt = db.prepare("UPDATE submissions SET relayed = 1 WHERE job_id = ? AND shard = ?");
    this.openStmt = db.prepare<[number, number], Row>(
      `SELECT rowid AS seq, * FROM submissions WHERE final = 0 AND relayed = 0 AND rowid > ?
       ORDER BY rowid LIMIT ?`,
    );
    this.getStmt = db.prepare<[string, number], Row>(
      "SELECT rowid AS seq, * FROM submissions WHERE job_id = ? AND shard = ? AND operator != ''",
    );
  }

  /** Records a `ShardSubmitted` (idempotent: the follower may hand the same log twice). */
  submitted(s: Omit<WatchedSubmission, "final" | "relayed" | "units"> & { units: bigint }): void {
    this.upsert.run(s.jobId.toString(), s.shard, s.operator, s.root, s.units.toString(), s.block.toString());
  }

  /** Records that a shard reached a final state. */
  finalised(jobId: bigint, shard: number): void {
    this.finalStmt.run(jobId.toString(), shard);
  }

  markRelayed(jobId: bigint, shard: number): void {
    this.relayedStmt.run(jobId.toString(), shard);
  }

  /** The shard's submission as the watcher saw it (no RPC); undefined when it has not seen one. */
  get(jobId: bigint, shard: number): WatchedSubmission | undefined {
    const row = this.getStmt.get(jobId.toString(), shard);
    return row ? toSubmission(row) : undefined;
  }

  /**
   * A page of the submissions not final and not relayed, in the order they were first seen, after
   * the cursor `afterSeq` (0: from the start). The sweep walks them a page per pass and wraps.
   */
  openAfter(afterSeq: number, limit: number): OpenSubmission[] {
    return this.openStmt.all(afterSeq, limit).map(toSubmission);
  }
}

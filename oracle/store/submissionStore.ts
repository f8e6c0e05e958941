import type { Address, Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";

/** A shard submission the watcher saw on-chain. */
export interface WatchedSubmission {
  jobId: bigint;
  shard: number;
  operator: Address;
  root: Hex;
  block: bigint;
  final: boolean;
  relayed: boolean;
}

interface Row {
  job_id: string;
  shard: number;
  operator: Address;
  root: Hex;
  block: string;
  final: number;
  relayed: number;
}

const toSubmission = (r: Row): WatchedSubmission => ({
  jobId: BigInt(r.job_id),
  shard: r.shard,
  operator: r.operator,
  root: r.root,
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

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO submissions (job_id, shard, operator, root, block) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job_id, shard) DO UPDATE SET operator = excluded.operator, root = excluded.root, block = excluded.block`,
    );
    this.finalStmt = db.prepare(
      `INSERT INTO submissions (job_id, shard, operator, root, block, final) VALUES (?, ?, '', '', '0', 1)
       ON CONFLICT (job_id, shard) DO UPDATE SET final = 1`,
    );
    this.relayedStmt = db.prepare("UPDATE submissions SET relayed = 1 WHERE job_id = ? AND shard = ?");
    this.openStmt = db.prepare<[number], Row>(
      "SELECT * FROM submissions WHERE final = 0 AND relayed = 0 ORDER BY CAST(block AS INTEGER) LIMIT ?",
    );
  }

  /** Records a `ShardSubmitted` (idempotent: the follower may hand the same log twice). */
  submitted(s: Omit<WatchedSubmission, "final" | "relayed">): void {
    this.upsert.run(s.jobId.toString(), s.shard, s.operator, s.root, s.block.toString());
  }

  /** Records that a shard reached a final state. */
  finalised(jobId: bigint, shard: number): void {
    this.finalStmt.run(jobId.toString(), shard);
  }

  markRelayed(jobId: bigint, shard: number): void {
    this.relayedStmt.run(jobId.toString(), shard);
  }

  /** The oldest submissions not final and not relayed (bounded: the main loop takes a page per pass). */
  open(limit: number): WatchedSubmission[] {
    return this.openStmt.all(limit).map(toSubmission);
  }
}

import type { Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";

/**
 * `proof_arrivals`; the former `deferred_proofs` (proofs deferred for this node's executor trouble)
 * fold into it: each was an in-time arrival, its time the chain time it was read at.
 */
export const PROOF_ARRIVAL_MIGRATIONS = [
  `CREATE TABLE proof_arrivals (
     job_id      TEXT NOT NULL,
     shard       INTEGER NOT NULL,
     root        TEXT,
     chain_time  INTEGER,
     received_at INTEGER NOT NULL,
     deferral    TEXT,
     PRIMARY KEY (job_id, shard)
   );
   INSERT INTO proof_arrivals (job_id, shard, root, chain_time, received_at, deferral)
     SELECT job_id, shard, NULL, received_at, 0, reason FROM deferred_proofs;
   DROP TABLE deferred_proofs;`,
] as const;

/** The first well-formed proof of a shard's operator that reached this node (PROTOCOL §18.3). */
export interface ProofArrival {
  jobId: bigint;
  shard: number;
  /** The submitted root the proof matched (null for an arrival carried over from `deferred_proofs`). */
  root: Hex | null;
  /** The chain time (latest block's timestamp) the node read when the proof arrived; null: unreadable then. */
  chainTime: bigint | null;
  /** This node's clock (Unix ms) at arrival, for logs. */
  receivedAt: number;
  /** Why the last verification of it could not finish here (this node's own trouble), if it could not. */
  deferral: string | null;
}

interface Row {
  job_id: string;
  shard: number;
  root: Hex | null;
  chain_time: number | null;
  received_at: number;
  deferral: string | null;
}

const toArrival = (r: Row): ProofArrival => ({
  jobId: BigInt(r.job_id),
  shard: r.shard,
  root: r.root,
  chainTime: r.chain_time === null ? null : BigInt(r.chain_time),
  receivedAt: r.received_at,
  deferral: r.deferral,
});

/**
 * Durable arrival records (PROTOCOL §18.3): written (`synchronous = FULL`) before a proof is queued or
 * verified, so that nothing that happens to this node afterwards — a spec it cannot read, an RPC
 * error, executor trouble, a full re-run queue, a restart — turns an operator's in-time proof into
 * `MISSING_REVEAL`. The sweep never signs `MISSING_REVEAL` for a shard with a record, and `LATE_REVEAL`
 * only when the recorded chain time is known and past the reveal deadline. One record per shard: the
 * first arrival stands; a proof refused for its own content (4xx) takes its record back
 * ({@link ProofArrivalStore.forget}), so the reveal deadline still applies to malformed proofs.
 */
export class ProofArrivalStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly deferStmt;
  private readonly forgetStmt;

  constructor(db: SqliteDatabase) {
    this.insertStmt = db.prepare(
      `INSERT INTO proof_arrivals (job_id, shard, root, chain_time, received_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job_id, shard) DO NOTHING`,
    );
    this.getStmt = db.prepare<[string, number], Row>("SELECT * FROM proof_arrivals WHERE job_id = ? AND shard = ?");
    this.deferStmt = db.prepare("UPDATE proof_arrivals SET deferral = ? WHERE job_id = ? AND shard = ?");
    this.forgetStmt = db.prepare("DELETE FROM proof_arrivals WHERE job_id = ? AND shard = ? AND received_at = ?");
  }

  /**
   * Records an arrival unless the shard has one. Returns the standing record and whether this call
   * created it.
   */
  record(
    a: { jobId: bigint; shard: number; root: Hex; chainTime: bigint | null },
    nowMs = Date.now(),
  ): { arrival: ProofArrival; created: boolean } {
    const created =
      this.insertStmt.run(
        a.jobId.toString(),
        a.shard,
        a.root.toLowerCase(),
        a.chainTime === null ? null : Number(a.chainTime),
        nowMs,
      ).changes === 1;
    return { arrival: this.get(a.jobId, a.shard)!, created };
  }

  /** The shard's arrival record, if a proof of its operator reached this node. */
  get(jobId: bigint, shard: number): ProofArrival | undefined {
    const row = this.getStmt.get(jobId.toString(), shard);
    return row ? toArrival(row) : undefined;
  }

  /** Notes why this node could not finish verifying the shard's proof (its own trouble). */
  defer(jobId: bigint, shard: number, reason: string): void {
    this.deferStmt.run(reason, jobId.toString(), shard);
  }

  /** Drops the record `arrival` (only that one): its proof was refused for its own content. */
  forget(arrival: ProofArrival): void {
    this.forgetStmt.run(arrival.jobId.toString(), arrival.shard, arrival.receivedAt);
  }
}

import type { Address, Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";

/**
 * A claim of an assigned, still Open shard (PROTOCOL §20.10): what the operator claimed, the nonce
 * this oracle drew for it, and, once a proof of it was found invalid, why it was refused.
 */
export interface ClaimRecord {
  market: Address;
  jobId: bigint;
  shard: number;
  operator: Address;
  resultRoot: Hex;
  units: bigint;
  /** 32 random bytes drawn on the shard's first claim: the claim beacon's block-hash stand-in. */
  nonce: Hex;
  /** The job's deadline (unix seconds): the expiry of a Valid attestation of the claim. */
  deadline: bigint;
  /** Unix ms when the claim was first stored. */
  createdAt: number;
  /** Set once a proof of the claim was found invalid: nothing was signed, the same refusal stands. */
  refusal: string | null;
}

/** A claim as the relay's claim sweep pages through them: with its place in the table. */
export interface OpenClaim extends ClaimRecord {
  seq: number;
}

export const CLAIM_MIGRATIONS = [
  `CREATE TABLE claims (
     market      TEXT NOT NULL,
     job_id      TEXT NOT NULL,
     shard       INTEGER NOT NULL,
     operator    TEXT NOT NULL,
     root        TEXT NOT NULL,
     units       TEXT NOT NULL,
     nonce       TEXT NOT NULL,
     deadline    TEXT NOT NULL,
     created_at  INTEGER NOT NULL,
     refusal     TEXT,
     PRIMARY KEY (market, job_id, shard)
   )`,
] as const;

/**
 * The relay's claim sweep (PROTOCOL §20.10): `done` once the claim's settlement went out from this
 * node, the shard reached a final state, or the job's deadline passed; the sweep pages through the
 * rest and offers their Valid decisions to the batcher again (a restarted relay lost its queue).
 */
export const CLAIM_SWEEP_MIGRATIONS = [
  `ALTER TABLE claims ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX claims_open ON claims (done, refusal);`,
] as const;

interface Row {
  market: string;
  job_id: string;
  shard: number;
  operator: string;
  root: string;
  units: string;
  nonce: string;
  deadline: string;
  created_at: number;
  refusal: string | null;
}

const toRecord = (r: Row): ClaimRecord => ({
  market: r.market as Address,
  jobId: BigInt(r.job_id),
  shard: r.shard,
  operator: r.operator as Address,
  resultRoot: r.root as Hex,
  units: BigInt(r.units),
  nonce: r.nonce as Hex,
  deadline: BigInt(r.deadline),
  createdAt: r.created_at,
  refusal: r.refusal,
});

/**
 * The oracle's durable claims (SQLite, `synchronous = FULL` like the decisions): one per (market,
 * job, shard), written before the claim is answered, so a restarted node answers the same nonce and
 * never draws a second beacon for a shard. Addresses and hashes are stored lower-case.
 */
export class ClaimStore {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly refuseStmt;
  private readonly doneStmt;
  private readonly openStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.doneStmt = db.prepare("UPDATE claims SET done = 1 WHERE market = ? AND job_id = ? AND shard = ?");
    this.openStmt = db.prepare<[string, number, number], Row & { seq: number }>(
      `SELECT rowid AS seq, * FROM claims WHERE done = 0 AND refusal IS NULL AND market = ? AND rowid > ?
       ORDER BY rowid LIMIT ?`,
    );
    this.getStmt = db.prepare<[string, string, number], Row>(
      "SELECT * FROM claims WHERE market = ? AND job_id = ? AND shard = ?",
    );
    this.insertStmt = db.prepare(
      `INSERT INTO claims (market, job_id, shard, operator, root, units, nonce, deadline, created_at, refusal)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    );
    this.refuseStmt = db.prepare(
      "UPDATE claims SET refusal = ? WHERE market = ? AND job_id = ? AND shard = ? AND refusal IS NULL",
    );
  }

  /** The shard's claim, if one was stored. */
  get(market: Address, jobId: bigint, shard: number): ClaimRecord | undefined {
    const row = this.getStmt.get(market.toLowerCase(), jobId.toString(), shard);
    return row ? toRecord(row) : undefined;
  }

  /**
   * Stores the claim unless the shard already has one; returns the stored claim either way (the
   * caller compares it with what was asked: another root or units is a conflict).
   */
  claim(c: Omit<ClaimRecord, "createdAt" | "refusal">, now = Date.now()): { record: ClaimRecord; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.get(c.market, c.jobId, c.shard);
      if (existing) return { record: existing, created: false };
      this.insertStmt.run(
        c.market.toLowerCase(),
        c.jobId.toString(),
        c.shard,
        c.operator.toLowerCase(),
        c.resultRoot.toLowerCase(),
        c.units.toString(),
        c.nonce.toLowerCase(),
        c.deadline.toString(),
        now,
      );
      return { record: this.get(c.market, c.jobId, c.shard)!, created: true };
    })();
  }

  /** Records why a proof of the claim was refused (the first reason stands); returns the standing reason. */
  refuse(market: Address, jobId: bigint, shard: number, reason: string): string | undefined {
    this.refuseStmt.run(reason, market.toLowerCase(), jobId.toString(), shard);
    return this.get(market, jobId, shard)?.refusal ?? undefined;
  }

  /** The claim needs no more relaying: its settlement went out, the shard is final, or its deadline passed. */
  markDone(market: Address, jobId: bigint, shard: number): void {
    this.doneStmt.run(market.toLowerCase(), jobId.toString(), shard);
  }

  /**
   * A page of the market's claims not done and not refused, in the order they were stored, after the
   * cursor `afterSeq` (0: from the start). The relay's claim sweep walks them a page per pass and wraps.
   */
  openAfter(market: Address, afterSeq: number, limit: number): OpenClaim[] {
    return this.openStmt.all(market.toLowerCase(), afterSeq, limit).map((r) => ({ ...toRecord(r), seq: r.seq }));
  }
}

import type { Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";
import { RigelError } from "../../sdk/errors/RigelError";

/** A persisted verdict: the EIP-712 digest this oracle agreed to sign for one subject. */
export interface Decision {
  subject: string;
  kind: "shard" | "capacity";
  digest: Hex;
  /** The attestation as JSON (bigints as strings), for `GET /v1/attestations`. */
  payload: string;
  signature: Hex | null;
  createdAt: number;
}

/** Refused: this oracle already decided differently for the subject; signing would be equivocation. */
export class EquivocationRefusedError extends RigelError {
  override readonly name = "EquivocationRefusedError";
}

export const DECISION_MIGRATIONS = [
  `CREATE TABLE decisions (
     subject    TEXT PRIMARY KEY,
     kind       TEXT NOT NULL CHECK (kind IN ('shard', 'capacity')),
     digest     TEXT NOT NULL,
     payload    TEXT NOT NULL,
     signature  TEXT,
     created_at INTEGER NOT NULL
   )`,
] as const;

interface Row {
  subject: string;
  kind: "shard" | "capacity";
  digest: Hex;
  payload: string;
  signature: Hex | null;
  created_at: number;
}

const toDecision = (r: Row): Decision => ({
  subject: r.subject,
  kind: r.kind,
  digest: r.digest,
  payload: r.payload,
  signature: r.signature,
  createdAt: r.created_at,
});

/**
 * The oracle's memory of what it decided. A decision is written (and committed to disk) before its
 * signature leaves the process; a second, different digest for the same subject is refused, across
 * restarts too. Signing the same digest again is allowed and returns the stored decision, so a
 * crash between deciding and answering costs nothing.
 */
export class DecisionStore {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly signStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.getStmt = db.prepare<[string], Row>("SELECT * FROM decisions WHERE subject = ?");
    this.insertStmt = db.prepare(
      "INSERT INTO decisions (subject, kind, digest, payload, signature, created_at) VALUES (?, ?, ?, ?, NULL, ?)",
    );
    this.signStmt = db.prepare("UPDATE decisions SET signature = ? WHERE subject = ? AND digest = ?");
  }

  /** The decision for a subject, if any. */
  get(subject: string): Decision | undefined {
    const row = this.getStmt.get(subject);
    return row ? toDecision(row) : undefined;
  }

  /**
   * Commit to `digest` for `subject`. Returns the stored decision (new, or the same digest decided
   * before). Throws EquivocationRefusedError when a different digest was decided for the subject.
   */
  decide(subject: string, kind: Decision["kind"], digest: Hex, payload: string, now = Date.now()): Decision {
    return this.db.transaction(() => {
      const existing = this.getStmt.get(subject);
      if (existing) {
        if (existing.digest.toLowerCase() !== digest.toLowerCase()) {
          throw new EquivocationRefusedError(
            "EQUIVOCATION_REFUSED",
            `already decided differently for ${subject}; refusing to sign a second verdict`,
            { details: { subject, decided: existing.digest, asked: digest } },
          );
        }
        return toDecision(existing);
      }
      this.insertStmt.run(subject, kind, digest, payload, now);
      return toDecision(this.getStmt.get(subject)!);
    })();
  }

  /** Record the signature over a decided digest (idempotent). */
  attachSignature(subject: string, digest: Hex, signature: Hex): void {
    const result = this.signStmt.run(signature, subject, digest);
    if (result.changes !== 1) {
      throw new RigelError("DECISION_MISSING", `no decision for ${subject} with digest ${digest}`, {
        details: { subject, digest },
      });
    }
  }
}

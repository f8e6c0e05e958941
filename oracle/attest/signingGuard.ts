import type { Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";
import { HttpError } from "../../sdk/errors/HttpError";
import type { Logger } from "../../sdk/log/createLogger";
import type { SignedDigestLog } from "./signedDigestLog";

/** This node's own signature found on-chain over a digest its log does not hold (PROTOCOL §18.5). */
export interface ForeignSignature {
  subject: string;
  digest: Hex;
  /** The transaction that carried it. */
  tx: Hex;
  block: bigint;
}

/** Every signature is refused: the node's record is older than the chain shows. */
export class SigningHaltedError extends HttpError {
  constructor(halt: ForeignSignature, subject: string) {
    super(
      503,
      "ORACLE_SIGNING_HALTED",
      `refusing to sign ${subject}: signing halted, this key signed ${halt.subject} on-chain (tx ${halt.tx}) over a digest the signed-digest log does not hold; restart with the log that holds it`,
      { details: { subject, haltedBy: halt.subject, digest: halt.digest, tx: halt.tx, block: halt.block.toString() } },
    );
  }
}

/** Findings of the chain check, kept so that a restart with the same log stays halted. */
export const SIGNING_GUARD_MIGRATION = `CREATE TABLE IF NOT EXISTS foreign_signatures (
  subject  TEXT NOT NULL,
  digest   TEXT NOT NULL,
  tx       TEXT NOT NULL,
  block    TEXT NOT NULL,
  found_at INTEGER NOT NULL,
  PRIMARY KEY (subject, digest)
)`;

/**
 * What stands before every signature the node makes (shard and capacity attestations, PROTOCOL
 * §18.5): a halt, when the chain showed this key's signature over a digest the log does not hold,
 * then the signed-digest log's check and append. A halt holds until the node is restarted with a
 * log that holds every digest found (the findings are kept in the node's database).
 */
export class SigningGuard {
  private halt: ForeignSignature | undefined;
  private readonly insert;

  constructor(
    readonly log: SignedDigestLog,
    db: SqliteDatabase,
    private readonly logger?: Logger,
  ) {
    db.exec(SIGNING_GUARD_MIGRATION);
    this.adoptDecisions(db);
    this.insert = db.prepare(
      "INSERT INTO foreign_signatures (subject, digest, tx, block, found_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    const found = db
      .prepare<[], { subject: string; digest: Hex; tx: Hex; block: string }>(
        "SELECT subject, digest, tx, block FROM foreign_signatures ORDER BY found_at",
      )
      .all();
    for (const f of found) {
      if (log.digestOf(f.subject) !== f.digest.toLowerCase()) {
        this.halt = { ...f, block: BigInt(f.block) };
        break;
      }
    }
    if (this.halt)
      logger?.error({ halt: this.halted() }, "signing halted: the signed-digest log is older than the chain");
  }

  /** Why signing is halted, as /healthz reports it; undefined while the node signs. */
  halted(): { subject: string; digest: Hex; tx: Hex; block: string; reason: string } | undefined {
    const h = this.halt;
    return (
      h && {
        ...h,
        block: h.block.toString(),
        reason: `this key's signature for ${h.subject} is on-chain (tx ${h.tx}) over a digest the signed-digest log does not hold: restart with the log that holds it`,
      }
    );
  }

  /**
   * The chain check saw this key's signature over `digest` for `subject`: fine when the log holds
   * it; otherwise the finding is kept and signing halts. Returns whether it halted.
   */
  sawOwnSignature(f: ForeignSignature): boolean {
    const digest = f.digest.toLowerCase() as Hex;
    if (this.log.digestOf(f.subject) === digest) return false;
    this.insert.run(f.subject, digest, f.tx, f.block.toString(), Date.now());
    if (!this.halt) {
      this.halt = { ...f, digest };
      this.logger?.error(
        { halt: this.halted() },
        "signing halted: this key's signature is on-chain over a digest the signed-digest log does not hold",
      );
    }
    return true;
  }

  /**
   * Before a signature over `digest` for `subject`.
   * @throws SigningHaltedError (503 `ORACLE_SIGNING_HALTED`) while halted.
   * @throws EquivocationRefusedError when the log holds another digest for the subject.
   */
  beforeSign(subject: string, digest: Hex): void {
    if (this.halt) throw new SigningHaltedError(this.halt, subject);
    this.log.record(subject, digest);
  }

  /**
   * Adds every decision of the node's database that the log lacks (a log started beside an existing
   * database: what the node decided before may have been signed), at construction. A subject the
   * log holds with another digest is left as the log has it, and reported. Returns the subjects added.
   */
  private adoptDecisions(db: SqliteDatabase): number {
    const rows = db.prepare<[], { subject: string; digest: Hex }>("SELECT subject, digest FROM decisions").all();
    const held = new Map(this.log.entries().map((e) => [e.subject, e.digest]));
    const missing = [];
    for (const r of rows) {
      const digest = r.digest.toLowerCase() as Hex;
      const logged = held.get(r.subject);
      if (logged === undefined) missing.push({ subject: r.subject, digest, at: Date.now() });
      else if (logged !== digest)
        this.logger?.warn(
          { subject: r.subject, logged, decided: digest },
          "the signed-digest log holds another digest than the database for a subject; the log's stands",
        );
    }
    return this.log.merge(missing);
  }
}

import { openDatabase, type SqliteDatabase } from "../../sdk/db/openDatabase";
import { CLAIM_MIGRATIONS, CLAIM_SWEEP_MIGRATIONS } from "./claimStore";
import { DECISION_MIGRATIONS } from "./decisionStore";
import { HEARTBEAT_MIGRATIONS } from "./heartbeatStore";
import { PROOF_ARRIVAL_MIGRATIONS } from "./proofArrivalStore";

/**
 * The oracle's schema: decisions (decisionStore.ts), watched submissions (submissionStore.ts),
 * capacity challenges, proof arrivals (proofArrivalStore.ts; the former deferred proofs fold into it),
 * operators' latest heartbeats (heartbeatStore.ts), claims of assigned shards (claimStore.ts).
 * Append only: migration i brings a database from version i to i + 1.
 */
export const ORACLE_MIGRATIONS = [
  ...DECISION_MIGRATIONS,
  `CREATE TABLE submissions (
     job_id        TEXT NOT NULL,
     shard         INTEGER NOT NULL,
     operator      TEXT NOT NULL,
     root          TEXT NOT NULL,
     block         TEXT NOT NULL,
     final         INTEGER NOT NULL DEFAULT 0,
     relayed       INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (job_id, shard)
   );
   CREATE INDEX submissions_open ON submissions (final, relayed);`,
  `CREATE TABLE challenges (
     challenge_id TEXT PRIMARY KEY,
     operator     TEXT NOT NULL,
     coordinator  TEXT NOT NULL,
     body         TEXT NOT NULL,
     created_at   INTEGER NOT NULL
   );
   CREATE INDEX challenges_operator ON challenges (operator, created_at);`,
  `CREATE TABLE operators (address TEXT PRIMARY KEY, seq INTEGER NOT NULL);`,
  // Historical: folded into proof_arrivals by PROOF_ARRIVAL_MIGRATIONS.
  `CREATE TABLE deferred_proofs (
     job_id      TEXT NOT NULL,
     shard       INTEGER NOT NULL,
     reason      TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     PRIMARY KEY (job_id, shard)
   )`,
  // The submitted units (ShardSubmitted), so a proof is matched against its submission without RPC.
  `ALTER TABLE submissions ADD COLUMN units TEXT`,
  ...PROOF_ARRIVAL_MIGRATIONS,
  ...HEARTBEAT_MIGRATIONS,
  ...CLAIM_MIGRATIONS,
  ...CLAIM_SWEEP_MIGRATIONS,
] as const;

/** Opens (and migrates) the oracle's SQLite database. */
export function openOracleDatabase(file: string): SqliteDatabase {
  return openDatabase({ file, migrations: ORACLE_MIGRATIONS });
}

export const REPLAY_MIGRATIONS = [
  `CREATE TABLE replay (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX replay_expiry ON replay (expires_at);`,
] as const;

/**
 * The replay memory, in its own file with `synchronous = OFF`: it survives a process crash (WAL),
 * and losing its last seconds to a power cut only re-admits requests that are idempotent anyway (a
 * decided shard is answered from the decision store), while an fsync per request would cap the
 * node's request rate.
 */
export function openReplayDatabase(file: string): SqliteDatabase {
  const db = openDatabase({ file, migrations: REPLAY_MIGRATIONS });
  db.pragma("synchronous = OFF");
  return db;
}

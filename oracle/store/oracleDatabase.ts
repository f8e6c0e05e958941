import { openDatabase, type SqliteDatabase } from "../../sdk/db/openDatabase";
import { DECISION_MIGRATIONS } from "./decisionStore";

/** The oracle's schema: decisions (decisionStore.ts), watched submissions, replay memory. */
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
   CREATE INDEX submissions_open ON submissions (final, relayed);
   CREATE TABLE replay (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX replay_expiry ON replay (expires_at);`,
  `CREATE TABLE challenges (
     challenge_id TEXT PRIMARY KEY,
     operator     TEXT NOT NULL,
     coordinator  TEXT NOT NULL,
     body         TEXT NOT NULL,
     created_at   INTEGER NOT NULL
   );
   CREATE INDEX challenges_operator ON challenges (operator, created_at);`,
] as const;

/** Opens (and migrates) the oracle's SQLite database. */
export function openOracleDatabase(file: string): SqliteDatabase {
  return openDatabase({ file, migrations: ORACLE_MIGRATIONS });
}

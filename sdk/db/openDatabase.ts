import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseParameters {
  /** File path, or ":memory:" for tests. Parent folders are created. */
  file: string;
  /** Ordered schema migrations; migration i brings the schema from version i to i + 1. */
  migrations: readonly string[];
}

/**
 * Open a service's SQLite database for crash safety: WAL journal, `synchronous = FULL` (a committed
 * transaction survives a kill -9 or a power cut), a busy timeout, foreign keys on, and every pending
 * migration applied in one transaction each (tracked in `PRAGMA user_version`).
 */
export function openDatabase({ file, migrations }: OpenDatabaseParameters): SqliteDatabase {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return db;
}

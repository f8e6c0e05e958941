import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { ensurePrivateDir, restrictFile } from "./privateFiles";

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseParameters {
  /** File path, or ":memory:" for tests. Parent folders are created (`0700`). */
  file: string;
  /** Ordered schema migrations; migration i brings the schema from version i to i + 1. */
  migrations: readonly string[];
}

/** The files SQLite keeps for a database in WAL mode: the main file, its write-ahead log and shared memory. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * Open a service's SQLite database for crash safety: WAL journal, `synchronous = FULL` (a committed
 * transaction survives a kill -9 or a power cut), a busy timeout, foreign keys on, and every pending
 * migration applied in one transaction each (tracked in `PRAGMA user_version`).
 * The database is the operator's alone: a folder it creates is `0700`, and the main file, `-wal`
 * and `-shm` are `0600` (created so, and narrowed when an older run left them wider).
 */
export function openDatabase({ file, migrations }: OpenDatabaseParameters): SqliteDatabase {
  const onDisk = file !== ":memory:" && file !== "";
  if (onDisk) {
    ensurePrivateDir(path.dirname(path.resolve(file)));
    // Created 0600 before SQLite opens it; SQLite gives -wal and -shm the main file's mode.
    fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
    restrictFile(file);
  }
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
  if (onDisk) for (const f of databaseFiles(file)) if (fs.existsSync(f)) restrictFile(f);
  return db;
}

import type { Address, Hex } from "viem";
import { openDatabase, type SqliteDatabase } from "../sdk/db/openDatabase";
import type { ResultFile, ResultsManifest } from "../sdk/agentApi/resultsManifest";

/** The index's schema (sdk/db migrations): one row per shard upload, one per file of it. */
export const STORE_MIGRATIONS = [
  `CREATE TABLE uploads (
     job_id TEXT NOT NULL, shard INTEGER NOT NULL,
     operator TEXT NOT NULL, root TEXT NOT NULL, manifest TEXT NOT NULL,
     bytes INTEGER NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
     announced_at INTEGER NOT NULL, completed_at INTEGER,
     PRIMARY KEY (job_id, shard));
   CREATE TABLE files (
     job_id TEXT NOT NULL, shard INTEGER NOT NULL, path TEXT NOT NULL,
     sha256 TEXT NOT NULL, size INTEGER NOT NULL, received INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (job_id, shard, path),
     FOREIGN KEY (job_id, shard) REFERENCES uploads (job_id, shard) ON DELETE CASCADE);
   CREATE INDEX files_sha256 ON files (sha256);
   CREATE INDEX uploads_pending ON uploads (complete, announced_at);`,
] as const;

/** One shard's upload as the index holds it. */
export interface StoredUpload {
  jobId: string;
  shard: number;
  operator: Address;
  root: Hex;
  manifest: ResultsManifest;
  bytes: number;
  complete: boolean;
  announcedAt: number;
  completedAt?: number;
}

interface UploadRow {
  job_id: string;
  shard: number;
  operator: string;
  root: string;
  manifest: string;
  bytes: number;
  complete: number;
  announced_at: number;
  completed_at: number | null;
}

/**
 * The store's SQLite index: which shard uploads were announced (a manifest signed by the shard's
 * operator) and which of their files arrived. The files themselves are blobs named by sha256
 * (store/blobStore.ts), so two shards with the same bytes share one.
 */
export class StoreIndex {
  readonly db: SqliteDatabase;

  constructor(file: string) {
    this.db = openDatabase({ file, migrations: STORE_MIGRATIONS });
  }

  close(): void {
    this.db.close();
  }

  get(jobId: string, shard: number): StoredUpload | undefined {
    const row = this.db.prepare("SELECT * FROM uploads WHERE job_id = ? AND shard = ?").get(jobId, shard) as
      UploadRow | undefined;
    if (!row) return undefined;
    return {
      jobId: row.job_id,
      shard: row.shard,
      operator: row.operator as Address,
      root: row.root as Hex,
      manifest: JSON.parse(row.manifest) as ResultsManifest,
      bytes: row.bytes,
      complete: row.complete === 1,
      announcedAt: row.announced_at,
      completedAt: row.completed_at ?? undefined,
    };
  }

  /** Records an announced upload (replacing an incomplete one of the same shard) and its files, none received. */
  announce(upload: Omit<StoredUpload, "complete" | "completedAt">): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM uploads WHERE job_id = ? AND shard = ?").run(upload.jobId, upload.shard);
      this.db
        .prepare(
          `INSERT INTO uploads (job_id, shard, operator, root, manifest, bytes, announced_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          upload.jobId,
          upload.shard,
          upload.operator,
          upload.root,
          JSON.stringify(upload.manifest),
          upload.bytes,
          upload.announcedAt,
        );
      const insert = this.db.prepare("INSERT INTO files (job_id, shard, path, sha256, size) VALUES (?, ?, ?, ?, ?)");
      for (const f of upload.manifest.files)
        insert.run(upload.jobId, upload.shard, f.path, f.sha256.toLowerCase(), f.size);
    })();
  }

  /** The manifest entry `path` of an announced upload, if it has one. */
  file(jobId: string, shard: number, path: string): (ResultFile & { received: boolean }) | undefined {
    const row = this.db
      .prepare("SELECT path, sha256, size, received FROM files WHERE job_id = ? AND shard = ? AND path = ?")
      .get(jobId, shard, path) as { path: string; sha256: Hex; size: number; received: number } | undefined;
    return row && { path: row.path, sha256: row.sha256, size: row.size, received: row.received === 1 };
  }

  /** Marks every file of the upload whose blob `has` holds as received; returns the paths still missing. */
  markReceived(jobId: string, shard: number, has: (sha256: Hex) => boolean): string[] {
    const rows = this.db
      .prepare("SELECT path, sha256 FROM files WHERE job_id = ? AND shard = ? AND received = 0")
      .all(jobId, shard) as { path: string; sha256: Hex }[];
    const mark = this.db.prepare("UPDATE files SET received = 1 WHERE job_id = ? AND shard = ? AND path = ?");
    const missing: string[] = [];
    this.db.transaction(() => {
      for (const r of rows) {
        if (has(r.sha256)) mark.run(jobId, shard, r.path);
        else missing.push(r.path);
      }
    })();
    return missing;
  }

  complete(jobId: string, shard: number, at: number): void {
    this.db
      .prepare("UPDATE uploads SET complete = 1, completed_at = ? WHERE job_id = ? AND shard = ?")
      .run(at, jobId, shard);
  }

  /** Drops an upload and its file rows; returns the sha256 of blobs no upload refers to any more. */
  drop(jobId: string, shard: number): Hex[] {
    const hashes = this.db
      .prepare("SELECT DISTINCT sha256 FROM files WHERE job_id = ? AND shard = ?")
      .all(jobId, shard) as { sha256: Hex }[];
    this.db.prepare("DELETE FROM uploads WHERE job_id = ? AND shard = ?").run(jobId, shard);
    const used = this.db.prepare("SELECT 1 FROM files WHERE sha256 = ? LIMIT 1");
    return hashes.map((h) => h.sha256).filter((h) => used.get(h) === undefined);
  }

  /** Incomplete uploads announced before `before` (unix s), at most `limit`. */
  expired(before: number, limit = 100): { jobId: string; shard: number }[] {
    return (
      this.db
        .prepare("SELECT job_id, shard FROM uploads WHERE complete = 0 AND announced_at < ? LIMIT ?")
        .all(before, limit) as { job_id: string; shard: number }[]
    ).map((r) => ({ jobId: r.job_id, shard: r.shard }));
  }

  /** Bytes of every upload, stored or announced (a shared blob counts once per upload). */
  totalBytes(): number {
    return (this.db.prepare("SELECT COALESCE(SUM(bytes), 0) AS n FROM uploads").get() as { n: number }).n;
  }

  counts(): { complete: number; pending: number } {
    const row = this.db.prepare("SELECT COALESCE(SUM(complete), 0) AS c, COUNT(*) AS n FROM uploads").get() as {
      c: number;
      n: number;
    };
    return { complete: row.c, pending: row.n - row.c };
  }
}

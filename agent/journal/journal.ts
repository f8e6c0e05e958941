import type { SqliteDatabase } from "../../sdk/db/openDatabase";
import { RigelError } from "../../sdk/errors/RigelError";
import type { ShardDataByState, ShardDataPatch } from "./shardData";

/**
 * A shard's life as the agent sees it. An "-ing" state is an intent, written before the action it
 * names (a transaction sent, a container started), so that a restart knows to check whether the
 * action happened before trying it again.
 */
export const SHARD_STATES = [
  "accepting",
  "accepted",
  "running",
  "ran",
  "submitting",
  "claiming",
  "submitted",
  "proving",
  "attested",
  "settling",
  "settled",
  "failed",
  "expired",
  "abandoned",
  "developerFault",
] as const;
export type ShardState = (typeof SHARD_STATES)[number];
export const TERMINAL_STATES: readonly ShardState[] = ["settled", "failed", "expired", "abandoned", "developerFault"];

/**
 * A shard's journal row. Narrowing on `state` (a `switch`) types `data` as that state's facts
 * (./shardData.ts): gathered so far (tx hashes, result root, units, item hashes…), merged at each step.
 */
export type JournalEntry<S extends ShardState = ShardState> = {
  [T in S]: { jobId: bigint; shard: number; state: T; data: ShardDataByState[T]; updatedAt: number };
}[S];

export class JournalConflictError extends RigelError {
  override readonly name = "JournalConflictError";
}

export const JOURNAL_MIGRATIONS = [
  `CREATE TABLE shards (
     job_id     TEXT NOT NULL,
     shard      INTEGER NOT NULL,
     state      TEXT NOT NULL,
     data       TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (job_id, shard)
   );
   CREATE INDEX shards_state ON shards (state);
   CREATE TABLE transitions (
     id         INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id     TEXT NOT NULL,
     shard      INTEGER NOT NULL,
     from_state TEXT,
     to_state   TEXT NOT NULL,
     data       TEXT NOT NULL,
     at         INTEGER NOT NULL
   );`,
  // Shards seen on-chain and what the agent decided about them (agent/journal/offers.ts).
  `CREATE TABLE offers (
     job_id     TEXT NOT NULL,
     shard      INTEGER NOT NULL,
     spec_uri   TEXT NOT NULL,
     status     TEXT NOT NULL,
     reason     TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (job_id, shard)
   );
   CREATE INDEX offers_status ON offers (status);`,
  // The spec hash from JobCreated: the market no longer stores it (PROTOCOL §20.3). Older rows: NULL.
  `ALTER TABLE offers ADD COLUMN spec_hash TEXT;`,
] as const;

interface Row {
  job_id: string;
  shard: number;
  state: ShardState;
  data: string;
  updated_at: number;
}

const encode = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? { $bigint: x.toString() } : x));
const decode = (s: string) =>
  JSON.parse(s, (_k, x) => (x && typeof x === "object" && typeof x.$bigint === "string" ? BigInt(x.$bigint) : x));

// The data is what the steps of docs/PROTOCOL.md §14.2 wrote, merged in order: its type is the state's.
const toEntry = (r: Row): JournalEntry =>
  ({
    jobId: BigInt(r.job_id),
    shard: r.shard,
    state: r.state,
    data: decode(r.data),
    updatedAt: r.updated_at,
  }) as JournalEntry;

/** The agent's crash-safe record of every shard it touches (SQLite, committed before each action). */
export class Journal {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly logStmt;
  private readonly unfinishedStmt;
  private readonly historyStmt;
  private readonly countStmt;

  /**
   * `afterTransition` is called with each committed move (dev-chain fault injection only:
   * agent/work/devCrash.ts kills the process there).
   */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly afterTransition?: (entry: JournalEntry) => void,
  ) {
    this.getStmt = db.prepare<[string, number], Row>("SELECT * FROM shards WHERE job_id = ? AND shard = ?");
    this.upsertStmt = db.prepare(
      `INSERT INTO shards (job_id, shard, state, data, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job_id, shard) DO UPDATE SET state = excluded.state, data = excluded.data,
       updated_at = excluded.updated_at`,
    );
    this.logStmt = db.prepare(
      "INSERT INTO transitions (job_id, shard, from_state, to_state, data, at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const terminal = TERMINAL_STATES.map((s) => `'${s}'`).join(",");
    this.unfinishedStmt = db.prepare<[], Row>(
      `SELECT * FROM shards WHERE state NOT IN (${terminal}) ORDER BY updated_at`,
    );
    this.historyStmt = db.prepare<
      [string, number],
      { from_state: ShardState | null; to_state: ShardState; at: number }
    >("SELECT from_state, to_state, at FROM transitions WHERE job_id = ? AND shard = ? ORDER BY id");
    this.countStmt = db.prepare<[], { state: ShardState; n: number }>(
      "SELECT state, COUNT(*) AS n FROM shards GROUP BY state",
    );
  }

  /** How many shards are in each state (for metrics and `status`). */
  countsByState(): Partial<Record<ShardState, number>> {
    return Object.fromEntries(this.countStmt.all().map((r) => [r.state, r.n]));
  }

  get(jobId: bigint, shard: number): JournalEntry | undefined {
    const row = this.getStmt.get(jobId.toString(), shard);
    return row ? toEntry(row) : undefined;
  }

  /**
   * Move a shard to `to`, merging `data` into what is known. With `from`, the move happens only when
   * the shard is in one of those states (`null` meaning "not yet journaled"); otherwise it throws
   * JournalConflictError and writes nothing. Committed to disk before it returns.
   */
  transition<T extends ShardState>(
    jobId: bigint,
    shard: number,
    to: T,
    data: ShardDataPatch = {},
    from?: readonly (ShardState | null)[],
    now = Date.now(),
  ): JournalEntry<T> {
    const entry = this.db.transaction(() => {
      const current = this.getStmt.get(jobId.toString(), shard);
      const currentState = current ? current.state : null;
      if (from && !from.includes(currentState)) {
        throw new JournalConflictError(
          "JOURNAL_CONFLICT",
          `shard ${jobId}/${shard} is ${currentState ?? "not journaled"}, expected ${from.map(String).join(" or ")}`,
          { details: { jobId, shard, state: currentState, expected: from, to } },
        );
      }
      if (currentState && TERMINAL_STATES.includes(currentState) && currentState !== to) {
        throw new JournalConflictError("JOURNAL_TERMINAL", `shard ${jobId}/${shard} already ended as ${currentState}`, {
          details: { jobId, shard, state: currentState, to },
        });
      }
      const merged = { ...(current ? decode(current.data) : {}), ...data };
      const encoded = encode(merged);
      this.upsertStmt.run(jobId.toString(), shard, to, encoded, now);
      this.logStmt.run(jobId.toString(), shard, currentState, to, encode(data), now);
      return { jobId, shard, state: to, data: merged, updatedAt: now } as JournalEntry<T>;
    })();
    this.afterTransition?.(entry as JournalEntry);
    return entry;
  }

  /** Every shard not yet in a terminal state, oldest first: what a restart must resume. */
  unfinished(): JournalEntry[] {
    return this.unfinishedStmt.all().map(toEntry);
  }

  /** The states a shard went through, in order. */
  history(jobId: bigint, shard: number): { from: ShardState | null; to: ShardState; at: number }[] {
    return this.historyStmt.all(jobId.toString(), shard).map((r) => ({ from: r.from_state, to: r.to_state, at: r.at }));
  }
}

import type { Address } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";
import type { Heartbeat, ReceivedHeartbeat } from "../../sdk/liveness/heartbeat";

/** The `heartbeats` table: the latest heartbeat of each operator (PROTOCOL §12.6). */
export const HEARTBEAT_MIGRATIONS = [
  `CREATE TABLE heartbeats (
     operator    TEXT PRIMARY KEY,
     body        TEXT NOT NULL,
     received_at INTEGER NOT NULL
   );
   CREATE INDEX heartbeats_received ON heartbeats (received_at);`,
] as const;

/** Rows kept at most: past it, the operator heard from longest ago is dropped. */
export const MAX_STORED_HEARTBEATS = 10_000;

interface Row {
  operator: string;
  body: string;
  received_at: number;
}

const toReceived = (r: Row): ReceivedHeartbeat => ({
  ...(JSON.parse(r.body) as Heartbeat),
  receivedAt: r.received_at,
});

/**
 * The latest heartbeat per operator, upserted; bounded to `maxRows` rows (the signer must be a
 * registered operator, so the bound is only reached by a very large network; the oldest goes first).
 */
export class HeartbeatStore {
  private readonly upsertStmt;
  private readonly countStmt;
  private readonly evictStmt;
  private readonly getStmt;
  private readonly allStmt;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly maxRows = MAX_STORED_HEARTBEATS,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO heartbeats (operator, body, received_at) VALUES (?, ?, ?)
       ON CONFLICT (operator) DO UPDATE SET body = excluded.body, received_at = excluded.received_at`,
    );
    this.countStmt = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM heartbeats");
    this.evictStmt = db.prepare(
      `DELETE FROM heartbeats WHERE operator IN
         (SELECT operator FROM heartbeats ORDER BY received_at ASC LIMIT ?)`,
    );
    this.getStmt = db.prepare<[string], Row>("SELECT * FROM heartbeats WHERE operator = ?");
    this.allStmt = db.prepare<[], Row>("SELECT * FROM heartbeats ORDER BY operator");
  }

  /** Stores `heartbeat` as its operator's latest, received at `receivedAt` (Unix seconds). */
  put(heartbeat: Heartbeat, receivedAt: number): void {
    this.db.transaction(() => {
      this.upsertStmt.run(heartbeat.operator.toLowerCase(), JSON.stringify(heartbeat), receivedAt);
      const excess = this.countStmt.get()!.n - this.maxRows;
      if (excess > 0) this.evictStmt.run(excess);
    })();
  }

  /** The operator's latest heartbeat, if this oracle ever received one. */
  get(operator: Address): ReceivedHeartbeat | undefined {
    const row = this.getStmt.get(operator.toLowerCase());
    return row ? toReceived(row) : undefined;
  }

  /** Every stored heartbeat (at most `maxRows`). */
  all(): ReceivedHeartbeat[] {
    return this.allStmt.all().map(toReceived);
  }
}

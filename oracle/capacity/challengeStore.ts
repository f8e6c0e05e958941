import type { Address, Hex } from "viem";
import type { SqliteDatabase } from "../../sdk/db/openDatabase";
import type { CapacityChallengeJson } from "../../sdk/oracleApi/types";

/** A challenge as this node keeps it: the public part, plus what only this node knows or saw. */
export interface StoredChallenge {
  challenge: CapacityChallengeJson;
  /** The nonce (coordinator only, until revealed). */
  nonce?: Hex;
  /** The root and when this node received it (its own clock). */
  root?: Hex;
  rootAtMs?: number;
  /** When this node received the challenge (a peer witnesses the coordinator's timing with it). */
  seenAtMs: number;
}

/** Capacity challenges, issued (coordinator) or witnessed (peer), in SQLite. */
export class ChallengeStore {
  private readonly put;
  private readonly getStmt;
  private readonly listStmt;
  private readonly countOperatorStmt;
  private readonly countCoordinatorStmt;
  private readonly pruneStmt;

  constructor(db: SqliteDatabase) {
    this.put = db.prepare(
      `INSERT INTO challenges (challenge_id, operator, coordinator, body, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (challenge_id) DO UPDATE SET body = excluded.body`,
    );
    this.getStmt = db.prepare<[string], { body: string }>("SELECT body FROM challenges WHERE challenge_id = ?");
    this.listStmt = db.prepare<[string, string], { body: string }>(
      "SELECT body FROM challenges WHERE operator = ? AND coordinator = ? ORDER BY created_at DESC LIMIT 100",
    );
    this.countOperatorStmt = db.prepare<[string, string, number], { n: number }>(
      "SELECT COUNT(*) AS n FROM challenges WHERE operator = ? AND coordinator = ? AND created_at >= ?",
    );
    this.countCoordinatorStmt = db.prepare<[string, number], { n: number }>(
      "SELECT COUNT(*) AS n FROM challenges WHERE coordinator = ? AND created_at >= ?",
    );
    this.pruneStmt = db.prepare<[number]>("DELETE FROM challenges WHERE created_at < ?");
  }

  /** Challenges `coordinator` issued (or this node witnessed from it) since `sinceMs`; to one operator when given. */
  countSince(coordinator: Address, sinceMs: number, operator?: Address): number {
    const row = operator
      ? this.countOperatorStmt.get(operator.toLowerCase(), coordinator.toLowerCase(), sinceMs)
      : this.countCoordinatorStmt.get(coordinator.toLowerCase(), sinceMs);
    return row?.n ?? 0;
  }

  /** Forgets every challenge created before `beforeMs`; returns how many went. */
  prune(beforeMs: number): number {
    return this.pruneStmt.run(beforeMs).changes;
  }

  save(s: StoredChallenge): void {
    this.put.run(
      s.challenge.challengeId,
      s.challenge.operator.toLowerCase(),
      s.challenge.coordinator.toLowerCase(),
      JSON.stringify(s),
      s.seenAtMs,
    );
  }

  get(challengeId: Hex): StoredChallenge | undefined {
    const row = this.getStmt.get(challengeId.toLowerCase());
    return row ? (JSON.parse(row.body) as StoredChallenge) : undefined;
  }

  /** The newest 100 challenges `coordinator` issued to `operator`. */
  issuedTo(operator: Address, coordinator: Address): StoredChallenge[] {
    return this.listStmt
      .all(operator.toLowerCase(), coordinator.toLowerCase())
      .map((r) => JSON.parse(r.body) as StoredChallenge);
  }
}

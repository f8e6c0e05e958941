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

  constructor(db: SqliteDatabase) {
    this.put = db.prepare(
      `INSERT INTO challenges (challenge_id, operator, coordinator, body, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (challenge_id) DO UPDATE SET body = excluded.body`,
    );
    this.getStmt = db.prepare<[string], { body: string }>("SELECT body FROM challenges WHERE challenge_id = ?");
    this.listStmt = db.prepare<[string, string], { body: string }>(
      "SELECT body FROM challenges WHERE operator = ? AND coordinator = ? ORDER BY created_at DESC LIMIT 100",
    );
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

import type { Abi, Address, Log, PublicClient } from "viem";
import { RigelError } from "../errors/RigelError";
import type { SqliteDatabase } from "../db/openDatabase";

/** Where a follower has read up to, kept across restarts. */
export interface CursorStore {
  get(name: string): bigint | undefined;
  set(name: string, block: bigint): void;
}

export const CURSOR_MIGRATION = `CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, block TEXT NOT NULL)`;

/** A CursorStore in a service's SQLite database (the table comes from CURSOR_MIGRATION). */
export function sqliteCursorStore(db: SqliteDatabase): CursorStore {
  db.exec(CURSOR_MIGRATION);
  const get = db.prepare<[string], { block: string }>("SELECT block FROM cursors WHERE name = ?");
  const set = db.prepare(
    "INSERT INTO cursors (name, block) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block",
  );
  return {
    get: (name) => {
      const row = get.get(name);
      return row ? BigInt(row.block) : undefined;
    },
    set: (name, block) => void set.run(name, block.toString()),
  };
}

export class ChainReadError extends RigelError {
  override readonly name = "ChainReadError";
}

export interface LogFollowerParameters {
  /** Cursor name, unique per follower in a database. */
  name: string;
  client: PublicClient;
  address: Address | Address[];
  /** The events to follow (an ABI holding them). */
  events: Abi;
  cursor: CursorStore;
  /** First block to read when no cursor is stored. */
  startBlock: bigint;
  /** Most blocks per getLogs call. */
  maxRange?: bigint;
  /** Blocks to stay behind the head (0 on a local dev chain). */
  confirmations?: bigint;
  /** Handles the logs of one range, in chain order. The cursor moves only after it resolves. */
  onLogs: (logs: Log[], range: { from: bigint; to: bigint }) => Promise<void>;
}

/**
 * Follows contract events by polling `eth_getLogs` over block ranges, with the position kept in a
 * cursor store: a restart resumes where it left off, an RPC error leaves the cursor where it was (the
 * next `poll` retries the same range), and a handler that throws sees the same logs again.
 * Handlers must therefore be idempotent.
 */
export class LogFollower {
  private readonly maxRange: bigint;
  private readonly confirmations: bigint;
  /** The last block handled, for lag metrics. */
  lastBlock: bigint | undefined;
  /** The chain head seen by the last poll. */
  head: bigint | undefined;

  constructor(private readonly p: LogFollowerParameters) {
    this.maxRange = p.maxRange ?? 2000n;
    this.confirmations = p.confirmations ?? 0n;
    this.lastBlock = p.cursor.get(p.name);
  }

  /** Read and handle everything up to the (confirmed) head. Returns the number of logs handled. */
  async poll(): Promise<number> {
    let head: bigint;
    try {
      head = await this.p.client.getBlockNumber({ cacheTime: 0 });
    } catch (err) {
      throw new ChainReadError("RPC_UNAVAILABLE", "could not read the chain head", { cause: err });
    }
    this.head = head;
    const target = head - this.confirmations;
    let handled = 0;
    let from = this.lastBlock === undefined ? this.p.startBlock : this.lastBlock + 1n;
    while (from <= target) {
      const to = from + this.maxRange - 1n < target ? from + this.maxRange - 1n : target;
      let logs: Log[];
      try {
        logs = await this.p.client.getLogs({
          address: this.p.address,
          events: this.p.events.filter((e) => e.type === "event"),
          fromBlock: from,
          toBlock: to,
          strict: true,
        } as Parameters<PublicClient["getLogs"]>[0]);
      } catch (err) {
        throw new ChainReadError("RPC_UNAVAILABLE", `getLogs ${from}..${to} failed`, {
          cause: err,
          details: { from, to },
        });
      }
      logs.sort((a, b) =>
        a.blockNumber === b.blockNumber
          ? (a.logIndex ?? 0) - (b.logIndex ?? 0)
          : Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n)),
      );
      await this.p.onLogs(logs, { from, to });
      this.p.cursor.set(this.p.name, to);
      this.lastBlock = to;
      handled += logs.length;
      from = to + 1n;
    }
    return handled;
  }
}

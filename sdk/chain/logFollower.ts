import type { Abi, Address, Hex, Log, PublicClient } from "viem";
import { RigelError } from "../errors/RigelError";
import type { SqliteDatabase } from "../db/openDatabase";

/** How far back a follower looks for the block where a reorganised chain meets what it handled. */
export const REORG_DEPTH = 128n;

/** A block the follower handled, with the hash it had then. */
export interface HandledBlock {
  block: bigint;
  hash: Hex;
}

/**
 * Where a follower has read up to, kept across restarts, with the hashes of the last blocks it
 * handled (to notice a reorg after a restart too).
 */
export interface CursorStore {
  get(name: string): bigint | undefined;
  /**
   * Moves the cursor to `block` (forward, or back after a reorg) and forgets the hashes recorded
   * above it; records `hash` as `block`'s when given. Keeps the hashes of the last REORG_DEPTH blocks.
   */
  set(name: string, block: bigint, hash?: Hex): void;
  /** The recorded hashes of handled blocks, newest first (empty for a cursor from before they were kept). */
  recent?(name: string): HandledBlock[];
}

export const CURSOR_MIGRATION = `CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, block TEXT NOT NULL)`;
/** The block hashes beside the cursors: a second table, so an existing `cursors` table keeps working as is. */
export const CURSOR_HASHES_MIGRATION = `CREATE TABLE IF NOT EXISTS cursor_hashes (
  name  TEXT NOT NULL,
  block INTEGER NOT NULL,
  hash  TEXT NOT NULL,
  PRIMARY KEY (name, block)
)`;

/** A CursorStore in a service's SQLite database (tables from CURSOR_MIGRATION and CURSOR_HASHES_MIGRATION, created when missing). */
export function sqliteCursorStore(db: SqliteDatabase): CursorStore {
  db.exec(CURSOR_MIGRATION);
  db.exec(CURSOR_HASHES_MIGRATION);
  const get = db.prepare<[string], { block: string }>("SELECT block FROM cursors WHERE name = ?");
  const set = db.prepare(
    "INSERT INTO cursors (name, block) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block",
  );
  const forgetAbove = db.prepare("DELETE FROM cursor_hashes WHERE name = ? AND (block > ? OR block < ?)");
  const record = db.prepare(
    "INSERT INTO cursor_hashes (name, block, hash) VALUES (?, ?, ?) ON CONFLICT (name, block) DO UPDATE SET hash = excluded.hash",
  );
  const recent = db.prepare<[string, number], { block: number | bigint; hash: Hex }>(
    "SELECT block, hash FROM cursor_hashes WHERE name = ? ORDER BY block DESC LIMIT ?",
  );
  const move = db.transaction((name: string, block: bigint, hash: Hex | undefined) => {
    set.run(name, block.toString());
    forgetAbove.run(name, block, block - REORG_DEPTH);
    if (hash !== undefined) record.run(name, block, hash);
  });
  return {
    get: (name) => {
      const row = get.get(name);
      return row ? BigInt(row.block) : undefined;
    },
    set: (name, block, hash) => void move(name, block, hash),
    recent: (name) =>
      recent.all(name, Number(REORG_DEPTH)).map((r) => ({ block: BigInt(r.block), hash: r.hash.toLowerCase() as Hex })),
  };
}

/**
 * The `confirmations` a follower keeps behind the head: the configured value when ≥ 0, else (auto,
 * -1) 0 on the local dev chain 31337 and 3 elsewhere (docs/PROTOCOL.md §18.4).
 */
export function confirmationsFor(setting: number, chainId: number): bigint {
  if (setting >= 0) return BigInt(setting);
  return chainId === 31337 ? 0n : 3n;
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
  /** Blocks to stay behind the head (0 on a local dev chain; see {@link confirmationsFor}). */
  confirmations?: bigint;
  /** Handles the logs of one range, in chain order. The cursor moves only after it resolves. */
  onLogs: (logs: Log[], range: { from: bigint; to: bigint }) => Promise<void>;
  /** Told when a reorg moved the cursor back (`from`: the block handled last, `to`: where reading resumes after). */
  onReorg?: (reorg: { from: bigint; to: bigint }) => void;
}

/**
 * Follows contract events by polling `eth_getLogs` over block ranges, with the position kept in a
 * cursor store: a restart resumes where it left off, an RPC error leaves the cursor where it was (the
 * next `poll` retries the same range), and a handler that throws sees the same logs again.
 * Handlers must therefore be idempotent.
 *
 * It stays `confirmations` blocks behind the head and notices reorgs (docs/PROTOCOL.md §18.4): it
 * records the hash of the last block of every range it handles; each poll first compares the
 * chain's block at the cursor with the recorded hash and, when they differ, walks back through the
 * recorded hashes (at most REORG_DEPTH blocks) to the newest block the chain still has, moves the
 * cursor there and reads the rest again, so the logs of the new branch are handed over (the
 * handlers being idempotent, a log seen twice is harmless). A reorg deeper than what it recorded
 * resumes REORG_DEPTH blocks back.
 */
export class LogFollower {
  private readonly maxRange: bigint;
  private readonly confirmations: bigint;
  /** Recorded hashes of handled blocks, newest first (at most REORG_DEPTH blocks back). */
  private recent: HandledBlock[];
  /** The last block handled, for lag metrics. */
  lastBlock: bigint | undefined;
  /** The chain head seen by the last poll. */
  head: bigint | undefined;
  /** Reorgs noticed since start. */
  reorgs = 0;

  constructor(private readonly p: LogFollowerParameters) {
    this.maxRange = p.maxRange ?? 2000n;
    this.confirmations = p.confirmations ?? 0n;
    this.lastBlock = p.cursor.get(p.name);
    this.recent = p.cursor.recent?.(p.name) ?? [];
  }

  /** The chain's hash of block `n` now; undefined when the chain has no such block (it got shorter). */
  private async hashAt(n: bigint, head: bigint): Promise<Hex | undefined> {
    if (n > head) return undefined;
    try {
      const block = await this.p.client.getBlock({ blockNumber: n });
      return block.hash?.toLowerCase() as Hex | undefined;
    } catch (err) {
      throw new ChainReadError("RPC_UNAVAILABLE", `could not read block ${n}`, { cause: err, details: { block: n } });
    }
  }

  /** Compares the chain with the recorded hashes; after a reorg moves the cursor back to where they meet. */
  private async checkReorg(head: bigint): Promise<void> {
    const last = this.lastBlock;
    const top = this.recent[0];
    if (last === undefined || top === undefined || top.block !== last) return;
    if ((await this.hashAt(top.block, head)) === top.hash) return;
    let resume: HandledBlock | undefined;
    for (const handled of this.recent.slice(1)) {
      if (last - handled.block > REORG_DEPTH) break;
      if ((await this.hashAt(handled.block, head)) === handled.hash) {
        resume = handled;
        break;
      }
    }
    const floor = this.p.startBlock - 1n;
    const back = resume?.block ?? (last - REORG_DEPTH > floor ? last - REORG_DEPTH : floor);
    this.recent = this.recent.filter((h) => h.block <= back);
    this.p.cursor.set(this.p.name, back, resume?.hash);
    this.lastBlock = back < this.p.startBlock ? undefined : back;
    this.reorgs++;
    this.p.onReorg?.({ from: last, to: back });
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
    await this.checkReorg(head);
    const target = head - this.confirmations;
    let handled = 0;
    let from = this.lastBlock === undefined ? this.p.startBlock : this.lastBlock + 1n;
    while (from <= target) {
      const to = from + this.maxRange - 1n < target ? from + this.maxRange - 1n : target;
      // The hash is read before the logs: if the chain changes in between, the next poll sees the
      // recorded hash gone and reads the range again.
      const hash = await this.hashAt(to, head);
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
      this.p.cursor.set(this.p.name, to, hash);
      if (hash !== undefined) {
        this.recent.unshift({ block: to, hash });
        this.recent = this.recent.filter((h) => to - h.block <= REORG_DEPTH);
      }
      this.lastBlock = to;
      handled += logs.length;
      from = to + 1n;
    }
    return handled;
  }
}

import type { ContainerLogLine } from "../../sdk/executor/dockerClient";

/** One line of a shard's live log as the logs route sends it (PROTOCOL §14.11). */
export interface ShardLogLine {
  /** 0, 1, 2, …: the line's place in the shard's log. */
  seq: number;
  stream: "stdout" | "stderr";
  /** The item's index for itemised jobs (job-wide), null for a single run. */
  item: number | null;
  text: string;
}

/** A shard's log: the lines so far, and whether its run has ended. */
interface ShardLog {
  lines: ShardLogLine[];
  bytes: number;
  ended: boolean;
  truncated: boolean;
  listeners: Set<(event: { line?: ShardLogLine; ended?: true }) => void>;
}

/** The journal phases of a shard's run: the live log ends when the shard leaves them. */
const RUN_PHASES = new Set(["running", "compute", "generate"]);

/**
 * The live logs of the shards this agent runs (PROTOCOL §14.11): every line a shard's containers
 * write (sdk/executor `onLog`, already cut at the sandbox's `logBytes` per container), kept per
 * shard up to `maxBytes` in all, handed to whoever follows it, and ended when the shard's run ends
 * (its journal phase leaves `running`). The logs of the last `keepEnded` ended runs are kept for a
 * late reader; older ones are dropped.
 */
export class ShardLogHub {
  private readonly logs = new Map<string, ShardLog>();

  constructor(
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly keepEnded = 32,
  ) {}

  private static key(jobId: bigint, shard: number): string {
    return `${jobId}/${shard}`;
  }

  /** The shard's log, when the agent ran or runs it since it started. */
  get(
    jobId: bigint,
    shard: number,
  ): { lines: readonly ShardLogLine[]; ended: boolean; truncated: boolean } | undefined {
    return this.logs.get(ShardLogHub.key(jobId, shard));
  }

  /** The shard's journal phase changed: `running` opens its log afresh, leaving the run phases ends it. */
  phase(jobId: bigint, shard: number, phase: string): void {
    const key = ShardLogHub.key(jobId, shard);
    const log = this.logs.get(key);
    if (phase === "running" && (!log || log.ended)) {
      this.logs.delete(key);
      this.logs.set(key, { lines: [], bytes: 0, ended: false, truncated: false, listeners: new Set() });
      return;
    }
    if (log && !log.ended && !RUN_PHASES.has(phase)) this.end(jobId, shard);
  }

  /** A container line of the shard (its log opened if it was not: a run reattached after a restart). */
  append(jobId: bigint, shard: number, line: Pick<ContainerLogLine, "stream" | "text" | "item">): void {
    const key = ShardLogHub.key(jobId, shard);
    let log = this.logs.get(key);
    if (!log || log.ended) {
      this.phase(jobId, shard, "running");
      log = this.logs.get(key)!;
    }
    if (log.truncated) return;
    const size = Buffer.byteLength(line.text, "utf8") + 1;
    let entry: ShardLogLine;
    if (log.bytes + size > this.maxBytes) {
      log.truncated = true;
      entry = {
        seq: log.lines.length,
        stream: "stderr",
        item: null,
        text: `[rigel] log cut at ${this.maxBytes} bytes`,
      };
    } else {
      log.bytes += size;
      entry = { seq: log.lines.length, stream: line.stream, item: line.item, text: line.text };
    }
    log.lines.push(entry);
    for (const listener of log.listeners) listener({ line: entry });
  }

  /** Ends the shard's log: its followers get the end and are let go. */
  end(jobId: bigint, shard: number): void {
    const log = this.logs.get(ShardLogHub.key(jobId, shard));
    if (!log || log.ended) return;
    log.ended = true;
    for (const listener of log.listeners) listener({ ended: true });
    log.listeners.clear();
    const ended = [...this.logs].filter(([, l]) => l.ended);
    for (const [key] of ended.slice(0, Math.max(0, ended.length - this.keepEnded))) this.logs.delete(key);
  }

  /**
   * Calls `listener` with every line from `fromSeq` on, then with each new line, then with the end;
   * returns the function that stops it. A log already ended gets its lines and the end at once.
   */
  follow(
    jobId: bigint,
    shard: number,
    fromSeq: number,
    listener: (event: { line?: ShardLogLine; ended?: true }) => void,
  ): () => void {
    const log = this.logs.get(ShardLogHub.key(jobId, shard));
    if (!log) {
      listener({ ended: true });
      return () => undefined;
    }
    for (const line of log.lines.slice(Math.max(0, fromSeq))) listener({ line });
    if (log.ended) {
      listener({ ended: true });
      return () => undefined;
    }
    log.listeners.add(listener);
    return () => log.listeners.delete(listener);
  }
}

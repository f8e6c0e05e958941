import type { Readable, Writable } from "node:stream";
import type { LogBudget } from "./LogBudget";

/** Docker's multiplexed-stream splitter (`docker.modem.demuxStream`, from dockerode's docker-modem). */
export interface DemuxModem {
  demuxStream(stream: Readable, stdout: Writable, stderr: Writable): void;
}

/** The arguments of {@link readDemuxedOutput}. */
export interface ReadDemuxedOutputParameters {
  modem: DemuxModem;
  /** A container's attach or logs stream (no TTY: multiplexed frames). */
  stream: Readable;
  budget: LogBudget;
  /** Each kept chunk, in order, never more bytes in all than the budget. */
  onData(stream: "stdout" | "stderr", data: Buffer): void;
}

/**
 * Reads a container's multiplexed output through dockerode's demultiplexer, handing on at most
 * `budget.limit` bytes; once the budget is spent the stream is destroyed, so nothing more is read
 * (the container runs on; Docker's own log file is capped by its `max-size`).
 * Resolves when the stream ends, closes, fails or is cut: `truncated` says which.
 */
export function readDemuxedOutput(p: ReadDemuxedOutputParameters): Promise<{ truncated: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve({ truncated: p.budget.exhausted });
    };
    const sink = (name: "stdout" | "stderr"): Writable =>
      ({
        write(chunk: Buffer): boolean {
          if (settled) return true;
          const kept = p.budget.take(chunk.length);
          if (kept > 0) p.onData(name, kept === chunk.length ? chunk : chunk.subarray(0, kept));
          if (p.budget.exhausted) {
            finish();
            p.stream.destroy();
          }
          return true;
        },
      }) as unknown as Writable;
    p.stream.on("end", finish);
    p.stream.on("close", finish);
    p.stream.on("error", finish);
    p.modem.demuxStream(p.stream, sink("stdout"), sink("stderr"));
  });
}

import type Dockerode from "dockerode";
import fs from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import type { ContainerLogListener } from "./dockerClient";
import { DockerLogDemuxer } from "./DockerLogDemuxer";

/** The arguments of {@link followContainerLogs}. */
export interface FollowContainerLogsParameters {
  container: Dockerode.Container;
  /** Rewritten from the container's first line: re-attaching after a restart gives the whole log once. */
  logFile: string;
  onLog?: ContainerLogListener;
  item: number | null;
}

/** A running log follower: `done` resolves when the container's log ends; `stop` ends it early. */
export interface LogFollower {
  done: Promise<void>;
  stop(): void;
}

/**
 * Streams a container's whole log (stdout and stderr, from its first line, following until it
 * exits) into `logFile` as `[stdout] text` / `[stderr] text` lines, and to `onLog` line by line.
 */
export async function followContainerLogs(params: FollowContainerLogsParameters): Promise<LogFollower> {
  const { container, logFile, onLog, item } = params;
  const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
  const file = fs.createWriteStream(logFile, { flags: "w" });
  const demuxer = new DockerLogDemuxer();
  const lines = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const emit = (s: "stdout" | "stderr", text: string): void => {
    file.write(`[${s}] ${text}\n`);
    onLog?.({ stream: s, text, containerId: container.id, item });
  };
  const done = new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const s of ["stdout", "stderr"] as const) {
        const rest = lines[s].flush();
        if (rest !== undefined) emit(s, rest);
      }
      file.end(() => resolve());
    };
    stream.on("data", (chunk: Buffer) => {
      for (const frame of demuxer.push(chunk)) {
        for (const line of lines[frame.stream].push(frame.data)) emit(frame.stream, line);
      }
    });
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", finish);
  });
  return { done, stop: () => stream.destroy() };
}

/** Longest line kept whole; a longer one is cut into pieces of this many characters. */
const MAX_LINE = 64 * 1024;

/** Splits a byte stream into UTF-8 lines without breaking multi-byte characters. */
class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  push(data: Buffer): string[] {
    const text = this.partial + this.decoder.write(data);
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    const lines: string[] = [];
    for (const part of parts) {
      const line = part.endsWith("\r") ? part.slice(0, -1) : part;
      for (let at = 0; at === 0 || at < line.length; at += MAX_LINE) lines.push(line.slice(at, at + MAX_LINE));
    }
    while (this.partial.length > MAX_LINE) {
      lines.push(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
    return lines;
  }

  flush(): string | undefined {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    return rest === "" ? undefined : rest;
  }
}

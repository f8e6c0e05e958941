import type Dockerode from "dockerode";
import type { Readable } from "node:stream";
import type { ContainerLogListener } from "./dockerClient";
import { DockerLogDemuxer } from "./DockerLogDemuxer";
import { LogLineSplitter } from "./LogLineSplitter";

/** A live view of a container's output: `done` resolves when it ends; `stop` ends it early. */
export interface OutputAttachment {
  done: Promise<void>;
  stop(): void;
}

/**
 * Attaches to a container's stdout and stderr and hands every line to `onLog` as it is written.
 * Attach before `start` to see every line; attached later, only lines from then on arrive.
 * (Docker's `logs --follow` can drop a message when the container exits; `attach` reads the
 * container's own pipes.) The complete log file is written after the exit by `writeContainerLog`.
 */
export async function attachContainerOutput(params: {
  container: Dockerode.Container;
  onLog: ContainerLogListener;
  item: number | null;
}): Promise<OutputAttachment> {
  const { container, onLog, item } = params;
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
  const demuxer = new DockerLogDemuxer();
  const lines = { stdout: new LogLineSplitter(), stderr: new LogLineSplitter() };
  const emit = (s: "stdout" | "stderr", text: string): void =>
    onLog({ stream: s, text, containerId: container.id, item });
  const done = new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const s of ["stdout", "stderr"] as const) {
        const rest = lines[s].flush();
        if (rest !== undefined) emit(s, rest);
      }
      resolve();
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

import type Dockerode from "dockerode";
import type { Readable } from "node:stream";
import type { ContainerLogListener } from "./dockerClient";
import { LogBudget } from "./LogBudget";
import { LogLineSplitter } from "./LogLineSplitter";
import { readDemuxedOutput, type DemuxModem } from "./readDemuxedOutput";

/** A live view of a container's output: `done` resolves when it ends; `stop` ends it early. */
export interface OutputAttachment {
  done: Promise<void>;
  stop(): void;
}

/**
 * Attaches to a container's stdout and stderr and hands every line to `onLog` as it is written,
 * at most `logBytes` bytes of them (then one `[rigel] log truncated …` line on stderr, and the
 * stream is let go: the operator's log never holds more of a container's output than that).
 * Attach before `start` to see every line; attached later, only lines from then on arrive.
 * (Docker's `logs --follow` can drop a message when the container exits; `attach` reads the
 * container's own pipes.) The log file is written after the exit by `writeContainerLog`.
 */
export async function attachContainerOutput(params: {
  container: Dockerode.Container;
  onLog: ContainerLogListener;
  item: number | null;
  logBytes: number;
}): Promise<OutputAttachment> {
  const { container, onLog, item } = params;
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
  const lines = { stdout: new LogLineSplitter(), stderr: new LogLineSplitter() };
  const emit = (s: "stdout" | "stderr", text: string): void =>
    onLog({ stream: s, text, containerId: container.id, item });
  const budget = new LogBudget(params.logBytes);
  const done = readDemuxedOutput({
    modem: (container as unknown as { modem: DemuxModem }).modem,
    stream,
    budget,
    onData: (s, data) => {
      for (const line of lines[s].push(data)) emit(s, line);
    },
  }).then(({ truncated }) => {
    for (const s of ["stdout", "stderr"] as const) {
      const rest = lines[s].flush();
      if (rest !== undefined) emit(s, rest);
    }
    if (truncated) emit("stderr", budget.marker);
  });
  return { done, stop: () => stream.destroy() };
}

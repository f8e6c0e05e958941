import type Dockerode from "dockerode";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { LogBudget } from "./LogBudget";
import { LogLineSplitter } from "./LogLineSplitter";
import { readDemuxedOutput, type DemuxModem } from "./readDemuxedOutput";

/**
 * Writes a stopped container's log (as Docker kept it) to `logFile`, replacing what was there: one
 * line per output line, `[stdout] text` or `[stderr] text`, in the order written, streamed, at most
 * `logBytes` bytes of the container's output; a longer log ends with one `[rigel] log truncated …`
 * line. If Docker cannot give the log, the file says so in one `[rigel] …` line instead.
 */
export async function writeContainerLog(
  container: Dockerode.Container,
  logFile: string,
  logBytes: number,
): Promise<void> {
  let stream: Readable;
  try {
    // follow on a stopped container: the whole log as a stream, ended by Docker (never one big buffer).
    stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
  } catch (err) {
    await fs.promises.writeFile(logFile, `[rigel] the container's log could not be read: ${(err as Error).message}\n`);
    return;
  }
  const out = fs.createWriteStream(logFile);
  const lines = { stdout: new LogLineSplitter(), stderr: new LogLineSplitter() };
  const budget = new LogBudget(logBytes);
  const { truncated } = await readDemuxedOutput({
    modem: (container as unknown as { modem: DemuxModem }).modem,
    stream,
    budget,
    onData: (s, data) => {
      for (const line of lines[s].push(data)) out.write(`[${s}] ${line}\n`);
    },
  });
  for (const s of ["stdout", "stderr"] as const) {
    const rest = lines[s].flush();
    if (rest !== undefined) out.write(`[${s}] ${rest}\n`);
  }
  if (truncated) out.write(`${budget.marker}\n`);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

import type Dockerode from "dockerode";
import fs from "node:fs/promises";
import { DockerLogDemuxer } from "./DockerLogDemuxer";
import { LogLineSplitter } from "./LogLineSplitter";

/**
 * Writes a stopped container's whole log (as Docker kept it) to `logFile`, replacing what was
 * there: one line per output line, `[stdout] text` or `[stderr] text`, in the order written.
 * If Docker cannot give the log, the file says so in one `[rigel] …` line instead.
 */
export async function writeContainerLog(container: Dockerode.Container, logFile: string): Promise<void> {
  let raw: Buffer;
  try {
    raw = (await container.logs({ follow: false, stdout: true, stderr: true })) as unknown as Buffer;
  } catch (err) {
    await fs.writeFile(logFile, `[rigel] the container's log could not be read: ${(err as Error).message}\n`);
    return;
  }
  const demuxer = new DockerLogDemuxer();
  const lines = { stdout: new LogLineSplitter(), stderr: new LogLineSplitter() };
  const out: string[] = [];
  for (const frame of demuxer.push(Buffer.from(raw))) {
    for (const line of lines[frame.stream].push(frame.data)) out.push(`[${frame.stream}] ${line}\n`);
  }
  for (const s of ["stdout", "stderr"] as const) {
    const rest = lines[s].flush();
    if (rest !== undefined) out.push(`[${s}] ${rest}\n`);
  }
  await fs.writeFile(logFile, out.join(""));
}

import type Dockerode from "dockerode";
import type { OutputLimitExceeded } from "./scanOutputDirectory";

/**
 * The part of a dockerode client the executor uses. Pass a real `new Dockerode()` in production;
 * unit tests may pass a double with the same shape.
 */
export type DockerClient = Pick<
  Dockerode,
  "createContainer" | "getContainer" | "getImage" | "listContainers" | "pull" | "modem"
>;

/** Which GPUs a container gets: a number of them, or exactly these device ids/UUIDs. Never both. */
export type GpuRequest = { count: number } | { deviceIds: string[] };

/** One line a container wrote (without its newline), for the operator's log. */
export interface ContainerLogLine {
  stream: "stdout" | "stderr";
  text: string;
  containerId: string;
  /** The item's index for itemised jobs; null for a single run. */
  item: number | null;
}

/** Receives every line a container writes, as it is written. */
export type ContainerLogListener = (line: ContainerLogLine) => void;

/** A regular file the container left in its output directory. */
export interface OutputFile {
  /** Path relative to the output directory, `/`-separated. */
  path: string;
  /** `0x` + 64 lowercase hex digits. */
  sha256: `0x${string}`;
  size: number;
}

/**
 * What one container invocation did. `succeeded` is exit code 0, not OOM-killed, not timed out, and
 * no output limit passed.
 */
export interface ContainerRunResult {
  containerId: string;
  item: number | null;
  exitCode: number;
  oomKilled: boolean;
  timedOut: boolean;
  /**
   * The output limit (the spec's `outputBytes` / `outputFiles`) the run passed, if any: seen while it
   * ran (then it was killed at once) or after it exited. A failure of the developer's code.
   */
  limitExceeded?: OutputLimitExceeded;
  succeeded: boolean;
  /** Docker's own start and finish times (RFC 3339, UTC). */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The image id the container ran (`sha256:…`, the digest of the image config). */
  imageId: string;
  /** A registry digest (`name@sha256:…`) when the image came from a registry; null for local images. */
  imageRepoDigest: string | null;
  /** Regular files in the output directory, sorted by path (UTF-8 byte order). */
  outputs: OutputFile[];
  /** Output entries that are not regular files (symlinks, devices, ...): never read, never committed. */
  ignoredOutputs: string[];
  /** Output files and directories that had setuid/setgid bits: the bits were removed before any read. */
  strippedOutputs: string[];
  outputDir: string;
  logFile: string;
}

/** Container labels: how the executor finds its containers again after a restart. */
export const CONTAINER_LABELS = {
  job: "rigel.job",
  shard: "rigel.shard",
  item: "rigel.item",
  timeoutSec: "rigel.timeoutSec",
  outputDir: "rigel.outputDir",
  logFile: "rigel.logFile",
  outputBytes: "rigel.outputBytes",
  outputFiles: "rigel.outputFiles",
  logBytes: "rigel.logBytes",
} as const;

import type Dockerode from "dockerode";
import { RigelError } from "../errors/RigelError";
import type { OutputAttachment } from "./attachContainerOutput";
import type { ContainerRunResult } from "./dockerClient";
import { hashOutputDirectory } from "./hashOutputDirectory";
import type { OutputLimits } from "./scanOutputDirectory";
import { watchOutputLimits } from "./watchOutputLimits";
import { writeContainerLog } from "./writeContainerLog";

/** Supervision stopped on request (the caller's AbortSignal); the container was left running. */
export class ContainerDetachedError extends RigelError {
  override readonly name = "ContainerDetachedError";
  constructor(containerId: string) {
    super("EXECUTOR_DETACHED", `stopped watching container ${containerId}; it is still running`, {
      details: { containerId },
    });
  }
}

/** The arguments of {@link superviseContainer}. */
export interface SuperviseContainerParameters {
  container: Dockerode.Container;
  /** Settles when the container exits: a `wait` request made before it was started. */
  exited: Promise<unknown>;
  /** Aborts the pending `wait` request when supervision ends early. */
  waitAbort: AbortController;
  /** When to kill the container (ms since the epoch). */
  deadlineMs: number;
  outputDir: string;
  /** The output limits: watched while it runs (passing one kills it) and checked after it exits. */
  limits: OutputLimits;
  /** Rewritten with the container's log (at most `logBytes` of its output) once it has exited. */
  logFile: string;
  logBytes: number;
  /** The live view of the container's output, when the caller wants one (`attachContainerOutput`). */
  attachment?: OutputAttachment;
  item: number | null;
  imageRepoDigest: string | null;
  /** Abort to stop watching and leave the container running (for a clean agent shutdown). */
  signal?: AbortSignal;
  /** Keep the container after it exits (default: remove it; its log file stays). */
  keepContainer?: boolean;
}

const POLL_MS = 1000;
const LOG_DRAIN_MS = 10_000;

/**
 * Watches a started container to its end: kills it at the deadline or as soon as its output passes
 * a limit, then writes its log (bounded) to the log file, reads its exit state, removes it, strips
 * setuid/setgid bits from its outputs, checks them against the limits and hashes them. Shared by a
 * fresh run and a re-attach.
 * @throws ContainerDetachedError when `signal` aborts first.
 */
export async function superviseContainer(params: SuperviseContainerParameters): Promise<ContainerRunResult> {
  const { container, signal } = params;
  const attachment = params.attachment ?? { done: Promise.resolve(), stop: () => undefined };
  // Set at the deadline: resolves true when the kill landed, false when the container had already
  // exited on its own (Docker answers 409 or 404).
  let killed: Promise<boolean> | undefined;
  const timer = setTimeout(
    () => {
      killed = container.kill({ signal: "SIGKILL" }).then(
        () => true,
        () => false,
      );
    },
    Math.max(0, params.deadlineMs - Date.now()),
  );
  const watch = watchOutputLimits(params.outputDir, params.limits, () => {
    container.kill({ signal: "SIGKILL" }).catch(() => undefined);
  });
  const stopPolling = new AbortController();
  try {
    await untilFirst([params.exited, pollUntilStopped(container, stopPolling.signal)], signal);
  } catch (err) {
    attachment.stop();
    if (signal?.aborted) throw new ContainerDetachedError(container.id);
    throw new RigelError("EXECUTOR_DOCKER", `lost track of container ${container.id}`, {
      details: { containerId: container.id },
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    watch.stop();
    stopPolling.abort();
    params.waitAbort.abort();
  }
  // The live view ends with the container; never wait on it for long.
  const drainTimer = setTimeout(() => attachment.stop(), LOG_DRAIN_MS);
  await attachment.done;
  clearTimeout(drainTimer);
  await writeContainerLog(container, params.logFile, params.logBytes);

  const info = await container.inspect();
  const state = info.State;
  if (!params.keepContainer) await removeQuietly(container);
  const { files, ignored, stripped, exceeded } = await hashOutputDirectory(params.outputDir, params.limits);
  const limitExceeded = watch.exceeded ?? exceeded;
  const oomKilled = state.OOMKilled === true;
  const exitCode = state.ExitCode;
  const timedOut = killed === undefined ? false : (await killed) && !oomKilled;
  return {
    containerId: container.id,
    item: params.item,
    exitCode,
    oomKilled,
    timedOut,
    ...(limitExceeded ? { limitExceeded } : {}),
    succeeded: exitCode === 0 && !oomKilled && !timedOut && limitExceeded === undefined,
    startedAt: state.StartedAt,
    finishedAt: state.FinishedAt,
    durationMs: Math.max(0, Date.parse(state.FinishedAt) - Date.parse(state.StartedAt)),
    imageId: info.Image,
    imageRepoDigest: params.imageRepoDigest,
    outputs: files,
    ignoredOutputs: ignored,
    strippedOutputs: stripped,
    outputDir: params.outputDir,
    logFile: params.logFile,
  };
}

/** Resolves with the first of `promises` to resolve; rejects when all reject or `signal` aborts. */
function untilFirst(promises: Promise<unknown>[], signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let failures = 0;
    const onAbort = (): void => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    for (const p of promises) {
      p.then(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        (err) => {
          failures += 1;
          if (failures === promises.length) {
            signal?.removeEventListener("abort", onAbort);
            reject(err);
          }
        },
      );
    }
  });
}

/**
 * Inspects the container every second until it is no longer running. A safety net beside `wait`:
 * it catches an exit that `wait` missed (the daemon restarted, or the wait request lost a race).
 */
async function pollUntilStopped(container: Dockerode.Container, stop: AbortSignal): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (stop.aborted) return new Promise<void>(() => undefined); // superseded: never settle.
    const info = await container.inspect();
    if (!info.State.Running && info.State.Status !== "created") return;
  }
}

async function removeQuietly(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) {
      throw new RigelError("EXECUTOR_DOCKER", `could not remove container ${container.id}`, {
        details: { containerId: container.id },
        cause: err,
      });
    }
  }
}

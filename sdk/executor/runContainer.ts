import type Dockerode from "dockerode";
import fs from "node:fs/promises";
import path from "node:path";
import { RigelError } from "../errors/RigelError";
import { attachContainerOutput, type OutputAttachment } from "./attachContainerOutput";
import { buildContainerOptions, type BuildContainerOptionsParameters } from "./buildContainerOptions";
import type { ContainerLogListener, ContainerRunResult, DockerClient } from "./dockerClient";
import { containerRunLimits } from "../spec/jobSpecTypes";
import { defaultSandbox } from "./containerSandbox";
import { ensureImage } from "./ensureImage";
import { prepareOutputDir } from "./prepareOutputDir";
import { superviseContainer } from "./superviseContainer";

/** The arguments of {@link runContainer}. */
export interface RunContainerParameters extends BuildContainerOptionsParameters {
  /** Pull the image when it is missing (default false: images must already be on the host). */
  pull?: boolean;
  onLog?: ContainerLogListener;
  /** Abort to stop watching and leave the container running; `reattachContainer` picks it up. */
  signal?: AbortSignal;
  /** Keep the container after it exits (default: remove it; its log file stays). */
  keepContainer?: boolean;
}

/** Docker refused to create or start the container (bad command, limits the host cannot give, ...). */
export class ContainerStartError extends RigelError {
  override readonly name = "ContainerStartError";
  constructor(phase: "create" | "start", image: string, cause: unknown) {
    const reason = (cause as { json?: { message?: string } })?.json?.message ?? (cause as Error)?.message;
    super("EXECUTOR_CONTAINER_START", `could not ${phase} a container of ${image}: ${reason ?? "unknown error"}`, {
      details: { phase, image },
      cause,
    });
  }
}

/**
 * Runs one container invocation of a container job to its end and removes the container:
 * limits, mounts, sandbox and labels from {@link buildContainerOptions}, the output directory owned
 * by the sandbox user (`0700`), the spec's timeout and output limits enforced by a kill, output lines
 * handed to `onLog` as they are written and written to `logFile` after the exit (both at most the
 * sandbox's `logBytes`), the outputs stripped of setuid/setgid bits, checked and hashed.
 * A non-zero exit, an OOM kill, a timeout or an output limit passed is a result, not an error.
 * @throws ImageNotFoundError, NotEnoughCpusError, ContainerStartError, GpuRequestError,
 * SandboxNetworkError, ContainerDetachedError.
 */
export async function runContainer(docker: DockerClient, params: RunContainerParameters): Promise<ContainerRunResult> {
  const sandbox = params.sandbox ?? defaultSandbox();
  const options = buildContainerOptions({ ...params, sandbox });
  const image = await ensureImage(docker, params.spec.image, {
    pull: params.pull,
    registries: sandbox.registries ?? [],
  });
  await prepareOutputDir(params.outputDir, sandbox.user);
  await fs.mkdir(path.dirname(params.logFile), { recursive: true });

  let container: Dockerode.Container;
  try {
    container = await docker.createContainer(options);
  } catch (err) {
    throw new ContainerStartError("create", params.spec.image, err);
  }
  // Attach before starting, so the live view misses no line. Without it the run goes on.
  let attachment: OutputAttachment | undefined;
  if (params.onLog !== undefined) {
    attachment = await attachContainerOutput({
      container,
      onLog: params.onLog,
      item: params.item?.index ?? null,
      logBytes: sandbox.logBytes,
    }).catch(() => undefined);
  }
  // Wait for the next exit BEFORE starting: a wait made after the container has already exited
  // would report nothing (or a stale exit code 0).
  const waitAbort = new AbortController();
  const exited = container.wait({ condition: "next-exit", abortSignal: waitAbort.signal });
  exited.catch(() => undefined); // Settled through superviseContainer; never an unhandled rejection.
  const startedMs = Date.now();
  try {
    await container.start();
  } catch (err) {
    waitAbort.abort();
    attachment?.stop();
    await container.remove({ force: true }).catch(() => undefined);
    throw new ContainerStartError("start", params.spec.image, err);
  }
  return superviseContainer({
    container,
    exited,
    waitAbort,
    deadlineMs: startedMs + params.spec.timeoutSec * 1000,
    outputDir: params.outputDir,
    limits: containerRunLimits(params.spec),
    logFile: params.logFile,
    logBytes: sandbox.logBytes,
    attachment,
    item: params.item?.index ?? null,
    imageRepoDigest: image.repoDigest,
    signal: params.signal,
    keepContainer: params.keepContainer,
  });
}

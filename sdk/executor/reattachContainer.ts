import { RigelError } from "../errors/RigelError";
import {
  CONTAINER_LABELS,
  type ContainerLogListener,
  type ContainerRunResult,
  type DockerClient,
} from "./dockerClient";
import { CONTAINER_RUN_DEFAULTS } from "../spec/jobSpecTypes";
import { attachContainerOutput, type OutputAttachment } from "./attachContainerOutput";
import { DEFAULT_LOG_BYTES } from "./containerSandbox";
import { superviseContainer } from "./superviseContainer";

/** The arguments of {@link reattachContainer}. */
export interface ReattachContainerParameters {
  containerId: string;
  onLog?: ContainerLogListener;
  signal?: AbortSignal;
  keepContainer?: boolean;
}

/**
 * Picks up a container started by an earlier run of the executor (found with `findContainers`)
 * and supervises it to its end exactly as `runContainer` would: the timeout still counts from its
 * start, `onLog` gets the lines written from now on, the log file is written whole, outputs are
 * hashed, the container is removed. A
 * container that was created but never started is started now. One that already exited gives its
 * result at once. Everything needed is read from the container's labels.
 */
export async function reattachContainer(
  docker: DockerClient,
  params: ReattachContainerParameters,
): Promise<ContainerRunResult> {
  const container = docker.getContainer(params.containerId);
  let info;
  try {
    info = await container.inspect();
  } catch (err) {
    throw new RigelError("EXECUTOR_CONTAINER_GONE", `container ${params.containerId} is not on this host`, {
      details: { containerId: params.containerId },
      cause: err,
    });
  }
  const labels = info.Config.Labels ?? {};
  const outputDir = labels[CONTAINER_LABELS.outputDir];
  const logFile = labels[CONTAINER_LABELS.logFile];
  const timeoutSec = Number(labels[CONTAINER_LABELS.timeoutSec]);
  if (outputDir === undefined || logFile === undefined || !(timeoutSec > 0)) {
    throw new RigelError("EXECUTOR_NOT_OURS", `container ${params.containerId} has no Rigel labels`, {
      details: { containerId: params.containerId },
    });
  }
  const item = labels[CONTAINER_LABELS.item] === undefined ? null : Number(labels[CONTAINER_LABELS.item]);
  // Limits from the labels (containers started before they were labelled get the defaults).
  const labelled = (name: keyof typeof CONTAINER_LABELS, fallback: number): number => {
    const value = Number(labels[CONTAINER_LABELS[name]]);
    return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
  };
  const limits = {
    outputBytes: labelled("outputBytes", CONTAINER_RUN_DEFAULTS.outputBytes),
    outputFiles: labelled("outputFiles", CONTAINER_RUN_DEFAULTS.outputFiles),
  };
  const logBytes = labelled("logBytes", DEFAULT_LOG_BYTES);
  const repoDigests = await docker
    .getImage(info.Image)
    .inspect()
    .then((i) => i.RepoDigests ?? [])
    .catch(() => []);

  // The live view shows lines written from now on (all of them for a container not yet started).
  let attachment: OutputAttachment | undefined;
  if (params.onLog !== undefined && (info.State.Running || info.State.Status === "created")) {
    attachment = await attachContainerOutput({ container, onLog: params.onLog, item, logBytes }).catch(() => undefined);
  }
  const waitAbort = new AbortController();
  let startedMs = Date.parse(info.State.StartedAt);
  let exited: Promise<unknown>;
  if (info.State.Status === "created") {
    exited = container.wait({ condition: "next-exit", abortSignal: waitAbort.signal });
    exited.catch(() => undefined);
    startedMs = Date.now();
    await container.start();
  } else {
    exited = container.wait({ condition: "not-running", abortSignal: waitAbort.signal });
    exited.catch(() => undefined);
  }
  return superviseContainer({
    container,
    exited,
    waitAbort,
    deadlineMs: startedMs + timeoutSec * 1000,
    outputDir,
    limits,
    logFile,
    logBytes,
    attachment,
    item,
    imageRepoDigest: repoDigests.length > 0 ? repoDigests[0] : null,
    signal: params.signal,
    keepContainer: params.keepContainer,
  });
}

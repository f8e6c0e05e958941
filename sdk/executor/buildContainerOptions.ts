import type Dockerode from "dockerode";
import path from "node:path";
import { RigelError } from "../errors/RigelError";
import { canonicalJson } from "../spec/canonicalJson";
import { CONTAINER_PATHS, containerRunLimits, type ContainerJobSpec, type JsonValue } from "../spec/jobSpecTypes";
import { containerCpuset } from "./containerCpuset";
import { defaultSandbox, type ContainerSandbox } from "./containerSandbox";
import { CONTAINER_LABELS, type GpuRequest } from "./dockerClient";

/** The arguments of {@link buildContainerOptions}. */
export interface BuildContainerOptionsParameters {
  spec: ContainerJobSpec;
  /** The on-chain job id, as a decimal string. */
  job: string;
  shard: number;
  /** For itemised jobs: the item, and the host file holding its canonical JSON. */
  item?: { index: number; value: JsonValue; hostFile: string };
  /** Host path of each fetched input, by input name. */
  inputPaths: Record<string, string>;
  /** Host directory mounted writable at `spec.outputPath`. */
  outputDir: string;
  /** Host file the container's log is written to (recorded in a label for re-attaching). */
  logFile: string;
  /** Which GPUs to hand over; defaults to `{ count: spec.gpus }`. Ignored when `spec.gpus` is 0. */
  gpus?: GpuRequest;
  /** The host's CPU ids the cpuset is drawn from (default: the host's online CPUs, `hostCpuIds`). */
  hostCpus?: readonly number[];
  /** The operator's confinement: user, runtime, bridge network, log budget (default `defaultSandbox()`). */
  sandbox?: ContainerSandbox;
}

/** The spec asks for a network this host's sandbox does not offer (`bridge` without a filtered network). */
export class SandboxNetworkError extends RigelError {
  override readonly name = "SandboxNetworkError";
  constructor(network: string) {
    super(
      "EXECUTOR_NETWORK_UNAVAILABLE",
      `the spec asks for network "${network}" and this host offers no filtered network for it`,
      { details: { network } },
    );
  }
}

/** A GPU request that does not fit the spec (wrong number of devices, or count and ids both given). */
export class GpuRequestError extends RigelError {
  override readonly name = "GpuRequestError";
  constructor(message: string, details: Record<string, unknown>) {
    super("EXECUTOR_GPU_REQUEST", message, { details });
  }
}

/**
 * The Docker create options for one container invocation of a job (PROTOCOL §12.3): resource
 * limits, the container pinned to ⌈milliCpus / 1000⌉ CPUs (`CpusetCpus`, so `nproc` reads the
 * spec's CPUs), the sandbox's unprivileged user and runtime, a read-only root file system with a
 * `nosuid,nodev` tmpfs at `/tmp` (`tmpMiB`), no single file larger than the output limit
 * (`RLIMIT_FSIZE`), no network unless the spec asks (then only the sandbox's filtered bridge),
 * inputs read-only, one writable output directory, all capabilities dropped, no new privileges,
 * labels to find it again. The executor's environment names are set last, so a spec cannot
 * override them. No Docker call.
 * @throws NotEnoughCpusError (the host has fewer CPUs than the spec asks), GpuRequestError,
 * SandboxNetworkError.
 */
export function buildContainerOptions(params: BuildContainerOptionsParameters): Dockerode.ContainerCreateOptions {
  const { spec, job, shard, item, inputPaths, outputDir, logFile } = params;
  const sandbox = params.sandbox ?? defaultSandbox();
  const limits = containerRunLimits(spec);
  let networkMode = "none";
  if (spec.network === "bridge") {
    if (sandbox.bridgeNetwork === undefined) throw new SandboxNetworkError(spec.network);
    networkMode = sandbox.bridgeNetwork;
  }
  const env: Record<string, string> = {
    ...spec.env,
    RIGEL_JOB: job,
    RIGEL_SHARD: String(shard),
    RIGEL_INPUTS: CONTAINER_PATHS.inputsDir,
    RIGEL_OUTPUT: spec.outputPath,
  };
  const mounts: Dockerode.MountSettings[] = spec.inputs.map((input) => {
    const source = inputPaths[input.name];
    if (source === undefined) {
      throw new RigelError("EXECUTOR_INPUT_MISSING", `input "${input.name}" was not fetched`, {
        details: { input: input.name },
      });
    }
    return {
      Type: "bind",
      Source: path.resolve(source),
      Target: `${CONTAINER_PATHS.inputsDir}/${input.name}`,
      ReadOnly: true,
    };
  });
  mounts.push({ Type: "bind", Source: path.resolve(outputDir), Target: spec.outputPath, ReadOnly: false });
  const labels: Record<string, string> = {
    [CONTAINER_LABELS.job]: job,
    [CONTAINER_LABELS.shard]: String(shard),
    [CONTAINER_LABELS.timeoutSec]: String(spec.timeoutSec),
    [CONTAINER_LABELS.outputDir]: path.resolve(outputDir),
    [CONTAINER_LABELS.logFile]: path.resolve(logFile),
    [CONTAINER_LABELS.outputBytes]: String(limits.outputBytes),
    [CONTAINER_LABELS.outputFiles]: String(limits.outputFiles),
    [CONTAINER_LABELS.logBytes]: String(sandbox.logBytes),
  };
  if (item !== undefined) {
    env.RIGEL_ITEM = typeof item.value === "string" ? item.value : canonicalJson(item.value);
    env.RIGEL_ITEM_INDEX = String(item.index);
    env.RIGEL_ITEM_FILE = CONTAINER_PATHS.itemFile;
    labels[CONTAINER_LABELS.item] = String(item.index);
    mounts.push({
      Type: "bind",
      Source: path.resolve(item.hostFile),
      Target: CONTAINER_PATHS.itemFile,
      ReadOnly: true,
    });
  }

  // No file larger than the output limit (or /tmp) by more than a byte, whatever writes it: the
  // one byte over makes a cut write visible to the output check, so it fails instead of passing short.
  const fsize = Math.max(limits.outputBytes, limits.tmpMiB * 1024 * 1024) + 1;
  // Docker's own copy of the log: enough to keep the first logBytes, bounded on disk.
  const logMiB = Math.max(1, Math.ceil((2 * sandbox.logBytes) / (1024 * 1024)));
  const hostConfig: Dockerode.HostConfig = {
    Mounts: mounts,
    NetworkMode: networkMode,
    Memory: spec.memoryMiB * 1024 * 1024,
    MemorySwap: spec.memoryMiB * 1024 * 1024,
    NanoCpus: spec.milliCpus * 1_000_000,
    CpusetCpus: containerCpuset({ spec, hostCpus: params.hostCpus, key: `${job}/${shard}/${item?.index ?? ""}` }),
    PidsLimit: spec.pidsLimit,
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    ReadonlyRootfs: true,
    Tmpfs: { "/tmp": `rw,nosuid,nodev,size=${limits.tmpMiB}m,mode=1777` },
    Ulimits: [{ Name: "fsize", Soft: fsize, Hard: fsize }],
    AutoRemove: false,
    // Readable back by `docker logs` whatever the daemon's default driver; bounded on disk.
    LogConfig: { Type: "json-file", Config: { "max-size": `${logMiB}m`, "max-file": "2" } },
  };
  if (sandbox.runtime !== "runc") hostConfig.Runtime = sandbox.runtime;
  const deviceRequest = gpuDeviceRequest(spec.gpus, params.gpus);
  if (deviceRequest !== undefined) hostConfig.DeviceRequests = [deviceRequest];

  return {
    Image: spec.image,
    User: sandbox.user,
    ...(spec.command.length > 0 ? { Cmd: spec.command } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    NetworkDisabled: spec.network === "none",
    HostConfig: hostConfig,
  };
}

function gpuDeviceRequest(wanted: number, request: GpuRequest | undefined): Dockerode.DeviceRequest | undefined {
  if (wanted === 0) return undefined;
  const r = request ?? { count: wanted };
  const hasCount = "count" in r && r.count !== undefined;
  const hasIds = "deviceIds" in r && r.deviceIds !== undefined;
  if (hasCount === hasIds) {
    throw new GpuRequestError("a GPU request names a count or device ids, exactly one of them", { request: r });
  }
  if (hasCount) {
    const { count } = r as { count: number };
    if (count !== wanted)
      throw new GpuRequestError(`the spec asks for ${wanted} GPUs, not ${count}`, { wanted, count });
    return { Count: count, Capabilities: [["gpu"]] };
  }
  const { deviceIds } = r as { deviceIds: string[] };
  if (deviceIds.length !== wanted || new Set(deviceIds).size !== deviceIds.length) {
    throw new GpuRequestError(`the spec asks for ${wanted} distinct GPUs`, { wanted, deviceIds });
  }
  return { DeviceIDs: [...deviceIds], Capabilities: [["gpu"]] };
}

import type Dockerode from "dockerode";
import path from "node:path";
import { RigelError } from "../errors/RigelError";
import { canonicalJson } from "../spec/canonicalJson";
import { CONTAINER_PATHS, type ContainerJobSpec, type JsonValue } from "../spec/jobSpecTypes";
import { containerCpuset } from "./containerCpuset";
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
}

/** A GPU request that does not fit the spec (wrong number of devices, or count and ids both given). */
export class GpuRequestError extends RigelError {
  override readonly name = "GpuRequestError";
  constructor(message: string, details: Record<string, unknown>) {
    super("EXECUTOR_GPU_REQUEST", message, { details });
  }
}

/**
 * The Docker create options for one container invocation of a job: resource limits, the container
 * pinned to ⌈milliCpus / 1000⌉ CPUs (`CpusetCpus`, so `nproc` reads the spec's CPUs), no network
 * unless the spec asks, inputs read-only, one writable output directory, all capabilities dropped,
 * labels to find it again. No Docker call.
 * @throws NotEnoughCpusError (the host has fewer CPUs than the spec asks), GpuRequestError.
 */
export function buildContainerOptions(params: BuildContainerOptionsParameters): Dockerode.ContainerCreateOptions {
  const { spec, job, shard, item, inputPaths, outputDir, logFile } = params;
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

  const hostConfig: Dockerode.HostConfig = {
    Mounts: mounts,
    NetworkMode: spec.network,
    Memory: spec.memoryMiB * 1024 * 1024,
    MemorySwap: spec.memoryMiB * 1024 * 1024,
    NanoCpus: spec.milliCpus * 1_000_000,
    CpusetCpus: containerCpuset({ spec, hostCpus: params.hostCpus, key: `${job}/${shard}/${item?.index ?? ""}` }),
    PidsLimit: spec.pidsLimit,
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    AutoRemove: false,
    // Readable back by `docker logs` whatever the daemon's default driver; bounded on disk.
    LogConfig: { Type: "json-file", Config: { "max-size": "64m", "max-file": "2" } },
  };
  const deviceRequest = gpuDeviceRequest(spec.gpus, params.gpus);
  if (deviceRequest !== undefined) hostConfig.DeviceRequests = [deviceRequest];

  return {
    Image: spec.image,
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

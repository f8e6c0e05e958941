import { containerRunLimits, type ContainerJobSpec, type ContainerNetwork } from "../spec/jobSpecTypes";
import { containerCpus } from "./containerCpuset";
import { imageRegistry, registryAllowed } from "./imageReference";

/**
 * The operator's ceilings over container specs (`sandbox*` config of the agent and the oracle,
 * PROTOCOL §12.5): what a developer may ask for on this host. The agent declines a spec above any of
 * them before the accept; the oracle does not re-run it (its own choice, never the operator's fault).
 */
export interface SandboxCeilings {
  /** Most CPUs (⌈milliCpus / 1000⌉); 0: no ceiling but the host's. */
  cpus: number;
  /** Most memoryMiB; 0: no ceiling but the host's. */
  memoryMiB: number;
  pids: number;
  gpus: number;
  tmpMiB: number;
  outputBytes: number;
  outputFiles: number;
  /** Longest timeoutSec of one invocation. */
  runSeconds: number;
  /** Networks a spec may ask for (`none` always works). */
  networks: readonly ContainerNetwork[];
  /**
   * Registries an image may come from (`docker.io` for short names, `parseRegistryList`); empty: no
   * registry, so only images already on this host run (`ensureImage` refuses to pull).
   */
  registries: readonly string[];
  /** Why `bridge` cannot be offered on this host now (its filter rules could not be installed). */
  bridgeUnavailable?: string;
}

/** A spec above a ceiling: a stable code (the metrics' label) and the reason for the log. */
export interface SandboxDecline {
  code: string;
  reason: string;
}

/**
 * The first ceiling a container spec passes, or undefined: CPUs, memory, pids, GPUs, /tmp, output
 * bytes and files (the spec's or the protocol's defaults, `containerRunLimits`), run time, network,
 * then the image's registry (when the list is not
 * empty; with an empty one the image must already be on the host, `ensureImage` checks it). Pure.
 */
export function sandboxDecline(spec: ContainerJobSpec, c: SandboxCeilings): SandboxDecline | undefined {
  const limits = containerRunLimits(spec);
  const above = (code: string, what: string, asked: number | string, ceiling: number | string) => ({
    code,
    reason: `the spec asks for ${asked} ${what}, this operator allows at most ${ceiling}`,
  });
  const cpus = containerCpus(spec);
  if (c.cpus > 0 && cpus > c.cpus) return above("SANDBOX_CPUS", "CPUs", cpus, c.cpus);
  if (c.memoryMiB > 0 && spec.memoryMiB > c.memoryMiB) {
    return above("SANDBOX_MEMORY", "MiB of memory", spec.memoryMiB, c.memoryMiB);
  }
  if (spec.pidsLimit > c.pids) return above("SANDBOX_PIDS", "processes", spec.pidsLimit, c.pids);
  if (spec.gpus > c.gpus) return above("SANDBOX_GPUS", "GPUs", spec.gpus, c.gpus);
  if (limits.tmpMiB > c.tmpMiB) return above("SANDBOX_TMP", "MiB of /tmp", limits.tmpMiB, c.tmpMiB);
  if (limits.outputBytes > c.outputBytes) {
    return above("SANDBOX_OUTPUT_BYTES", "output bytes", limits.outputBytes, c.outputBytes);
  }
  if (limits.outputFiles > c.outputFiles) {
    return above("SANDBOX_OUTPUT_FILES", "output files", limits.outputFiles, c.outputFiles);
  }
  if (spec.timeoutSec > c.runSeconds) return above("SANDBOX_RUN_SECONDS", "s per run", spec.timeoutSec, c.runSeconds);
  if (spec.network !== "none") {
    if (!c.networks.includes(spec.network)) {
      return { code: "SANDBOX_NETWORK", reason: `network "${spec.network}" is not allowed by this operator` };
    }
    if (spec.network === "bridge" && c.bridgeUnavailable !== undefined) {
      return { code: "SANDBOX_NETWORK", reason: `network "bridge" is unavailable here: ${c.bridgeUnavailable}` };
    }
  }
  if (c.registries.length > 0 && !registryAllowed(spec.image, c.registries)) {
    return {
      code: "SANDBOX_REGISTRY",
      reason: `images from ${imageRegistry(spec.image)} are not allowed by this operator (${c.registries.join(", ")})`,
    };
  }
  return undefined;
}

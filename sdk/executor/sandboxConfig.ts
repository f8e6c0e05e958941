import { ConfigError, type ConfigSpec, type ConfigValues } from "../config/defineConfig";
import type { ContainerNetwork } from "../spec/jobSpecTypes";
import { parseSandboxUser } from "./containerSandbox";
import { parseRegistryList } from "./imageReference";
import type { SandboxCeilings } from "./sandboxCeilings";

/**
 * The `sandbox*` options, declared once for every service that runs containers (the agent's
 * agent/config.ts and the oracle's oracle/config.ts spread them into their own): the operator's
 * ceilings over container specs and the confinement of every container (PROTOCOL §12.5,
 * docs/OPERATORS.md). Read them with {@link sandboxSettingsFromConfig}.
 */
export const SANDBOX_CONFIG_OPTIONS = {
  sandboxCpus: {
    type: "integer",
    description: "sandbox: most CPUs one container may ask for (⌈milliCpus / 1000⌉; 0: the host's CPUs)",
    default: 0,
    min: 0,
    max: 512,
  },
  sandboxMemoryMiB: {
    type: "integer",
    description: "sandbox: most memory one container may ask for, MiB (0: the host's memory)",
    default: 0,
    min: 0,
  },
  sandboxPids: {
    type: "integer",
    description: "sandbox: most processes one container may ask for (its pidsLimit)",
    default: 4096,
    min: 8,
    max: 1_000_000,
  },
  sandboxGpus: {
    type: "integer",
    description: "sandbox: most GPUs one container may ask for (the host's free GPUs limit it further)",
    default: 16,
    min: 0,
    max: 16,
  },
  sandboxTmpMiB: {
    type: "integer",
    description: "sandbox: largest /tmp (tmpfs, counted in memory) one container may ask for, MiB",
    default: 1024,
    min: 1,
  },
  sandboxOutputBytes: {
    type: "integer",
    description:
      "sandbox: most output bytes one container invocation may ask for (the spec's outputBytes, default 1 GiB)",
    default: 1024 ** 3,
    min: 0,
  },
  sandboxOutputFiles: {
    type: "integer",
    description:
      "sandbox: most output files one container invocation may ask for (the spec's outputFiles, default 10000)",
    default: 10_000,
    min: 1,
  },
  sandboxLogBytes: {
    type: "integer",
    description: "sandbox: most bytes of one container's output kept in its log file and this service's log",
    default: 4 * 1024 * 1024,
    min: 1024,
    max: 1024 ** 3,
  },
  sandboxRunSeconds: {
    type: "integer",
    description: "sandbox: longest timeoutSec one container invocation may ask for",
    default: 24 * 3600,
    min: 1,
  },
  sandboxNetworks: {
    type: "string",
    description:
      "sandbox: networks a spec may ask for, comma-separated: none, bridge (bridge: public internet only, through a network this service filters)",
    default: "none",
  },
  sandboxRegistries: {
    type: "string",
    description:
      "sandbox: registries a spec's image may come from and be pulled from, comma-separated host[:port] (docker.io for short names; empty: only images already on this host, nothing is pulled)",
    default: "",
  },
  sandboxRuntime: {
    type: "enum",
    values: ["runc", "runsc", "kata-runtime"],
    description: "sandbox: OCI runtime of every container (runsc or kata-runtime only when `docker info` lists it)",
    default: "runc",
  },
  sandboxUser: {
    type: "string",
    description: "sandbox: uid:gid every container runs as (never 0); this service owns output folders for it",
    default: "65534:65534",
  },
} as const satisfies ConfigSpec;

/** The loaded values of the `sandbox*` options. */
export type SandboxConfigValues = ConfigValues<typeof SANDBOX_CONFIG_OPTIONS>;

/** The `sandbox*` options, parsed and checked: what `prepareSandbox` checks against the host. */
export interface SandboxSettings {
  ceilings: Omit<SandboxCeilings, "bridgeUnavailable">;
  /** `uid:gid`, never root. */
  user: string;
  runtime: string;
  logBytes: number;
}

/** Splits the `sandboxNetworks` option (`none` is always allowed). */
export function parseSandboxNetworks(value: string): ContainerNetwork[] {
  const names = value
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const bad = names.filter((n) => n !== "none" && n !== "bridge");
  if (bad.length > 0) throw new Error(`sandboxNetworks: unknown network(s) ${bad.join(", ")} (none, bridge)`);
  return ["none", ...(names.includes("bridge") ? (["bridge"] as const) : [])];
}

/**
 * Reads the `sandbox*` options of a loaded configuration (the agent's or the oracle's, the same
 * rules): the user is `uid:gid` and not root, the networks are known, every registry is a
 * `host[:port]`. Throws one {@link ConfigError} listing every problem.
 */
export function sandboxSettingsFromConfig(config: SandboxConfigValues): SandboxSettings {
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (err) {
      problems.push((err as Error).message);
      return fallback;
    }
  };
  attempt(() => parseSandboxUser(config.sandboxUser), undefined);
  const networks = attempt(() => parseSandboxNetworks(config.sandboxNetworks), ["none"] as ContainerNetwork[]);
  const registries = attempt(() => parseRegistryList(config.sandboxRegistries), [] as string[]);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ceilings: {
      cpus: config.sandboxCpus,
      memoryMiB: config.sandboxMemoryMiB,
      pids: config.sandboxPids,
      gpus: config.sandboxGpus,
      tmpMiB: config.sandboxTmpMiB,
      outputBytes: config.sandboxOutputBytes,
      outputFiles: config.sandboxOutputFiles,
      runSeconds: config.sandboxRunSeconds,
      networks,
      registries,
    },
    user: config.sandboxUser,
    runtime: config.sandboxRuntime,
    logBytes: config.sandboxLogBytes,
  };
}

/**
 * How the host confines every container it runs (PROTOCOL §12.3): the operator's choices, never
 * the spec's. The agent builds it from its `sandbox` config; the oracle re-runs under the same one.
 */
export interface ContainerSandbox {
  /** `uid:gid` the container's processes run as (never root). */
  user: string;
  /** The OCI runtime (`runc`, or `runsc`/`kata-runtime` when the engine lists it). */
  runtime: string;
  /**
   * The Docker network a spec's `network: "bridge"` joins: one whose private, link-local, metadata
   * and host addresses are blocked (`publicBridgeNetwork`). Absent: `bridge` specs are refused.
   */
  bridgeNetwork?: string;
  /** Most bytes of one container's output written to its log file and handed to `onLog`. */
  logBytes: number;
  /**
   * Registries an image may come from and be pulled from (`sandboxRegistries`, normalized by
   * `parseRegistryList`). Absent or empty: no registry, so only images already on this host run.
   */
  registries?: readonly string[];
}

/** The unprivileged user a root agent runs containers as: `nobody:nogroup`. */
export const SANDBOX_NOBODY = "65534:65534";

/** Default log budget of one container invocation: 4 MiB. */
export const DEFAULT_LOG_BYTES = 4 * 1024 * 1024;

/**
 * The sandbox when the caller gives none: `nobody` when this process is root (it can hand the
 * output folder to that user), else this process's own uid:gid (so it can remove what the container
 * leaves); `runc`; no bridge network; a 4 MiB log; no registry (only images already on this host).
 */
export function defaultSandbox(overrides: Partial<ContainerSandbox> = {}): ContainerSandbox {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    user: uid === 0 ? SANDBOX_NOBODY : `${uid}:${gid}`,
    runtime: "runc",
    logBytes: DEFAULT_LOG_BYTES,
    ...overrides,
  };
}

/** Parses `uid:gid` (both decimal); throws on anything else, and on uid 0. */
export function parseSandboxUser(user: string): { uid: number; gid: number } {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(user);
  if (m === null) throw new Error(`sandbox user must be uid:gid in decimal, not "${user}"`);
  const uid = Number(m[1]);
  const gid = Number(m[2]);
  if (uid === 0 || gid === 0) throw new Error("sandbox user must not be root (uid or gid 0)");
  return { uid, gid };
}

import type Dockerode from "dockerode";
import { RigelError } from "../../sdk/errors/RigelError";
import { parseSandboxUser, type ContainerSandbox } from "../../sdk/executor/containerSandbox";
import { ensurePublicBridge } from "../../sdk/executor/publicBridgeNetwork";
import type { Logger } from "../../sdk/log/createLogger";
import type { ContainerNetwork } from "../../sdk/spec/jobSpecTypes";
import type { SandboxCeilings } from "./sandboxCeilings";

/** The agent's `sandbox*` config, parsed (agent/config.ts). */
export interface AgentSandboxSettings {
  ceilings: Omit<SandboxCeilings, "bridgeUnavailable">;
  user: string;
  runtime: string;
  logBytes: number;
}

/** The configured runtime is not one the Docker engine lists: the agent does not start. */
export class SandboxRuntimeError extends RigelError {
  override readonly name = "SandboxRuntimeError";
  constructor(runtime: string, available: string[]) {
    super(
      "AGENT_SANDBOX_RUNTIME",
      `sandboxRuntime is "${runtime}" but this Docker engine offers ${available.join(", ") || "no runtime"}: install it (and register it in daemon.json) or choose runc`,
      { details: { runtime, available } },
    );
  }
}

/**
 * Checks the sandbox against this host at start (PROTOCOL §12.5): the user is `uid:gid` and not
 * root, the runtime is one `docker info` lists (else {@link SandboxRuntimeError}: the agent refuses
 * to start; an engine that does not answer is only logged, container shards are declined then), and when `bridge` is allowed, the filtered public bridge is set up; when it cannot be
 * (not root, no iptables), `bridge` specs are declined with that reason and the agent runs on.
 */
export async function prepareSandbox(
  docker: Pick<Dockerode, "info" | "getNetwork" | "createNetwork">,
  settings: AgentSandboxSettings,
  logger: Logger,
): Promise<{ executor: ContainerSandbox; ceilings: SandboxCeilings }> {
  parseSandboxUser(settings.user);
  const executor: ContainerSandbox = { user: settings.user, runtime: settings.runtime, logBytes: settings.logBytes };
  const ceilings: SandboxCeilings = { ...settings.ceilings };
  let info: { Runtimes?: Record<string, unknown> };
  try {
    info = (await docker.info()) as typeof info;
  } catch (err) {
    // No engine: container shards are declined anyway (no image); matmul and llm work goes on.
    logger.warn({ err }, "the Docker engine does not answer: the sandbox is not checked, bridge is declined");
    return { executor, ceilings: { ...ceilings, bridgeUnavailable: "the Docker engine did not answer at start" } };
  }
  const available = Object.keys(info.Runtimes ?? {});
  if (!available.includes(settings.runtime)) throw new SandboxRuntimeError(settings.runtime, available);
  if (settings.ceilings.networks.includes("bridge")) {
    try {
      executor.bridgeNetwork = await ensurePublicBridge(docker);
      logger.info({ network: executor.bridgeNetwork }, "public bridge ready: bridge specs reach the internet only");
    } catch (err) {
      ceilings.bridgeUnavailable = (err as Error).message;
      logger.warn({ err }, "the public bridge cannot be set up: bridge specs will be declined");
    }
  }
  return { executor, ceilings };
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

import type Dockerode from "dockerode";
import { RigelError } from "../errors/RigelError";
import type { Logger } from "../log/createLogger";
import { parseSandboxUser, type ContainerSandbox } from "./containerSandbox";
import { ensurePublicBridge, type IptablesRunner } from "./publicBridgeNetwork";
import type { SandboxCeilings } from "./sandboxCeilings";
import type { SandboxSettings } from "./sandboxConfig";

/** The configured runtime is not one the Docker engine lists: the agent (or oracle) does not start. */
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

/** What {@link prepareSandbox} hands on: the executor's sandbox and the ceilings specs are checked against. */
export interface PreparedSandbox {
  executor: ContainerSandbox;
  ceilings: SandboxCeilings;
}

/**
 * Checks the sandbox against this host at start (PROTOCOL §12.5), the same for the agent and the
 * oracle: the user is `uid:gid` and not root, the runtime is one `docker info` lists (else
 * {@link SandboxRuntimeError}: the service refuses to start; an engine that does not answer is only
 * logged, and `bridge` is unavailable then), and when `bridge` is allowed, the filtered public
 * bridge is set up; when it cannot be (not root, no iptables), `ceilings.bridgeUnavailable` says why:
 * the agent declines `bridge` specs with that reason, the oracle does not re-run them, and both run on.
 */
export async function prepareSandbox(
  docker: Pick<Dockerode, "info" | "getNetwork" | "createNetwork">,
  settings: SandboxSettings,
  logger: Logger,
  iptables?: IptablesRunner,
): Promise<PreparedSandbox> {
  parseSandboxUser(settings.user);
  const executor: ContainerSandbox = {
    user: settings.user,
    runtime: settings.runtime,
    logBytes: settings.logBytes,
    registries: settings.ceilings.registries,
  };
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
      executor.bridgeNetwork = await ensurePublicBridge(docker, iptables);
      logger.info({ network: executor.bridgeNetwork }, "public bridge ready: bridge specs reach the internet only");
    } catch (err) {
      ceilings.bridgeUnavailable = (err as Error).message;
      logger.warn({ err }, "the public bridge cannot be set up: bridge specs will be declined");
    }
  }
  return { executor, ceilings };
}

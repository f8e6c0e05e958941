import type Dockerode from "dockerode";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { RigelError } from "../errors/RigelError";

/** The Docker network `bridge` specs join, and the Linux interface its bridge gets. */
export const PUBLIC_BRIDGE = { name: "rigel-public", iface: "rigel-pub0" } as const;

/**
 * Destinations a container on the public bridge never reaches (PROTOCOL §12.3): private (RFC 1918),
 * shared (RFC 6598), loopback, link-local (with the cloud metadata address 169.254.169.254),
 * "this network", multicast and reserved ranges. The host's own addresses are blocked separately,
 * on its INPUT chain, whatever they are.
 */
export const BLOCKED_RANGES = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "0.0.0.0/8",
  "224.0.0.0/4",
  "240.0.0.0/4",
] as const;

/** The filtered bridge could not be set up: `bridge` specs are declined with this reason. */
export class PublicBridgeError extends RigelError {
  override readonly name = "PublicBridgeError";
  constructor(message: string, cause: unknown) {
    super("EXECUTOR_PUBLIC_BRIDGE", message, { cause });
  }
}

/** Runs `iptables` with arguments (tests pass a recorder). */
export type IptablesRunner = (args: readonly string[]) => Promise<void>;

const runIptables: IptablesRunner = async (args) => {
  await promisify(execFile)("iptables", ["-w", "5", ...args]);
};

/** The iptables rules of the public bridge, as `[chain, ...match]` (each inserted with `-I`, checked with `-C`). */
export function publicBridgeRules(iface: string = PUBLIC_BRIDGE.iface): string[][] {
  return [
    // Anything from the bridge to the host itself (its LAN, public and docker0 addresses alike).
    ["INPUT", "-i", iface, "-j", "DROP"],
    ...BLOCKED_RANGES.map((range) => ["DOCKER-USER", "-i", iface, "-d", range, "-j", "DROP"]),
  ];
}

/**
 * Makes the network `bridge` specs join: a Docker bridge network (`rigel-public`, interface
 * `rigel-pub0`, no traffic between its containers) whose traffic may go to the public internet
 * only: `DOCKER-USER` drops every {@link BLOCKED_RANGES} destination and `INPUT` drops everything
 * to the host. Idempotent (a rule already there is not added twice). Needs root (or CAP_NET_ADMIN)
 * for iptables.
 * @returns the network's name, for `ContainerSandbox.bridgeNetwork`.
 * @throws PublicBridgeError when the network or a rule cannot be made.
 */
export async function ensurePublicBridge(
  docker: Pick<Dockerode, "getNetwork" | "createNetwork">,
  iptables: IptablesRunner = runIptables,
): Promise<string> {
  const { name, iface } = PUBLIC_BRIDGE;
  try {
    await docker.getNetwork(name).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) {
      throw new PublicBridgeError(`cannot inspect the Docker network ${name}`, err);
    }
    try {
      await docker.createNetwork({
        Name: name,
        Driver: "bridge",
        Options: {
          "com.docker.network.bridge.name": iface,
          "com.docker.network.bridge.enable_icc": "false",
        },
        Labels: { "rigel.network": "public" },
      });
    } catch (createErr) {
      throw new PublicBridgeError(`cannot create the Docker network ${name}`, createErr);
    }
  }
  for (const [chain, ...match] of publicBridgeRules(iface)) {
    const present = await iptables(["-C", chain, ...match]).then(
      () => true,
      () => false,
    );
    if (present) continue;
    try {
      await iptables(["-I", chain, "1", ...match]);
    } catch (err) {
      const reason = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
      throw new PublicBridgeError(`cannot install the iptables rule ${chain} ${match.join(" ")}: ${reason}`, err);
    }
  }
  return name;
}

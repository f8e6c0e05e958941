import { createConfig, http, injected, type Config } from "wagmi";
import type { RigelConfig } from "./rigelConfig";

/** One injected (EIP-1193) wallet, one chain: the deployment's. */
export function createWagmiConfig(rigel: RigelConfig): Config {
  return createConfig({
    chains: [rigel.chain],
    connectors: [injected()],
    multiInjectedProviderDiscovery: false,
    transports: { [rigel.chain.id]: http(rigel.rpcUrl, { retryCount: 0, timeout: 5_000 }) },
    pollingInterval: 1_000,
  });
}

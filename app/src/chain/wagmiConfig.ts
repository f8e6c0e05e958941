import { createConfig, http, injected, type Config, type CreateConnectorFn } from "wagmi";
import type { RigelConfig } from "./rigelConfig";

/** One injected (EIP-1193) wallet first, then `extra` (WalletConnect when configured); one chain: the deployment's. */
export function createWagmiConfig(rigel: RigelConfig, extra: CreateConnectorFn[] = []): Config {
  return createConfig({
    chains: [rigel.chain],
    connectors: [injected(), ...extra],
    multiInjectedProviderDiscovery: false,
    transports: { [rigel.chain.id]: http(rigel.rpcUrl, { retryCount: 0, timeout: 5_000 }) },
    pollingInterval: 1_000,
  });
}

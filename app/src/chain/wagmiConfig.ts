import { createConfig, http, injected, type Config, type CreateConnectorFn } from "wagmi";
import type { RigelConfig } from "./rigelConfig";

/** A chain read may take this long before the page calls it failed (a busy or distant RPC node answers slowly). */
export const RPC_TIMEOUT_MS = 30_000;

/**
 * One injected (EIP-1193) wallet first, then `extra` (WalletConnect when configured); one chain: the
 * deployment's. Reads are not retried (a failure shows at once, in words) but may take
 * {@link RPC_TIMEOUT_MS}: with 5 s, a loaded node made the page report "Delegate failed: the request
 * took too long to respond" for a transaction that was mined.
 */
export function createWagmiConfig(rigel: RigelConfig, extra: CreateConnectorFn[] = []): Config {
  return createConfig({
    chains: [rigel.chain],
    connectors: [injected(), ...extra],
    multiInjectedProviderDiscovery: false,
    transports: { [rigel.chain.id]: http(rigel.rpcUrl, { retryCount: 0, timeout: RPC_TIMEOUT_MS }) },
    pollingInterval: 1_000,
  });
}

import type { Address, PublicClient } from "viem";
import { operatorStakingAbi } from "../../sdk/contracts/abis";
import { ChainUnavailableError } from "./marketReader";

/** How long an answer is reused: a registration shows within a minute, and a key costs one read a minute. */
const TTL_MS = 60_000;
/** Addresses remembered at most (the oldest answer is dropped first). */
const MAX_CACHED = 10_000;

/**
 * Whether an address is a registered operator (`OperatorStaking.operatorInfo(a).registered`), each
 * answer cached for a minute in a bounded map. A failed read throws {@link ChainUnavailableError} (503).
 */
export function registeredOperatorCheck(
  client: PublicClient,
  staking: Address,
  nowMs: () => number = Date.now,
): (address: Address) => Promise<boolean> {
  const cache = new Map<string, { registered: boolean; at: number }>();
  return async (address) => {
    const key = address.toLowerCase();
    const known = cache.get(key);
    if (known && nowMs() - known.at < TTL_MS) return known.registered;
    let registered: boolean;
    try {
      const info = await client.readContract({
        address: staking,
        abi: operatorStakingAbi,
        functionName: "operatorInfo",
        args: [address],
      });
      registered = info.registered;
    } catch (err) {
      throw new ChainUnavailableError("operator registration", err);
    }
    cache.delete(key);
    cache.set(key, { registered, at: nowMs() });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    return registered;
  };
}

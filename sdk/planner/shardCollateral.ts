import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../contracts/abis";
import { PlannerInputError } from "./errors";

/** Parameters of {@link shardCollateral}. */
export interface ShardCollateralParameters {
  /** JobMarket's address. */
  market: Address;
  /** The job's payment token (must be allowlisted by the market). */
  paymentToken: Address;
  /** The job's `maxUnitsPerShard`. */
  maxUnits: bigint;
  /** The job's `maxPricePerUnit`. */
  maxPrice: bigint;
}

/**
 * The RGL collateral one shard of `maxUnits` units at `maxPrice` locks now:
 * `⌈V · collateralRatioBps / 10^4 · rglPerToken / 10^18⌉` with `V = maxUnits · maxPrice`
 * (MarketMath.collateral, PROTOCOL §9.2). Browser-safe.
 * @throws PlannerInputError when the market does not allow the payment token.
 */
export async function shardCollateral(
  client: PublicClient,
  { market, paymentToken, maxUnits, maxPrice }: ShardCollateralParameters,
): Promise<bigint> {
  const [params, entry] = await Promise.all([
    client.readContract({ address: market, abi: jobMarketAbi, functionName: "params" }),
    client.readContract({ address: market, abi: jobMarketAbi, functionName: "paymentToken", args: [paymentToken] }),
  ]);
  if (!entry.allowed) {
    throw new PlannerInputError(`payment token ${paymentToken} is not allowlisted by the market`, { paymentToken });
  }
  const num = maxUnits * maxPrice * BigInt(params.collateralRatioBps) * entry.rglPerToken;
  const den = 10_000n * 10n ** 18n;
  return (num + den - 1n) / den;
}

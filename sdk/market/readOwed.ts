import type { Address, Client } from "viem";
import { readContract } from "viem/actions";
import { jobMarketAbi } from "../contracts/abis";

/** Parameters of {@link readOwed}. */
export interface ReadOwedParameters {
  /** JobMarket's address. */
  market: Address;
  /** The payment token. */
  token: Address;
  /** Whose credit: an operator, a developer or the treasury. */
  account: Address;
  /** Read at this block; default the latest. */
  blockNumber?: bigint;
}

/**
 * What `account` is owed in `token` and may withdraw (`owedOf`, pull payments, docs/PROTOCOL.md
 * §20.1): payouts, refunds and fees are credited inside the market, never sent by a settlement.
 * RPC errors are viem's, unchanged.
 */
export function readOwed(client: Client, { market, token, account, blockNumber }: ReadOwedParameters): Promise<bigint> {
  return readContract(client, {
    address: market,
    abi: jobMarketAbi,
    functionName: "owedOf",
    args: [token, account],
    blockNumber,
  });
}

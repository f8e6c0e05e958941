import { erc20Abi, getAddress, type Address, type PublicClient } from "viem";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import type { Deployment } from "../../../sdk/contracts/parseDeployment";
import { readOwed as readOwedIn } from "../../../sdk/market/readOwed";

/** What the market owes one account in one payment token (PROTOCOL §9.3: credited, then withdrawn). */
export interface OwedRow {
  token: Address;
  /** `symbol()`, or the shortened address for a token without one. */
  symbol: string;
  /** `decimals()`, or 18 for a token without one. */
  decimals: number;
  /** `owedOf(token, account)`: what `withdraw(token, account)` pays now. */
  owed: bigint;
}

/**
 * `owedOf(token, account)` (sdk `readOwed`) for RGL and every token of a `PaymentTokenSet` event since the deployment
 * block (a token disallowed later stays: its credit can still be withdrawn), RGL first.
 */
export async function readOwed(client: PublicClient, deployment: Deployment, account: Address): Promise<OwedRow[]> {
  const market = deployment.contracts.JobMarket;
  const set = await client.getContractEvents({
    address: market,
    abi: jobMarketAbi,
    eventName: "PaymentTokenSet",
    fromBlock: deployment.block,
  });
  const tokens = [
    ...new Set([getAddress(deployment.contracts.ComputeToken), ...set.map((e) => getAddress(e.args.token!))]),
  ];
  return Promise.all(
    tokens.map(async (token): Promise<OwedRow> => {
      const [owed, symbol, decimals] = await Promise.all([
        readOwedIn(client, { market, token, account }),
        client
          .readContract({ address: token, abi: erc20Abi, functionName: "symbol" })
          .catch(() => `${token.slice(0, 6)}…${token.slice(-4)}`),
        client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
      ]);
      return { token, symbol, decimals, owed };
    }),
  );
}

// What the market owes an account, per payment token (`owedOf`, PROTOCOL §9.3): refunds and payouts are
// credited there and leave only by `withdraw`.
import type { Address } from "viem";
import { readOwed as readOwedIn } from "../sdk/market/readOwed";
import type { Connection } from "./connect";
import { knownPaymentTokens } from "./knownPaymentTokens";
import { readTokenInfo, type TokenInfo } from "./tokenAmount";

/** One token's credit: what `withdraw(token, to)` would pay `account` now. */
export interface OwedBalance extends TokenInfo {
  owed: bigint;
}

/** Parameters of {@link readOwed}. */
export interface ReadOwedParameters {
  account: Address;
  /** Only these tokens; default every token the market has known ({@link knownPaymentTokens}). */
  tokens?: Address[];
}

/** `owedOf(token, account)` (sdk `readOwed`) for each token, with the token's symbol and decimals, in token order. */
export async function readOwed(conn: Connection, { account, tokens }: ReadOwedParameters): Promise<OwedBalance[]> {
  const list = tokens ?? (await knownPaymentTokens(conn));
  return Promise.all(
    list.map(async (token) => {
      const [info, owed] = await Promise.all([
        readTokenInfo(conn.publicClient, token),
        readOwedIn(conn.publicClient, { market: conn.deployment.contracts.JobMarket, token, account }),
      ]);
      return { ...info, owed };
    }),
  );
}

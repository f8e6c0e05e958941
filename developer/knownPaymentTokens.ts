// The payment tokens the market has ever known: RGL and every token in a `PaymentTokenSet` event since
// the deployment block. A token governance later disallowed is kept: what the market owes in it can
// still be withdrawn (PROTOCOL §9.1, §15.5).
import { getAddress, type Address } from "viem";
import { jobMarketAbi } from "../sdk/contracts/abis";
import type { Connection } from "./connect";

/** RGL first, then the allowlisted (or once allowlisted) tokens in the order they were first set. */
export async function knownPaymentTokens(conn: Connection): Promise<Address[]> {
  const { contracts, block } = conn.deployment;
  const logs = await conn.publicClient.getContractEvents({
    address: contracts.JobMarket,
    abi: jobMarketAbi,
    eventName: "PaymentTokenSet",
    fromBlock: block,
  });
  const tokens = [getAddress(contracts.ComputeToken), ...logs.map((l) => getAddress(l.args.token!))];
  return [...new Set(tokens)];
}

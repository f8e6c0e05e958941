// Token amounts for people: a token's symbol and decimals (its ERC-20 metadata, read once), and an
// amount in whole tokens beside its exact base units.
import { erc20Abi, formatUnits, type Address, type Client } from "viem";
import { readContract } from "viem/actions";

/** A payment token as the CLI names it. */
export interface TokenInfo {
  address: Address;
  /** `symbol()`, or the shortened address when the token has none. */
  symbol: string;
  /** `decimals()`, or 0 when the token has none (amounts are then shown in base units). */
  decimals: number;
}

/** Reads `symbol()` and `decimals()`; a token without them is named by its address, in base units. */
export async function readTokenInfo(client: Client, address: Address): Promise<TokenInfo> {
  const [symbol, decimals] = await Promise.all([
    readContract(client, { address, abi: erc20Abi, functionName: "symbol" }).catch(
      () => `${address.slice(0, 6)}…${address.slice(-4)}`,
    ),
    readContract(client, { address, abi: erc20Abi, functionName: "decimals" }).catch(() => 0),
  ]);
  return { address, symbol, decimals };
}

/** Most fraction digits shown; more are cut (towards zero) and the amount is marked `~`. */
const SHOWN_DECIMALS = 6;

/**
 * `1,234.5 tUSD`: whole tokens, thousands grouped, at most 6 decimals (a cut amount starts with `~`);
 * a non-zero amount below 0.000001 token is written out in full (`0.000000000000002925 RGL`) rather
 * than rounded to nothing. The exact value is the base units.
 */
export function formatTokenAmount(amount: bigint, token: Pick<TokenInfo, "symbol" | "decimals">): string {
  const [whole, fraction = ""] = formatUnits(amount, token.decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const shown = fraction.slice(0, SHOWN_DECIMALS).replace(/0+$/, "");
  const cut = fraction.length > SHOWN_DECIMALS && /[1-9]/.test(fraction.slice(SHOWN_DECIMALS));
  if (amount > 0n && grouped === "0" && shown === "") return `0.${fraction} ${token.symbol}`;
  return `${cut ? "~" : ""}${shown ? `${grouped}.${shown}` : grouped} ${token.symbol}`;
}

/** `1.5 tUSD (1500000 base units)`: for the lines that report money moved. */
export function formatTokenAmountExact(amount: bigint, token: Pick<TokenInfo, "symbol" | "decimals">): string {
  return `${formatTokenAmount(amount, token)} (${amount} base units)`;
}

// Amounts typed on a command line: whole tokens by default ("100", "1.5 RGL", "100rgl"); wei (the
// token's base units) only with the explicit unit ("100wei", "100 wei").
import { parseUnits } from "viem";
import { RigelError } from "../errors/RigelError";

/** A flag's amount that is not a number of tokens or of wei. */
export class AmountArgError extends RigelError {
  override readonly name = "AmountArgError";
}

/** How to read an amount flag. */
export interface AmountArgOptions {
  /** The token's decimals (18 for RGL). */
  decimals: number;
  /** The token's symbol, accepted as a suffix in any case ("RGL", "rgl"). */
  symbol: string;
  /** The flag's name for the message, e.g. "--budget". */
  flag: string;
}

const AMOUNT = /^(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z][A-Za-z0-9]*)?$/;

/**
 * The base units of `text`: "100" and "100 RGL"/"100rgl" are 100 whole tokens, "100wei"/"100 wei"
 * is 100 base units. Anything else (negative, a fraction of a wei, more decimals than the token has,
 * another symbol) throws an {@link AmountArgError} naming the flag.
 */
export function parseAmountArg(text: string, opts: AmountArgOptions): bigint {
  const trimmed = text.trim().replace(/_/g, "");
  const m = AMOUNT.exec(trimmed);
  const fail = (why: string): never => {
    throw new AmountArgError("CLI_BAD_AMOUNT", `${opts.flag} "${text}" ${why}`, {
      details: { flag: opts.flag, text },
    });
  };
  if (!m) return fail(`is not an amount: write tokens ("100" or "100 ${opts.symbol}") or base units ("100wei")`);
  const [, number, unit] = m;
  if (unit !== undefined && unit.toLowerCase() === "wei") {
    if (!/^\d+$/.test(number)) return fail("is a fraction of a wei: wei amounts are whole numbers");
    return BigInt(number);
  }
  if (unit !== undefined && unit.toLowerCase() !== opts.symbol.toLowerCase()) {
    return fail(`names ${unit}, but this amount is in ${opts.symbol} (or "wei")`);
  }
  const fraction = number.split(".")[1] ?? "";
  if (fraction.length > opts.decimals) {
    return fail(`has more decimals than ${opts.symbol} has (${opts.decimals})`);
  }
  return parseUnits(number.endsWith(".") ? number.slice(0, -1) : number, opts.decimals);
}

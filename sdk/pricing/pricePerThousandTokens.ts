import { RigelError } from "../errors/RigelError";

/** Tokens in the unit people price language-model work in (PROTOCOL §16.5). */
export const TOKENS_PER_PRICE_QUOTE = 1000n;

/** A price per 1,000 tokens that is not a whole number of base units per token. */
export class TokenPriceError extends RigelError {
  override readonly name = "TokenPriceError";
  constructor(perThousand: bigint) {
    super(
      "TOKEN_PRICE_NOT_EXACT",
      `a price of ${perThousand} base units per 1,000 tokens is not a whole number of base units per token ` +
        `(it must be a positive multiple of ${TOKENS_PER_PRICE_QUOTE})`,
      { details: { perThousand, remainder: perThousand % TOKENS_PER_PRICE_QUOTE } },
    );
  }
}

/**
 * The on-chain price per unit of an `llm-inference` job (a unit is one token, PROTOCOL §19.1) for a
 * price per 1,000 tokens, both in the payment token's base units: `perThousand / 1000`, exactly.
 * Throws {@link TokenPriceError} when `perThousand` is not a positive multiple of 1000 (for an
 * 18-decimal token: more than 15 decimals of a token, or zero), so nothing is ever rounded.
 */
export function pricePerUnitFromPerThousandTokens(perThousand: bigint): bigint {
  if (perThousand <= 0n || perThousand % TOKENS_PER_PRICE_QUOTE !== 0n) throw new TokenPriceError(perThousand);
  return perThousand / TOKENS_PER_PRICE_QUOTE;
}

/** The price per 1,000 tokens of an on-chain price per unit (one token), in base units: exact. */
export function perThousandTokensFromPricePerUnit(perUnit: bigint): bigint {
  return perUnit * TOKENS_PER_PRICE_QUOTE;
}

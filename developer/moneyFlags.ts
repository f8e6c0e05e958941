// `--budget`, `--max-price` and `--max-price-per-1k-tokens`: amounts in the payment token's whole
// tokens by default ("100", "1.5 RGL"), base units only with the explicit unit ("100wei")
// (sdk/cli/parseAmount). A price that is less than one base unit per unit, or zero, is refused with a
// sentence rather than rounded to nothing.
import { UsageError } from "../sdk/cli/commands";
import { formatTokenAmount } from "../sdk/cli/humanFormat";
import { AmountArgError, parseAmountArg } from "../sdk/cli/parseAmount";
import { TOKENS_PER_PRICE_QUOTE } from "../sdk/pricing/pricePerThousandTokens";
import type { JobSpec } from "../sdk/spec/jobSpecTypes";
import type { TokenInfo } from "./tokenAmount";

/** The money flags of `plan` and `submit`. */
export interface MoneyFlags {
  budget?: string;
  "max-price"?: string;
  "max-price-per-1k-tokens"?: string;
}

/** Reads an amount flag in `token`; a malformed amount is a usage error with the flag named. */
export function amountFlag(value: string | undefined, flag: string, token: TokenInfo): bigint | undefined {
  if (value === undefined) return undefined;
  try {
    return parseAmountArg(value, { decimals: token.decimals, symbol: token.symbol, flag: `--${flag}` });
  } catch (err) {
    if (err instanceof AmountArgError) throw new UsageError("RIGEL_JOB_BAD_AMOUNT", err.message);
    throw err;
  }
}

const amount = (v: bigint, token: TokenInfo) => formatTokenAmount(v, token.decimals, token.symbol);

/** `--budget` in base units (undefined when not given); zero is refused. */
export function budgetOf(flags: MoneyFlags, token: TokenInfo): bigint | undefined {
  const budget = amountFlag(flags.budget, "budget", token);
  if (budget === 0n) throw new UsageError("RIGEL_JOB_BAD_AMOUNT", "--budget must be above zero");
  return budget;
}

/**
 * The most paid per unit, in base units: `--max-price` (tokens per unit), or for an llm-inference job
 * (a unit is a token) `--max-price-per-1k-tokens` divided by 1000 exactly. Zero, or a price per
 * 1,000 tokens that is not a whole number of base units per token, is refused with a sentence.
 */
export function maxPriceOf(flags: MoneyFlags, spec: Pick<JobSpec, "kind">, token: TokenInfo): bigint {
  const perUnit = amountFlag(flags["max-price"], "max-price", token);
  const perThousand = amountFlag(flags["max-price-per-1k-tokens"], "max-price-per-1k-tokens", token);
  if (perThousand !== undefined) {
    if (spec.kind !== "llm-inference") {
      throw new UsageError(
        "RIGEL_JOB_BAD_FLAG",
        "--max-price-per-1k-tokens is for llm-inference jobs (units are tokens)",
      );
    }
    if (perUnit !== undefined) {
      throw new UsageError("RIGEL_JOB_BAD_FLAG", "give --max-price or --max-price-per-1k-tokens, not both");
    }
    if (perThousand < TOKENS_PER_PRICE_QUOTE) {
      throw new UsageError(
        "RIGEL_JOB_PRICE_ROUNDS_TO_ZERO",
        `--max-price-per-1k-tokens ${amount(perThousand, token)} is less than 1 base unit per token and would pay nothing: ` +
          `the least is ${amount(TOKENS_PER_PRICE_QUOTE, token)} per 1,000 tokens`,
      );
    }
    if (perThousand % TOKENS_PER_PRICE_QUOTE !== 0n) {
      const down = (perThousand / TOKENS_PER_PRICE_QUOTE) * TOKENS_PER_PRICE_QUOTE;
      throw new UsageError(
        "RIGEL_JOB_BAD_PRICE",
        `--max-price-per-1k-tokens ${amount(perThousand, token)} is not a whole number of base units per token: ` +
          `use ${amount(down, token)} or ${amount(down + TOKENS_PER_PRICE_QUOTE, token)}`,
      );
    }
    return perThousand / TOKENS_PER_PRICE_QUOTE;
  }
  if (perUnit === undefined) {
    throw new UsageError(
      "RIGEL_JOB_NO_PRICE",
      spec.kind === "llm-inference"
        ? `--max-price-per-1k-tokens (or --max-price) is required, in ${token.symbol} (e.g. 1 for 1 ${token.symbol} per 1,000 tokens)`
        : `--max-price is required: the most paid per unit, in ${token.symbol} (e.g. 0.001, or 1000wei)`,
    );
  }
  if (perUnit === 0n) throw new UsageError("RIGEL_JOB_PRICE_ROUNDS_TO_ZERO", "--max-price must be above zero");
  return perUnit;
}

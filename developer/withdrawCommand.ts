// `rigel job withdraw [--token T] [--to A] [--dry-run]`: the market credits refunds and payouts
// (PROTOCOL §9.3, pull payments); this pays them out, one `withdraw(token, to)` per token owed.
import { getAddress, isAddress, zeroAddress, type Address, type Hex } from "viem";
import { defineCommand, UsageError } from "../sdk/cli/commands";
import { withdraw } from "../sdk/market/withdraw";
import { errorText, toJson } from "./commandHelpers";
import { CONNECTION_FLAGS, connect, type Connection, type JobCliDeps } from "./connect";
import { readOwed, type OwedBalance } from "./readOwed";
import { formatTokenAmount, formatTokenAmountExact, type TokenInfo } from "./tokenAmount";

/** One token paid out: the `Withdrawn` event's amount (or, on a dry run, what is owed). */
export interface Withdrawal extends TokenInfo {
  amount: bigint;
  /** The amount in whole tokens (`1.5 tUSD`). */
  amountText: string;
  /** Null on a dry run. */
  transaction: Hex | null;
}

export interface WithdrawReturnType {
  account: Address;
  to: Address;
  dryRun: boolean;
  withdrawn: Withdrawal[];
  failed: { token: Address; symbol: string; error: string }[];
  /** What stays owed after the transactions, per token asked about (zero for a token paid out). */
  owed: (OwedBalance & { owedText: string })[];
}

/** `--token`: an address, or `RGL` for the protocol token. */
export function tokenArg(conn: Connection, value: string | undefined): Address | undefined {
  if (value === undefined) return undefined;
  if (value.toUpperCase() === "RGL") return getAddress(conn.deployment.contracts.ComputeToken);
  if (!isAddress(value))
    throw new UsageError("RIGEL_JOB_BAD_TOKEN", `--token must be an address or RGL, not "${value}"`);
  return getAddress(value);
}

function toArg(value: string | undefined, self: Address): Address {
  if (value === undefined) return self;
  if (!isAddress(value) || getAddress(value) === zeroAddress)
    throw new UsageError("RIGEL_JOB_BAD_ADDRESS", `--to must be a non-zero address, not "${value}"`);
  return getAddress(value);
}

/** sdk `withdraw`: reads `owedOf`, simulates, sends, and reports the `Withdrawn` event's amount. */
async function withdrawOne(conn: Connection, token: OwedBalance, to: Address): Promise<Withdrawal> {
  const { amount, hash } = await withdraw(
    { publicClient: conn.publicClient, walletClient: conn.walletClient! },
    { market: conn.deployment.contracts.JobMarket, token: token.address, to },
  );
  const { owed: _owed, ...info } = token;
  return { ...info, amount, amountText: formatTokenAmount(amount, info), transaction: hash ?? null };
}

/**
 * Pays out what the market owes the key's account in `tokens` (default every token it has known),
 * to `to`; a token with nothing owed is skipped (no transaction that would revert `MarketNothingOwed`).
 * A failed transaction is reported and the other tokens still go.
 */
export async function withdrawOwed(
  conn: Connection,
  params: { tokens?: Address[]; to?: Address; dryRun?: boolean },
): Promise<WithdrawReturnType> {
  const account = conn.account!.address;
  const to = params.to ?? account;
  const before = await readOwed(conn, { account, tokens: params.tokens });
  const withdrawn: Withdrawal[] = [];
  const failed: WithdrawReturnType["failed"] = [];
  for (const token of before.filter((t) => t.owed > 0n)) {
    if (params.dryRun) {
      const { owed, ...info } = token;
      withdrawn.push({ ...info, amount: owed, amountText: formatTokenAmount(owed, info), transaction: null });
      continue;
    }
    try {
      const w = await withdrawOne(conn, token, to);
      // Nothing sent when the credit was withdrawn meanwhile (sdk withdraw reads owedOf first).
      if (w.transaction) withdrawn.push(w);
    } catch (err) {
      failed.push({ token: token.address, symbol: token.symbol, error: errorText(err) });
    }
  }
  const after = params.dryRun ? before : await readOwed(conn, { account, tokens: before.map((t) => t.address) });
  return {
    account,
    to,
    dryRun: params.dryRun ?? false,
    withdrawn,
    failed,
    owed: after.map((t) => ({ ...t, owedText: formatTokenAmount(t.owed, t) })),
  };
}

function withdrawText(r: WithdrawReturnType): string {
  if (r.withdrawn.length === 0 && r.failed.length === 0) return `nothing owed to ${r.account} on this market`;
  const lines = [
    r.dryRun ? `would withdraw to ${r.to} (dry run):` : `withdrew to ${r.to} in ${r.withdrawn.length} transaction(s):`,
  ];
  for (const w of r.withdrawn)
    lines.push(`  ${formatTokenAmountExact(w.amount, w)} of ${w.address}${w.transaction ? ` (${w.transaction})` : ""}`);
  for (const f of r.failed) lines.push(`  FAILED ${f.symbol} (${f.token}): ${f.error}`);
  const left = r.owed.filter((t) => t.owed > 0n);
  if (!r.dryRun && left.length > 0) lines.push(`still owed: ${left.map((t) => t.owedText).join(", ")}`);
  return lines.join("\n");
}

/** The `withdraw` command, bound to `deps`. */
export function withdrawCommand(deps: JobCliDeps) {
  return defineCommand({
    name: "withdraw",
    summary: "withdraw what the market owes you (refunds are credited there, not sent): every token, or --token",
    flags: {
      ...CONNECTION_FLAGS,
      token: { type: "string", value: "ADDR", description: "only this payment token (an address, or RGL)" },
      to: { type: "string", value: "ADDR", description: "pay to this address (default: your own)" },
      "dry-run": { type: "boolean", description: "show what is owed and send nothing" },
    },
    async run({ flags, out }) {
      const conn = await connect(flags, deps, true);
      const token = tokenArg(conn, flags.token);
      const r = await withdrawOwed(conn, {
        tokens: token ? [token] : undefined,
        to: toArg(flags.to, conn.account!.address),
        dryRun: flags["dry-run"],
      });
      out.result(flags.json ? toJson(r) : withdrawText(r));
      if (r.failed.length === 0) return 0;
      out.error(`rigel job withdraw: ${r.failed.length} transaction(s) failed`);
      return 1;
    },
  });
}

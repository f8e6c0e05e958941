// Human-readable output for the CLIs: token amounts with a few decimals and thousands separators,
// dates in UTC, durations, basis points as percent, and short addresses. `--json` output never uses
// these (it prints exact values: bigints as decimal strings).
import { formatUnits } from "viem";

/** How an amount is shown. */
export interface FormatAmountOptions {
  /** Significant decimals kept (default 4); more are cut towards zero and the amount starts with `~`. */
  decimals?: number;
  /** Every decimal, no cut (for lines that report exact money moved). */
  exact?: boolean;
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * `1,234.5 tUSD`: whole tokens with thousands separators and at most 4 decimals (an amount under one
 * token keeps 4 significant digits, so 1 wei of an 18-decimal token is `0.000000000000000001`);
 * a cut amount starts with `~`.
 */
export function formatTokenAmount(
  amount: bigint,
  decimals: number,
  symbol: string,
  opts: FormatAmountOptions = {},
): string {
  const negative = amount < 0n;
  const [whole, fraction = ""] = formatUnits(negative ? -amount : amount, decimals).split(".");
  const keep = opts.decimals ?? 4;
  let shownLength = fraction.length;
  if (!opts.exact) {
    const leadingZeros = whole === "0" ? (fraction.match(/^0*/)?.[0].length ?? 0) : 0;
    shownLength = Math.min(fraction.length, leadingZeros + keep);
  }
  const shown = fraction.slice(0, shownLength).replace(/0+$/, "");
  const cut = /[1-9]/.test(fraction.slice(shownLength));
  const number = shown ? `${groupThousands(whole)}.${shown}` : groupThousands(whole);
  return `${cut ? "~" : ""}${negative ? "-" : ""}${number}${symbol ? ` ${symbol}` : ""}`;
}

/** `12.5 RGL`: an amount of RGL (18 decimals), see {@link formatTokenAmount}. */
export function formatRgl(wei: bigint, opts: FormatAmountOptions = {}): string {
  return formatTokenAmount(wei, 18, "RGL", opts);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** `2026-12-06 17:05 UTC` for a unix time in seconds. */
export function formatDate(unixSeconds: number | bigint): string {
  const d = new Date(Number(unixSeconds) * 1000);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`
  );
}

const DURATION_UNITS: [string, number][] = [
  ["d", 86_400],
  ["h", 3_600],
  ["min", 60],
  ["s", 1],
];

/** `2 h 5 min`: the two largest non-zero units of a duration (d, h, min, s); `0 s` for zero, `-5 min` for negative. */
export function formatDuration(seconds: number | bigint): string {
  let rest = Math.round(Math.abs(Number(seconds)));
  const sign = Number(seconds) < 0 ? "-" : "";
  if (rest === 0) return "0 s";
  const parts: string[] = [];
  for (const [unit, size] of DURATION_UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}`);
    else if (parts.length > 0) break; // "1 d 5 min" would skip hours: stop at the first gap
    if (parts.length === 2) break;
  }
  return sign + parts.join(" ");
}

/** `2.5 %` for 250 basis points (at most two decimals). */
export function formatBps(bps: number | bigint): string {
  const pct = Number(bps) / 100;
  return `${Number.isInteger(pct) ? pct : pct.toFixed(2).replace(/0+$/, "")} %`;
}

/** `0x1234…abcd`: the first 4 and last 4 hex digits. */
export function formatAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

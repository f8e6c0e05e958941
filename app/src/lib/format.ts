import { formatUnits } from "viem";

/** RGL's decimals, the default of {@link formatToken}; other tokens pass their own. */
export const TOKEN_DECIMALS = 18;

/**
 * `1234.5 RGL`: an amount of a token of `decimals` decimals (default 18) with its unit, grouped, at
 * most `digits` decimals.
 */
export function formatToken(amount: bigint, unit = "RGL", digits = 4, decimals = TOKEN_DECIMALS): string {
  const negative = amount < 0n;
  const text = formatUnits(negative ? -amount : amount, decimals);
  const [whole, fraction = ""] = text.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cut = fraction.slice(0, digits).replace(/0+$/, "");
  const tiny = amount !== 0n && grouped === "0" && cut === "";
  const body = tiny ? `<0.${"0".repeat(Math.max(0, digits - 1))}1` : cut ? `${grouped}.${cut}` : grouped;
  return `${negative ? "−" : ""}${body} ${unit}`;
}

/** Basis points as a percentage: 250 → `2.5%`, 156019521 → `1,560,195.21%`. */
export function formatBps(bps: number | bigint): string {
  const value = Number(bps) / 100;
  const text = Number.isInteger(value) ? value.toFixed(0) : value.toFixed(2).replace(/0$/, "");
  const [whole, fraction] = text.split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction ? `.${fraction}` : ""}%`;
}

/** A duration in seconds, two largest units: `1d 3h`, `1m 59s`, `0s`. */
export function formatDuration(seconds: number | bigint): string {
  let s = Math.max(0, Math.floor(Number(seconds)));
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (s >= size || (unit === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}

/** Operations per second with an SI prefix: 5e13 → `50 Tops/s`. */
export function formatOpsPerSec(ops: bigint | number): string {
  return `${siPrefix(Number(ops))}ops/s`;
}

/** VRAM in MiB as GiB: 24576 → `24 GiB`. */
export function formatVram(mib: number | bigint): string {
  const gib = Number(mib) / 1024;
  return gib >= 1 ? `${trim(gib)} GiB` : `${Number(mib)} MiB`;
}

/** A shortened address: `0x1234…abcd`. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Unix seconds as an ISO-like UTC time: `2026-11-26 23:13 UTC`. */
export function formatTime(unixSeconds: number | bigint): string {
  const d = new Date(Number(unixSeconds) * 1000);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function siPrefix(value: number): string {
  for (const [prefix, size] of [
    ["P", 1e15],
    ["T", 1e12],
    ["G", 1e9],
    ["M", 1e6],
    ["k", 1e3],
  ] as const) {
    if (Math.abs(value) >= size) return `${trim(value / size)} ${prefix}`;
  }
  return `${trim(value)} `;
}

function trim(value: number): string {
  return Number(value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)).toString();
}

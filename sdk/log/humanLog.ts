import type { DestinationStream } from "pino";
import { formatRgl } from "../cli/humanFormat";

/** How a service logs: lines for people (the default of the agent), or pino's JSON lines. */
export type LogFormat = "human" | "json";
export const LOG_FORMATS = ["human", "json"] as const;

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** pino's own fields and the correlation fields shown up front: not repeated as key=value. */
const HIDDEN = new Set(["time", "level", "pid", "hostname", "service", "name", "msg", "v", "jobId", "shard", "layer"]);
/** Fields holding an amount of RGL wei (as a decimal string or a number): shown as RGL. */
const RGL_FIELDS = new Set([
  "amount",
  "earned",
  "paid",
  "payout",
  "price",
  "collateral",
  "stake",
  "fee",
  "owed",
  "balance",
  "claimable",
  "slashed",
]);
/** Fields holding a unix time in seconds: shown as a local date and time. */
const TIME_FIELDS = new Set(["deadline", "validUntil", "expiry", "jailedUntil", "sentAt"]);

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `17:05:03` in the machine's local time zone. */
export function localClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `2026-12-06` in the machine's local time zone. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

function isWhole(v: unknown): v is string | number {
  return (typeof v === "string" && /^-?\d+$/.test(v)) || (typeof v === "number" && Number.isSafeInteger(v));
}

function valueText(key: string, v: unknown): string {
  if (RGL_FIELDS.has(key) && isWhole(v)) return formatRgl(BigInt(v));
  if (TIME_FIELDS.has(key) && isWhole(v) && Number(v) > 1e9 && Number(v) < 1e11) {
    const ms = Number(v) * 1000;
    return `${localDay(ms)} ${localClock(ms)}`;
  }
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/**
 * One pino record as a line for people: `17:05:03 INFO shard 12/0 settled: verdict=Valid units=1
 * tx=0x…`. Local time, the level, the shard (`jobId/shard`) or layer it is about, the message, then
 * the other fields (RGL amounts in RGL, unix times as local dates, an error by its message).
 */
export function formatHumanLine(record: Record<string, unknown>): string {
  const time = typeof record.time === "number" ? record.time : Date.now();
  const level = LEVELS[record.level as number] ?? String(record.level ?? "INFO").toUpperCase();
  let msg = typeof record.msg === "string" ? record.msg : "";
  if (record.jobId !== undefined && record.shard !== undefined) {
    const subject = `shard ${String(record.jobId)}/${String(record.shard)}`;
    msg = msg.startsWith("shard ") ? `${subject} ${msg.slice("shard ".length)}` : `${subject}: ${msg}`;
  } else if (record.jobId !== undefined) {
    msg = `job ${String(record.jobId)}: ${msg}`;
  }
  const fields: string[] = [];
  let error = "";
  for (const [key, v] of Object.entries(record)) {
    if (HIDDEN.has(key) || v === undefined) continue;
    if (key === "err" && v && typeof v === "object") {
      const e = v as { message?: string; code?: string };
      error = ` — ${e.message ?? JSON.stringify(v)}${e.code ? ` (${e.code})` : ""}`;
      continue;
    }
    fields.push(`${key}=${valueText(key, v)}`);
  }
  const rest = fields.length > 0 ? `${msg ? ": " : ""}${fields.join(" ")}` : "";
  return `${localClock(time)} ${level} ${msg}${rest}${error}`;
}

/**
 * A pino destination that writes {@link formatHumanLine} lines to `out`, with a `--- 2026-12-06 ---`
 * line first and whenever the local date changes (the lines themselves carry only the time).
 */
export function humanLogDestination(out: { write(text: string): unknown }): DestinationStream {
  let day = "";
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const time = typeof record.time === "number" ? record.time : Date.now();
      const today = localDay(time);
      const header = today === day ? "" : `--- ${today} ---\n`;
      day = today;
      out.write(`${header}${formatHumanLine(record)}\n`);
    },
  };
}

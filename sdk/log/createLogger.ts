import pino, { type Logger, type DestinationStream } from "pino";
import { humanLogDestination, type LogFormat } from "./humanLog";

export type { Logger };
export type { LogFormat } from "./humanLog";

export interface CreateLoggerParameters {
  /** The service or layer name, e.g. "oracle" or "agent". */
  name: string;
  level?: string;
  /** Where to write (default: stdout). Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
  /** `json` (default): pino's JSON lines; `human`: `17:05:03 INFO shard 12/0 settled: …` (sdk/log/humanLog.ts). */
  format?: LogFormat;
}

/** Paths redacted from every log line, wherever they appear one level down. */
const REDACT = ["privateKey", "password", "*.privateKey", "*.password", "*.signerKey", "signerKey", "keystorePassword"];

/**
 * The one logger factory of every Rigel service: pino JSON lines (or lines for people with
 * `format: "human"`), secrets redacted, a child per layer (`logger.child({ layer: "watcher" })`)
 * and per job (`{ jobId, shard }`) for correlation.
 */
export function createLogger({ name, level = "info", destination, format = "json" }: CreateLoggerParameters): Logger {
  const out = destination ?? pino.destination(1);
  return pino(
    { name, level, redact: { paths: REDACT, censor: "[redacted]" }, base: { service: name } },
    format === "human" ? humanLogDestination(out) : out,
  );
}

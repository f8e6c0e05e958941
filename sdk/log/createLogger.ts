import pino, { type Logger, type DestinationStream } from "pino";

export type { Logger };

export interface CreateLoggerParameters {
  /** The service or layer name, e.g. "oracle" or "agent". */
  name: string;
  level?: string;
  /** Where to write (default: stdout). Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/** Paths redacted from every log line, wherever they appear one level down. */
const REDACT = ["privateKey", "password", "*.privateKey", "*.password", "*.signerKey", "signerKey", "keystorePassword"];

/**
 * The one logger factory of every Rigel service: pino JSON lines, secrets redacted, a child per
 * layer (`logger.child({ layer: "watcher" })`) and per job (`{ jobId, shard }`) for correlation.
 */
export function createLogger({ name, level = "info", destination }: CreateLoggerParameters): Logger {
  return pino(
    { name, level, redact: { paths: REDACT, censor: "[redacted]" }, base: { service: name } },
    destination ?? pino.destination(1),
  );
}

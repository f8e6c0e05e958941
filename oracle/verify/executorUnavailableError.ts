import { HttpError } from "../../sdk/errors/HttpError";
import type { RigelErrorOptions } from "../../sdk/errors/RigelError";

/**
 * The oracle's own executor could not re-run the sample (the image is not on this host, Docker does
 * not answer, an input cannot be fetched or no longer matches its hash, a GPU job on a node without
 * GPUs, a re-run that timed out on this node): an infrastructure problem of the oracle, never the
 * operator's fault. Answered as an HTTP error (503 by default) that the agent retries; never signed
 * Invalid. The proof service remembers that a well-formed proof arrived in time, so the node does
 * not sign MISSING_REVEAL or LATE_REVEAL for that shard afterwards (PROTOCOL §13.3).
 */
export class ExecutorUnavailableError extends HttpError {
  constructor(message: string, options: RigelErrorOptions & { status?: number } = {}) {
    super(options.status ?? 503, "ORACLE_EXECUTOR_UNAVAILABLE", message, options);
  }
}

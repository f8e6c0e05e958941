import { RigelError } from "../errors/RigelError";
import type { HeartbeatsResponse, ReceivedHeartbeat } from "./heartbeat";
import { mergeHeartbeats } from "./mergeHeartbeats";
import { validateHeartbeatsResponse } from "./validateHeartbeat";

/** Input of {@link fetchHeartbeats}. */
export interface FetchHeartbeatsParameters {
  /** Oracle base URLs (`http://127.0.0.1:8631`). */
  oracleUrls: readonly string[];
  /** Per-oracle timeout, ms (default 5000). */
  timeoutMs?: number;
  /** The reader's clock, Unix seconds (default now). */
  nowSec?: number;
  fetch?: typeof fetch;
}

/** What {@link fetchHeartbeats} gathered: the merged heartbeats, and the oracles that did not answer. */
export interface FetchHeartbeatsReturnType {
  /** Keyed by lower-case operator address; `receivedAt` on the reader's clock. */
  heartbeats: Map<string, ReceivedHeartbeat>;
  /** The reader's clock the heartbeats were rebased to. */
  nowSec: number;
  /** Oracles that answered. */
  answered: string[];
  /** Oracles that failed, with why. */
  failed: { url: string; error: string }[];
}

/**
 * Reads `GET /v1/heartbeats` from every oracle at once and merges the answers
 * ({@link mergeHeartbeats}). Browser-safe (fetch only; the route is CORS-open).
 * @throws RigelError `LIVENESS_UNAVAILABLE` when URLs were given and none answered.
 */
export async function fetchHeartbeats(p: FetchHeartbeatsParameters): Promise<FetchHeartbeatsReturnType> {
  const fetchFn = p.fetch ?? fetch;
  const nowSec = p.nowSec ?? Math.floor(Date.now() / 1000);
  const results = await Promise.allSettled(
    p.oracleUrls.map(async (url) => {
      const response = await fetchFn(`${url.replace(/\/+$/, "")}/v1/heartbeats`, {
        signal: AbortSignal.timeout(p.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return validateHeartbeatsResponse(await response.json());
    }),
  );
  const answered: string[] = [];
  const failed: FetchHeartbeatsReturnType["failed"] = [];
  const responses: HeartbeatsResponse[] = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") {
      answered.push(p.oracleUrls[i]!);
      responses.push(r.value);
    } else failed.push({ url: p.oracleUrls[i]!, error: String((r.reason as Error)?.message ?? r.reason) });
  });
  if (p.oracleUrls.length > 0 && answered.length === 0)
    throw new RigelError("LIVENESS_UNAVAILABLE", "no oracle answered GET /v1/heartbeats", { details: { failed } });
  return { heartbeats: mergeHeartbeats(responses, nowSec), nowSec, answered, failed };
}

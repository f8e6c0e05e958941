import type { Address } from "viem";
import type { HeartbeatsResponse, ReceivedHeartbeat } from "./heartbeat";

/**
 * The latest heartbeat of each operator over several oracles' `GET /v1/heartbeats` answers, with
 * `receivedAt` moved onto the reader's clock (`localNowSec - (oracle.now - receivedAt)`), so that
 * oracles whose clocks disagree with the reader's, or with each other, still compare. Keys are
 * lower-case addresses.
 */
export function mergeHeartbeats(
  responses: readonly HeartbeatsResponse[],
  localNowSec: number,
): Map<string, ReceivedHeartbeat> {
  const merged = new Map<string, ReceivedHeartbeat>();
  for (const response of responses) {
    for (const heartbeat of Object.values(response.operators)) {
      const age = Math.max(0, response.now - heartbeat.receivedAt);
      const rebased = { ...heartbeat, receivedAt: localNowSec - age };
      const key = (heartbeat.operator as Address).toLowerCase();
      const known = merged.get(key);
      if (!known || known.receivedAt < rebased.receivedAt) merged.set(key, rebased);
    }
  }
  return merged;
}

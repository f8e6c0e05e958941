import { livenessOf } from "../liveness/liveness";
import type { PlannerLiveness } from "./types";

/** "0x1234…abcd": an address shortened for a sentence. */
export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/**
 * The liveness filter (PROTOCOL §12.6, §15.1): with the oracles' heartbeats given, an operator whose
 * last heartbeat is older than the window, or that no oracle has heard from, is left out with the
 * reason ("last seen 7 min ago", "never seen by the oracles"). Without heartbeats: undefined (liveness
 * is unknown and nobody is left out for it).
 */
export function screenLiveness(address: string, liveness: PlannerLiveness | undefined): string | undefined {
  if (!liveness) return undefined;
  const verdict = livenessOf(liveness.heartbeats.get(address.toLowerCase()), liveness.nowSec, liveness.windowSec);
  return verdict.online ? undefined : verdict.reason;
}

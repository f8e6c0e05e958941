import { DEFAULT_LIVENESS_WINDOW_SEC, type HeartbeatShard, type ReceivedHeartbeat } from "./heartbeat";

/** An operator's liveness as the oracles see it (PROTOCOL §12.6). */
export interface Liveness {
  /** Its last heartbeat was received at most `windowSec` ago. */
  online: boolean;
  /** When the last heartbeat was received, Unix seconds; absent: never seen. */
  lastSeen?: number;
  /** Why it counts as offline, in words ("never seen by the oracles", "last seen 5 min ago"); absent when online. */
  reason?: string;
  /** Online only: the shards its last heartbeat says it is working on (§12.6). */
  shardsInFlight?: readonly HeartbeatShard[];
}

/** "12 s", "7 min", "3 h", "2 d": an age in the largest whole unit (floored). */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/**
 * The liveness rule: an operator is online when its last heartbeat was received at most `windowSec`
 * (default 60) seconds before `nowSec`. A heartbeat "from the future" (clock skew between reader and
 * oracle) counts as just received.
 */
export function livenessOf(
  heartbeat: (Pick<ReceivedHeartbeat, "receivedAt"> & Partial<Pick<ReceivedHeartbeat, "shardsInFlight">>) | undefined,
  nowSec: number,
  windowSec: number = DEFAULT_LIVENESS_WINDOW_SEC,
): Liveness {
  if (!heartbeat) return { online: false, reason: "never seen by the oracles" };
  const age = nowSec - heartbeat.receivedAt;
  if (age <= windowSec) {
    const live: Liveness = { online: true, lastSeen: heartbeat.receivedAt };
    if (heartbeat.shardsInFlight) live.shardsInFlight = heartbeat.shardsInFlight;
    return live;
  }
  return { online: false, lastSeen: heartbeat.receivedAt, reason: `last seen ${formatAge(age)} ago` };
}

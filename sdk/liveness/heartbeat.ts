import type { Address } from "viem";

/**
 * An operator's signed "I am here" (PROTOCOL §12.6): the agent posts one every `heartbeatIntervalMs`
 * (default 15 s) to every oracle it knows, `POST /v1/heartbeats`, signed like its other requests
 * (sdk/auth `signRequest`, the operator key). Browser-safe: the app reads these too.
 */
export interface Heartbeat {
  /** The operator; must be the request's signer and a registered operator. */
  operator: Address;
  /** The agent's version (package.json `version`). */
  agentVersion: string;
  /** The agent's clock at sending, Unix seconds (the oracle refuses one off by more than {@link MAX_HEARTBEAT_SKEW_SEC}). */
  sentAt: number;
  online: true;
  gpus: HeartbeatGpu[];
  shardsInFlight: HeartbeatShard[];
  /** The last {@link MAX_RECENT_FAILURES} failures, newest last. */
  recentFailures: HeartbeatFailure[];
  /** False when the agent admits no new shard now (paused, draining, out of stake, …). */
  acceptingWork: boolean;
  /** Why it is not accepting work, in words. */
  declineReasons?: string[];
}

/** One GPU of the operator's host. */
export interface HeartbeatGpu {
  index: number;
  model: string;
  vramMiB: number;
  /** 0..100; null when nvidia-smi gave none. */
  utilisationPct: number | null;
}

/** A shard the agent is working on. */
export interface HeartbeatShard {
  /** Decimal. */
  jobId: string;
  shard: number;
  /** The journal phase (accepted, computing, submitted, …). */
  phase: string;
}

/** A shard that failed on this operator. */
export interface HeartbeatFailure {
  /** Decimal. */
  jobId: string;
  shard: number;
  /** Unix seconds. */
  at: number;
  /** A stable code (an error code, or a verdict). */
  code: string;
  /** In words. */
  reason: string;
}

/** What an oracle stores and serves: the heartbeat and when this oracle received it (its clock, Unix seconds). */
export type ReceivedHeartbeat = Heartbeat & { receivedAt: number };

/** `GET /v1/heartbeats`: the oracle's clock and the latest heartbeat of every operator it has seen (keys checksummed). */
export interface HeartbeatsResponse {
  now: number;
  operators: Record<Address, ReceivedHeartbeat>;
}

/** The agent's default interval between heartbeats, ms. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
/** An operator is online when its last heartbeat was received at most this many seconds ago. */
export const DEFAULT_LIVENESS_WINDOW_SEC = 60;
/** The oracle refuses a heartbeat whose `sentAt` is further than this from its clock, either way. */
export const MAX_HEARTBEAT_SKEW_SEC = 120;
/** At most this many failures travel in one heartbeat. */
export const MAX_RECENT_FAILURES = 10;
/** Bounds of the other lists and strings, so a heartbeat stays small (the body cap is {@link MAX_HEARTBEAT_BYTES}). */
export const MAX_HEARTBEAT_GPUS = 16;
export const MAX_HEARTBEAT_SHARDS = 256;
export const MAX_HEARTBEAT_DECLINE_REASONS = 8;
export const MAX_HEARTBEAT_TEXT = 200;
/** The largest heartbeat body an oracle accepts, bytes. */
export const MAX_HEARTBEAT_BYTES = 64 * 1024;

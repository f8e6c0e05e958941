import { getAddress, isAddress } from "viem";
import { RigelError } from "../errors/RigelError";
import {
  MAX_HEARTBEAT_DECLINE_REASONS,
  MAX_HEARTBEAT_GPUS,
  MAX_HEARTBEAT_SHARDS,
  MAX_HEARTBEAT_TEXT,
  MAX_RECENT_FAILURES,
  type Heartbeat,
  type HeartbeatFailure,
  type HeartbeatGpu,
  type HeartbeatShard,
  type HeartbeatsResponse,
  type ReceivedHeartbeat,
} from "./heartbeat";

/** A heartbeat field that is missing or malformed. HTTP 400 when a server raises it. */
export class HeartbeatFieldError extends RigelError {
  override readonly name = "HeartbeatFieldError";
  readonly status = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("HEARTBEAT_BAD_FIELD", `${field}: ${message}`, { details: { field } });
  }
}

type Json = Record<string, unknown>;

function object(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HeartbeatFieldError(field, "must be an object");
  return value as Json;
}

function text(value: unknown, field: string, max = MAX_HEARTBEAT_TEXT): string {
  if (typeof value !== "string") throw new HeartbeatFieldError(field, "must be a string");
  if (value.length > max) throw new HeartbeatFieldError(field, `must be at most ${max} characters`);
  return value;
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new HeartbeatFieldError(field, `must be an integer in [${min}, ${max}]`);
  return value;
}

function list<T>(value: unknown, field: string, max: number, item: (v: unknown, f: string) => T): T[] {
  if (!Array.isArray(value)) throw new HeartbeatFieldError(field, "must be an array");
  if (value.length > max) throw new HeartbeatFieldError(field, `must have at most ${max} entries`);
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

const DECIMAL = /^(0|[1-9][0-9]{0,76})$/;
const U32 = 2 ** 32 - 1;
/** Unix seconds up to year 9999. */
const MAX_UNIX = 253_402_300_799;

function jobId(value: unknown, field: string): string {
  if (typeof value !== "string" || !DECIMAL.test(value)) throw new HeartbeatFieldError(field, "must be decimal");
  return value;
}

function gpu(value: unknown, field: string): HeartbeatGpu {
  const g = object(value, field);
  const utilisation = g.utilisationPct;
  return {
    index: int(g.index, `${field}.index`, 0, 255),
    model: text(g.model, `${field}.model`),
    vramMiB: int(g.vramMiB, `${field}.vramMiB`, 0, 16 * 1024 * 1024),
    utilisationPct: utilisation === null ? null : int(utilisation, `${field}.utilisationPct`, 0, 100),
  };
}

function shard(value: unknown, field: string): HeartbeatShard {
  const s = object(value, field);
  return {
    jobId: jobId(s.jobId, `${field}.jobId`),
    shard: int(s.shard, `${field}.shard`, 0, U32),
    phase: text(s.phase, `${field}.phase`, 40),
  };
}

function failure(value: unknown, field: string): HeartbeatFailure {
  const f = object(value, field);
  return {
    jobId: jobId(f.jobId, `${field}.jobId`),
    shard: int(f.shard, `${field}.shard`, 0, U32),
    at: int(f.at, `${field}.at`, 0, MAX_UNIX),
    code: text(f.code, `${field}.code`, 64),
    reason: text(f.reason, `${field}.reason`),
  };
}

/**
 * Checks untrusted JSON against the {@link Heartbeat} wire format (PROTOCOL §12.6) and returns a copy
 * with only the known fields (the operator checksummed). Every list and string is bounded.
 * @throws HeartbeatFieldError naming the first bad field.
 */
export function validateHeartbeat(json: unknown): Heartbeat {
  const h = object(json, "heartbeat");
  if (typeof h.operator !== "string" || !isAddress(h.operator, { strict: false }))
    throw new HeartbeatFieldError("operator", "must be an address");
  if (h.online !== true) throw new HeartbeatFieldError("online", "must be true");
  if (typeof h.acceptingWork !== "boolean") throw new HeartbeatFieldError("acceptingWork", "must be a boolean");
  const heartbeat: Heartbeat = {
    operator: getAddress(h.operator),
    agentVersion: text(h.agentVersion, "agentVersion", 64),
    sentAt: int(h.sentAt, "sentAt", 0, MAX_UNIX),
    online: true,
    gpus: list(h.gpus, "gpus", MAX_HEARTBEAT_GPUS, gpu),
    shardsInFlight: list(h.shardsInFlight, "shardsInFlight", MAX_HEARTBEAT_SHARDS, shard),
    recentFailures: list(h.recentFailures, "recentFailures", MAX_RECENT_FAILURES, failure),
    acceptingWork: h.acceptingWork,
  };
  if (h.declineReasons !== undefined)
    heartbeat.declineReasons = list(h.declineReasons, "declineReasons", MAX_HEARTBEAT_DECLINE_REASONS, (v, f) =>
      text(v, f),
    );
  return heartbeat;
}

/** A heartbeat as an oracle serves it: {@link validateHeartbeat} plus `receivedAt`. */
export function validateReceivedHeartbeat(json: unknown, field = "heartbeat"): ReceivedHeartbeat {
  const h = object(json, field);
  return { ...validateHeartbeat(h), receivedAt: int(h.receivedAt, `${field}.receivedAt`, 0, MAX_UNIX) };
}

/** Checks a `GET /v1/heartbeats` answer; entries are keyed by their checksummed operator. */
export function validateHeartbeatsResponse(json: unknown): HeartbeatsResponse {
  const r = object(json, "response");
  const operators = object(r.operators, "operators");
  const out: HeartbeatsResponse = { now: int(r.now, "now", 0, MAX_UNIX), operators: {} };
  for (const [key, value] of Object.entries(operators)) {
    const heartbeat = validateReceivedHeartbeat(value, `operators.${key}`);
    out.operators[heartbeat.operator] = heartbeat;
  }
  return out;
}

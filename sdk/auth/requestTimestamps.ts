import { bodyHash, type SignedRequestFields } from "./requestDigest";

/** How far ahead of its clock a signer may stamp a repeated request (well inside the 60 s window). */
export const MAX_LEAD_SECONDS = 10;

/**
 * Picks the timestamp each request is signed with, so that one signer never sends the identical
 * request twice with one timestamp. The digest (PROTOCOL §4.2) covers method, path, body and the
 * timestamp in whole seconds, and the receiver refuses a digest it already accepted: a retry of the
 * same request within the same second (an oracle that answered `pending`, a 503, a lost answer) would
 * be refused as a replay. A repeat is stamped one second past the previous stamp of that request
 * instead; a signer that repeats faster than once a second runs ahead of its clock, by at most
 * `maxLeadSeconds`, after which it must wait for the clock.
 */
export class RequestTimestamps {
  /** Last timestamp used, per request (method, path, body hash); only entries not behind the clock. */
  private readonly last = new Map<string, number>();

  constructor(private readonly maxLeadSeconds = MAX_LEAD_SECONDS) {}

  /**
   * The timestamp to sign `request` with at `now` (Unix seconds): `now`, or one past the last
   * timestamp given to the identical request when that is not behind `now`. Undefined when that
   * would run more than `maxLeadSeconds` ahead of `now`: wait for the clock and ask again.
   */
  next(request: Omit<SignedRequestFields, "timestamp">, now: number): number | undefined {
    for (const [key, stamp] of this.last) if (stamp < now) this.last.delete(key);
    const key = `${request.method.toUpperCase()} ${request.path} ${bodyHash(request.body)}`;
    const previous = this.last.get(key);
    const timestamp = previous === undefined ? now : previous + 1;
    if (timestamp - now > this.maxLeadSeconds) return undefined;
    this.last.set(key, timestamp);
    return timestamp;
  }
}

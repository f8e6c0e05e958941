import { HttpError } from "../../sdk/errors/HttpError";

/**
 * A per-key token bucket: `perMinute` requests a minute, bursts up to that many. Buckets idle for
 * a minute are dropped, so memory is bounded by the number of keys seen in the last minute.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private nextSweep = 0;

  constructor(private readonly perMinute: number) {}

  /** Takes one token for `key` or throws HttpError 429 `ORACLE_RATE_LIMITED`. */
  take(key: string, nowMs = Date.now()): void {
    if (nowMs >= this.nextSweep) {
      for (const [k, b] of this.buckets) if (nowMs - b.at > 60_000) this.buckets.delete(k);
      this.nextSweep = nowMs + 10_000;
    }
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: nowMs };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (nowMs - bucket.at) * rate);
    bucket.at = nowMs;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      throw new HttpError(429, "ORACLE_RATE_LIMITED", "too many requests from this operator", {
        details: { retryAfterMs: Math.ceil((1 - bucket.tokens) / rate) },
      });
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * A byte budget for one container's log (PROTOCOL §12.3): `take` says how many of the next bytes
 * may still be kept; once spent, `exhausted` is true and the caller writes {@link LogBudget.marker}
 * once and reads no further.
 */
export class LogBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Keeps up to `bytes` bytes; returns how many of them fit. */
  take(bytes: number): number {
    const kept = Math.max(0, Math.min(bytes, this.limit - this.used));
    this.used += bytes;
    return kept;
  }

  /** True once more bytes were offered than the budget holds. */
  get exhausted(): boolean {
    return this.used > this.limit;
  }

  /** The line that ends a cut log. */
  get marker(): string {
    return `[rigel] log truncated: the container wrote more than ${this.limit} bytes; the rest is not kept`;
  }
}

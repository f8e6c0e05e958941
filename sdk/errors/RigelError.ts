/** Options for a {@link RigelError}: structured details for logs and JSON, and the error that caused it. */
export interface RigelErrorOptions {
  /** Machine-readable facts about the failure (values, indices, addresses). Never secrets. */
  details?: Record<string, unknown>;
  /** The lower-level error this one wraps; kept so the whole chain can be printed. */
  cause?: unknown;
}

/**
 * The base of every error the Rigel packages throw: a short message, a stable `code`, structured
 * `details`, and a `cause` chain. Subclasses set `code` to a fixed string.
 */
export class RigelError extends Error {
  override readonly name: string = "RigelError";
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: RigelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A JSON form for HTTP responses and logs. Bigints become decimal strings. */
  toJSON(): { code: string; message: string; details: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      details: JSON.parse(JSON.stringify(this.details, (_k, v) => (typeof v === "bigint" ? v.toString() : v))),
    };
  }

  /** Every message down the cause chain, outermost first. */
  chain(): string[] {
    const messages = [this.message];
    const seen = new Set<unknown>([this]);
    let current: unknown = this.cause;
    while (current !== undefined && current !== null && !seen.has(current)) {
      seen.add(current);
      messages.push(current instanceof Error ? current.message : String(current));
      current = current instanceof Error ? current.cause : undefined;
    }
    return messages;
  }
}

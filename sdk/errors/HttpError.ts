import { RigelError, type RigelErrorOptions } from "./RigelError";

/** An error that maps to an HTTP response: a status, a stable code, a message and details as JSON. */
export class HttpError extends RigelError {
  override readonly name = "HttpError";
  readonly status: number;

  constructor(status: number, code: string, message: string, options: RigelErrorOptions = {}) {
    super(code, message, options);
    this.status = status;
  }

  /** The response body: `{ error: { code, message, details } }`. */
  body(): { error: ReturnType<RigelError["toJSON"]> } {
    return { error: this.toJSON() };
  }
}

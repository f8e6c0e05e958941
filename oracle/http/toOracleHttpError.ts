import { HttpError } from "../../sdk/errors/HttpError";
import { RigelError } from "../../sdk/errors/RigelError";
import { toHttpError } from "../../sdk/service/startHttpService";

/**
 * Maps a thrown value to the HTTP error the oracle answers: an HttpError as is; a RigelError that
 * carries an HTTP `status` (auth, field and chain errors) keeps its code, message and details;
 * anything else goes through the service's default mapping (500 for bugs).
 */
export function toOracleHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof RigelError) {
    const status = (err as RigelError & { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 600) {
      return new HttpError(status, err.code, err.message, { details: err.details, cause: err });
    }
  }
  return toHttpError(err);
}

import { getAddress, hashMessage, isAddress, isHex, type Address, type Hex } from "viem";
import { recoverSigner } from "../crypto/recoverSigner";
import { RigelError } from "../errors/RigelError";
import { DEFAULT_MAX_AGE_SECONDS, RIGEL_AUTH_HEADERS } from "./headers";
import type { ReplayGuard } from "./replayGuard";
import { requestDigest } from "./requestDigest";

/** Why a signed request was refused. */
export type RequestAuthFault =
  "missing-header" | "bad-header" | "stale" | "future" | "bad-signature" | "wrong-signer" | "replayed";

/** A request whose operator signature is missing, invalid, stale or replayed. HTTP 401. */
export class RequestAuthError extends RigelError {
  override readonly name = "RequestAuthError";
  readonly status = 401;
  constructor(
    readonly fault: RequestAuthFault,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super("AUTH_REQUEST_REFUSED", message, { details: { fault, ...details }, cause });
  }
}

/** Input of {@link verifyRequest}. */
export interface VerifyRequestParameters {
  method: string;
  path: string;
  body: Uint8Array | string;
  /** Request headers; names in lower case (node's http does that). */
  headers: Record<string, string | string[] | undefined>;
  /** Remembers accepted requests until they are stale. */
  replayGuard: ReplayGuard;
  /** Unix seconds now; default the clock. */
  now?: number;
  /** Staleness window in seconds, both ways (clock skew); default 60. */
  maxAgeSeconds?: number;
  /** Refuse a request without an `x-rigel-nonce` (the agent's results endpoint, §14.3); default false. */
  requireNonce?: boolean;
  /**
   * Runs once the signature is checked and before the request is claimed in the replay memory: a
   * receiver that serves only some signers throws here, so that others never fill its memory.
   */
  beforeClaim?: (signer: Address) => Promise<void> | void;
}

function header(headers: VerifyRequestParameters["headers"], name: string): string {
  const value = headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined || single === "")
    throw new RequestAuthError("missing-header", `missing header ${name}`, { header: name });
  return single;
}

/**
 * Checks a signed request and returns the signer's address. Refuses with
 * {@link RequestAuthError}: a missing or malformed header (the nonce too, when `requireNonce`); a
 * timestamp more than `maxAgeSeconds` in the past (stale) or in the future; a signature that does
 * not recover to the claimed address; then whatever `beforeClaim` throws, unchanged; then a request
 * already accepted (replayed). A replay guard that cannot remember more throws its own error.
 */
export async function verifyRequest(params: VerifyRequestParameters): Promise<Address> {
  const claimed = header(params.headers, RIGEL_AUTH_HEADERS.address);
  const timestampText = header(params.headers, RIGEL_AUTH_HEADERS.timestamp);
  const signature = header(params.headers, RIGEL_AUTH_HEADERS.signature);
  const nonceValue = params.headers[RIGEL_AUTH_HEADERS.nonce];
  const nonce = Array.isArray(nonceValue) ? nonceValue[0] : nonceValue;
  if (nonce === undefined || nonce === "") {
    if (params.requireNonce) {
      throw new RequestAuthError("missing-header", `missing header ${RIGEL_AUTH_HEADERS.nonce}`, {
        header: RIGEL_AUTH_HEADERS.nonce,
      });
    }
  } else if (!/^0x[0-9a-fA-F]{64}$/.test(nonce)) {
    throw new RequestAuthError("bad-header", "malformed nonce header", { nonce: nonce.slice(0, 80) });
  }
  if (!isAddress(claimed)) throw new RequestAuthError("bad-header", "malformed address header", { claimed });
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new RequestAuthError("bad-header", "malformed timestamp header", { timestamp: timestampText });
  }
  if (!isHex(signature) || signature.length !== 132) {
    throw new RequestAuthError("bad-header", "malformed signature header", { signature });
  }
  const timestamp = Number(timestampText);
  const now = params.now ?? Math.floor(Date.now() / 1000);
  const window = params.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (now - timestamp > window) throw new RequestAuthError("stale", "request is stale", { timestamp, now, window });
  if (timestamp - now > window)
    throw new RequestAuthError("future", "request is from the future", { timestamp, now, window });

  const digest = requestDigest({
    method: params.method,
    path: params.path,
    body: params.body,
    timestamp,
    nonce: nonce ? (nonce.toLowerCase() as Hex) : undefined,
  });
  let signer: Address;
  try {
    signer = await recoverSigner(hashMessage({ raw: digest }), signature);
  } catch (err) {
    throw new RequestAuthError("bad-signature", "signature does not recover", { digest }, err);
  }
  if (signer !== getAddress(claimed)) {
    throw new RequestAuthError("wrong-signer", "signature is not by the claimed address", { claimed, signer });
  }
  await params.beforeClaim?.(signer);
  if (!params.replayGuard.claim(`${signer}:${digest}`, timestamp + window, now)) {
    throw new RequestAuthError("replayed", "request was already accepted", { signer, digest });
  }
  return signer;
}

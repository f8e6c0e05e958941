import type { Address } from "viem";
import type { Config } from "wagmi";
import { signMessage } from "wagmi/actions";
import { RIGEL_AUTH_HEADERS } from "../../../sdk/auth/headers";
import { requestDigest } from "../../../sdk/auth/requestDigest";
import { requestNonce } from "../../../sdk/auth/requestNonce";

/** A refused or failed signed GET: which host, what it answered (HTTP status and Rigel error code). */
export class SignedGetError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The answer's meaning in words: a refused signature says so, with its fault. */
function refusal(status: number, body: { error?: { code?: string; message?: string; details?: { fault?: string } } }) {
  const code = body.error?.code;
  if (status === 401) {
    const fault = body.error?.details?.fault;
    return `the signature was refused (${fault ?? code ?? "HTTP 401"}${fault === "stale" ? ": check this computer's clock" : ""})`;
  }
  if (status === 403) return `this wallet is not allowed (${code ?? "HTTP 403"}: ${body.error?.message ?? ""})`;
  if (status === 409) return `not released yet (${code ?? "HTTP 409"}: ${body.error?.message ?? ""})`;
  return `HTTP ${status}${code ? ` ${code}` : ""}${body.error?.message ? `: ${body.error.message}` : ""}`;
}

/**
 * A GET signed by the developer's wallet (PROTOCOL §4.2 version 2: EIP-191 over the digest of the
 * path with its query, empty body, a fresh nonce), as the agent's results and logs endpoints and the
 * results store require. Throws {@link SignedGetError} saying which host failed and how: unreachable,
 * the signature refused (with its fault), another wallet, not released, or another status.
 */
export async function signedGet(
  config: Config,
  developer: Address,
  target: string,
  signal?: AbortSignal,
): Promise<Response> {
  const url = new URL(target);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SignedGetError(`${target} is not an http(s) URL the browser can fetch`);
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const path = `${url.pathname}${url.search}`;
  const nonce = requestNonce();
  const digest = requestDigest({ method: "GET", path, body: "", timestamp, nonce });
  const signature = await signMessage(config, { account: developer, message: { raw: digest } });
  let res: Response;
  try {
    res = await fetch(url, {
      signal,
      headers: {
        [RIGEL_AUTH_HEADERS.address]: developer,
        [RIGEL_AUTH_HEADERS.timestamp]: String(timestamp),
        [RIGEL_AUTH_HEADERS.signature]: signature,
        [RIGEL_AUTH_HEADERS.nonce]: nonce,
      },
    });
  } catch {
    throw new SignedGetError(`${url.host} does not answer`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as Parameters<typeof refusal>[1];
    throw new SignedGetError(`${url.host}: ${refusal(res.status, body)}`, res.status, body.error?.code);
  }
  return res;
}

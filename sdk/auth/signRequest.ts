import type { Hex, LocalAccount } from "viem";
import { RIGEL_AUTH_HEADERS } from "./headers";
import { requestDigest, type SignedRequestFields } from "./requestDigest";

/** Input of {@link signRequest}; the timestamp defaults to now; a nonce makes a version-2 signature (§4.2). */
export type SignRequestParameters = Omit<SignedRequestFields, "timestamp" | "nonce"> & {
  timestamp?: number;
  /** A fresh 32-byte nonce (`requestNonce()`); the agent's results endpoint requires one. */
  nonce?: Hex;
};

type AuthHeader = (typeof RIGEL_AUTH_HEADERS)[Exclude<keyof typeof RIGEL_AUTH_HEADERS, "nonce">];

/** The headers to send with the request: address, timestamp, signature, and the nonce when one was given. */
export type SignRequestReturnType = Record<AuthHeader, string> & { [RIGEL_AUTH_HEADERS.nonce]?: string };

/** Signs a request to an oracle or an agent with an account's key (EIP-191 over {@link requestDigest}). */
export async function signRequest(
  account: LocalAccount,
  params: SignRequestParameters,
): Promise<SignRequestReturnType> {
  const timestamp = params.timestamp ?? Math.floor(Date.now() / 1000);
  const digest = requestDigest({ ...params, timestamp });
  const signature = await account.signMessage({ message: { raw: digest } });
  const headers: SignRequestReturnType = {
    [RIGEL_AUTH_HEADERS.address]: account.address,
    [RIGEL_AUTH_HEADERS.timestamp]: String(timestamp),
    [RIGEL_AUTH_HEADERS.signature]: signature,
  };
  if (params.nonce !== undefined) headers[RIGEL_AUTH_HEADERS.nonce] = params.nonce;
  return headers;
}

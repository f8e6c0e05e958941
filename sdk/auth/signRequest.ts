import type { LocalAccount } from "viem";
import { RIGEL_AUTH_HEADERS } from "./headers";
import { requestDigest, type SignedRequestFields } from "./requestDigest";

/** Input of {@link signRequest}; the timestamp defaults to now. */
export type SignRequestParameters = Omit<SignedRequestFields, "timestamp"> & { timestamp?: number };

/** The three headers to send with the request. */
export type SignRequestReturnType = Record<(typeof RIGEL_AUTH_HEADERS)[keyof typeof RIGEL_AUTH_HEADERS], string>;

/** Signs a request to an oracle with the operator's key (EIP-191 over {@link requestDigest}). */
export async function signRequest(
  account: LocalAccount,
  params: SignRequestParameters,
): Promise<SignRequestReturnType> {
  const timestamp = params.timestamp ?? Math.floor(Date.now() / 1000);
  const digest = requestDigest({ ...params, timestamp });
  const signature = await account.signMessage({ message: { raw: digest } });
  return {
    [RIGEL_AUTH_HEADERS.address]: account.address,
    [RIGEL_AUTH_HEADERS.timestamp]: String(timestamp),
    [RIGEL_AUTH_HEADERS.signature]: signature,
  };
}

import type { Address } from "viem";
import type { Config } from "wagmi";
import { signMessage } from "wagmi/actions";
import { RIGEL_AUTH_HEADERS } from "../../../sdk/auth/headers";
import { requestDigest } from "../../../sdk/auth/requestDigest";
import { requestNonce } from "../../../sdk/auth/requestNonce";

/**
 * A GET to an agent's results endpoint signed by the developer's wallet (PROTOCOL §4.2: EIP-191 over
 * the version-2 request digest of the path with its query, empty body and a fresh nonce; §14.3: the agent checks the signer is
 * the job's developer). http(s) only. Throws on a non-2xx answer, with its status.
 */
export async function signedFetch(config: Config, developer: Address, target: string): Promise<Response> {
  const url = new URL(target);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`the result is at ${target}, which the browser cannot fetch`);
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const path = `${url.pathname}${url.search}`;
  // A fresh nonce per request (§4.2 v2): the agent answers each signed request once.
  const nonce = requestNonce();
  const digest = requestDigest({ method: "GET", path, body: "", timestamp, nonce });
  const signature = await signMessage(config, { account: developer, message: { raw: digest } });
  const res = await fetch(url, {
    headers: {
      [RIGEL_AUTH_HEADERS.address]: developer,
      [RIGEL_AUTH_HEADERS.timestamp]: String(timestamp),
      [RIGEL_AUTH_HEADERS.signature]: signature,
      [RIGEL_AUTH_HEADERS.nonce]: nonce,
    },
  });
  if (!res.ok) throw new Error(`the agent answered HTTP ${res.status}`);
  return res;
}

import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import { signMessage } from "wagmi/actions";
import { RIGEL_AUTH_HEADERS } from "../../../sdk/auth/headers";
import { requestDigest } from "../../../sdk/auth/requestDigest";

/**
 * Downloads a settled shard's results manifest (PROTOCOL §14.3) from the operator's agent with a
 * wallet-signed request (PROTOCOL §4.2: EIP-191 over the request digest; the agent checks the signer
 * is the job's developer), and checks that the root it names is the one committed on-chain.
 * Returns the manifest as a JSON Blob.
 */
export async function downloadResult(
  config: Config,
  developer: Address,
  resultURI: string,
  committedRoot: Hex,
): Promise<Blob> {
  const url = new URL(resultURI);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`the result is at ${resultURI}, which the browser cannot fetch`);
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const path = `${url.pathname}${url.search}`;
  const digest = requestDigest({ method: "GET", path, body: "", timestamp });
  const signature = await signMessage(config, { account: developer, message: { raw: digest } });
  const res = await fetch(url, {
    headers: {
      [RIGEL_AUTH_HEADERS.address]: developer,
      [RIGEL_AUTH_HEADERS.timestamp]: String(timestamp),
      [RIGEL_AUTH_HEADERS.signature]: signature,
    },
  });
  if (!res.ok) throw new Error(`the agent answered HTTP ${res.status}`);
  const text = await res.text();
  let root: unknown;
  try {
    root = (JSON.parse(text) as { root?: unknown }).root;
  } catch {
    throw new Error("the agent's answer is not a results manifest");
  }
  if (typeof root !== "string" || root.toLowerCase() !== committedRoot.toLowerCase()) {
    throw new Error(`the agent's results have root ${String(root)}, not the committed ${committedRoot}`);
  }
  return new Blob([text], { type: "application/json" });
}

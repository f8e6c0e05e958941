import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import { signedFetch } from "./signedFetch";

/**
 * Downloads a settled shard's results manifest (PROTOCOL §14.3) from the operator's agent with a
 * wallet-signed request (`signedFetch`), and checks that the root it names is the one committed
 * on-chain. Returns the manifest as a JSON Blob.
 */
export async function downloadResult(
  config: Config,
  developer: Address,
  resultURI: string,
  committedRoot: Hex,
): Promise<Blob> {
  const res = await signedFetch(config, developer, resultURI);
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

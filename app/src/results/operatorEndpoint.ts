import type { Address } from "viem";
import type { Config } from "wagmi";
import { readContract } from "wagmi/actions";
import { operatorStakingAbi } from "../../../sdk/contracts/abis";

/**
 * The agent endpoint an operator registered (PROTOCOL §14.1: `OperatorStaking.metadataURI`, a
 * `data:` URI or an http(s) URL of `{ endpoint, … }`), read in the browser (no Node `Buffer`).
 */
export async function operatorEndpoint(config: Config, staking: Address, operator: Address): Promise<string> {
  const uri = await readContract(config, {
    address: staking,
    abi: operatorStakingAbi,
    functionName: "metadataURI",
    args: [operator],
  });
  let text: string;
  const data = /^data:([^,]*),(.*)$/s.exec(uri);
  if (data) {
    text = data[1].endsWith(";base64")
      ? new TextDecoder().decode(Uint8Array.from(atob(data[2]), (c) => c.charCodeAt(0)))
      : decodeURIComponent(data[2]);
  } else {
    text = await (await fetch(uri)).text();
  }
  const endpoint = (JSON.parse(text) as { endpoint?: unknown }).endpoint;
  if (typeof endpoint !== "string" || !/^https?:\/\//.test(endpoint)) {
    throw new Error("the operator's metadata names no agent endpoint");
  }
  return endpoint.replace(/\/+$/, "");
}

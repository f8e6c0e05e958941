import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { itemOutputHash } from "../executor/itemOutputHash";

/** The one file each item of an llm-inference shard outputs (docs/PROTOCOL.md §19.2). */
export const LLM_OUTPUT_FILE = "output.json";

/**
 * `itemHash_i` of an llm-inference item (docs/PROTOCOL.md §12.4, §19.2): the sha256 of its one-line
 * manifest `"<sha256(output.json)>  output.json\n"`, the leaf hash the agent commits and the oracle
 * checks revealed bytes against.
 */
export function llmItemHash(outputJson: Uint8Array): Hex {
  const sha256 = `0x${createHash("sha256").update(outputJson).digest("hex")}` as const;
  return itemOutputHash([{ path: LLM_OUTPUT_FILE, sha256, size: outputJson.length }]);
}

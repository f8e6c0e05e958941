import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import { signedFetch } from "./signedFetch";

/** One settled item as the page shows it: its prompt and what the model generated (PROTOCOL §16.5). */
export interface ItemOutput {
  /** The item's index in the job (the shard's first item + the local index). */
  index: number;
  prompt: string;
  text: string;
  promptTokens: number;
  generatedTokens: number;
  finishReason: string;
}

export interface ReadItemOutputsParameters {
  /** The shard's on-chain `resultURI` (`<endpoint>/v1/results/<jobId>/<shard>`). */
  resultURI: string;
  /** The shard's on-chain `resultRoot`: the manifest must name it. */
  resultRoot: Hex;
  /** The shard's prompts, in order (local item `i` is `prompts[i]`). */
  prompts: readonly string[];
  /** The job index of the shard's first item. */
  itemsStart: number;
}

interface Manifest {
  root?: unknown;
  files?: { path: string; sha256: string }[];
}

function hex(bytes: ArrayBuffer): string {
  return `0x${Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const OUTPUT_PATH = /^items\/(\d+)\/output\.json$/;

/**
 * A settled llm-inference shard's outputs, item by item (PROTOCOL §16.5): the results manifest
 * (§14.3, refused unless its `root` is the on-chain one), then each item's `items/<i>/output.json`
 * through `/file?path=…`, its sha256 checked against the manifest, decoded for `text`,
 * `promptTokens`, `generatedTokens` and `finishReason` (§19.2). Every request is signed by the
 * developer's wallet, one signature per request (the agent's rule, §4.2).
 */
export async function readItemOutputs(
  config: Config,
  developer: Address,
  { resultURI, resultRoot, prompts, itemsStart }: ReadItemOutputsParameters,
): Promise<ItemOutput[]> {
  const manifest = (await (await signedFetch(config, developer, resultURI)).json()) as Manifest;
  if (typeof manifest.root !== "string" || manifest.root.toLowerCase() !== resultRoot.toLowerCase()) {
    throw new Error(`the agent's results have root ${String(manifest.root)}, not the committed ${resultRoot}`);
  }
  const outputs: ItemOutput[] = [];
  for (const file of manifest.files ?? []) {
    const match = OUTPUT_PATH.exec(file.path);
    if (!match) continue;
    const local = Number(match[1]);
    if (local >= prompts.length) throw new Error(`the manifest names item ${local}; the shard has ${prompts.length}`);
    const url = new URL(resultURI);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/file`;
    url.search = `?path=${encodeURIComponent(file.path)}`;
    const bytes = await (await signedFetch(config, developer, url.toString())).arrayBuffer();
    const actual = hex(await crypto.subtle.digest("SHA-256", bytes));
    if (actual !== file.sha256.toLowerCase()) throw new Error(`${file.path}: sha256 does not match the manifest`);
    const output = JSON.parse(new TextDecoder().decode(bytes)) as {
      text?: unknown;
      promptTokens?: unknown;
      generatedTokens?: unknown;
      finishReason?: unknown;
    };
    outputs.push({
      index: itemsStart + local,
      prompt: prompts[local],
      text: typeof output.text === "string" ? output.text : "",
      promptTokens: Array.isArray(output.promptTokens) ? output.promptTokens.length : 0,
      generatedTokens: Array.isArray(output.generatedTokens) ? output.generatedTokens.length : 0,
      finishReason: typeof output.finishReason === "string" ? output.finishReason : "",
    });
  }
  return outputs.sort((a, b) => a.index - b.index);
}

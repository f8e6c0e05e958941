// `rigel job results` for llm-inference jobs: each downloaded item's generated text beside its
// prompt (PROTOCOL §15.5), written to `<dir>/texts.jsonl` and printed.
import fs from "node:fs/promises";
import path from "node:path";
import { JobKind } from "../sdk/market/enums";
import { jobCreatedEvent } from "../sdk/market/events";
import { readJob } from "../sdk/market/readJob";
import { fetchJobSpec } from "../sdk/spec/fetchJobSpec";
import type { LlmInferenceSpec } from "../sdk/spec/jobSpecTypes";
import { splitRange } from "../sdk/spec/shardWork";
import type { Connection } from "./connect";
import type { DownloadJobResultsReturnType } from "./downloadJobResults";

/** One item of an llm-inference job, as `rigel job results` reports it. */
export interface LlmItemText {
  /** The item's index in the job. */
  index: number;
  shard: number;
  prompt: string;
  text: string;
  promptTokens: number;
  generatedTokens: number;
  finishReason: string;
}

/**
 * An llm-inference job's spec from its `JobCreated` log, checked against the spec hash of that log (sdk
 * `fetchJobSpec`); undefined for a job of another kind (its spec is not read at all).
 */
export async function readLlmSpec(conn: Connection, jobId: bigint): Promise<LlmInferenceSpec | undefined> {
  const market = conn.deployment.contracts.JobMarket;
  const job = await readJob(conn.publicClient, { market, jobId });
  if (job.kind !== JobKind.LlmInference) return undefined;
  const [log] = await conn.publicClient.getLogs({
    address: market,
    event: jobCreatedEvent,
    args: { jobId },
    fromBlock: BigInt(conn.deployment.block ?? 0),
  });
  // The spec hash is emitted in JobCreated beside the URI, not stored (PROTOCOL §20).
  if (!log?.args.specURI || !log.args.specHash) return undefined;
  const { spec } = await fetchJobSpec(log.args.specURI, log.args.specHash, {
    allowRemoteHosts: true,
    allowLoopback: true,
  });
  return spec.kind === "llm-inference" ? spec : undefined;
}

/**
 * The items of every downloaded shard of an llm-inference job: `items/<i>/output.json` (local
 * index `i`, §14.3) read from the shard's folder, whose bytes `downloadShardResults` already
 * checked against the root; the prompt from the spec. Written as one JSON object a line to
 * `<results.dir>/texts.jsonl`, in item order.
 */
export async function llmItemTexts(
  spec: LlmInferenceSpec,
  shardCount: number,
  results: DownloadJobResultsReturnType,
): Promise<LlmItemText[]> {
  const items: LlmItemText[] = [];
  for (const shard of results.shards) {
    if (!shard.ok) continue;
    const range = splitRange(spec.items.length, spec.split, shardCount, shard.shard);
    for (let local = 0; local < range.end - range.start; local++) {
      const file = path.join(shard.dir, "items", String(local), "output.json");
      const output = JSON.parse(await fs.readFile(file, "utf8")) as {
        text?: unknown;
        promptTokens?: unknown;
        generatedTokens?: unknown;
        finishReason?: unknown;
      };
      items.push({
        index: range.start + local,
        shard: shard.shard,
        prompt: spec.items[range.start + local],
        text: typeof output.text === "string" ? output.text : "",
        promptTokens: Array.isArray(output.promptTokens) ? output.promptTokens.length : 0,
        generatedTokens: Array.isArray(output.generatedTokens) ? output.generatedTokens.length : 0,
        finishReason: typeof output.finishReason === "string" ? output.finishReason : "",
      });
    }
  }
  items.sort((a, b) => a.index - b.index);
  await fs.mkdir(results.dir, { recursive: true });
  await fs.writeFile(path.join(results.dir, "texts.jsonl"), items.map((i) => `${JSON.stringify(i)}\n`).join(""));
  return items;
}

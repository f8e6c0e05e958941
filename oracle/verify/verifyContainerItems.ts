import type { Hex } from "viem";
import type { RunContainerJobReturnType } from "../../sdk/executor/runContainerJob";
import { HttpError } from "../../sdk/errors/HttpError";
import type { SampledItemJson } from "../../sdk/oracleApi/types";
import { containerShardItems } from "../../sdk/spec/shardWork";
import { rerunItems, type RerunSettings } from "./rerunItems";
import { checkPostedSample } from "./checkPostedSample";
import type { VerifierFinding } from "./verdict";

/** Input of {@link verifyContainerItems}. */
export interface VerifyContainerItemsParameters extends RerunSettings {
  shards: number;
  root: Hex;
  beacon: Hex;
  /** The sampled items as posted: LOCAL indices (position in the shard's item range), in the order drawn. */
  items: readonly SampledItemJson[];
}

/**
 * Container jobs in `sampled` mode (docs/PROTOCOL.md §13.3, §18.2): `verifyItemSample` (sdk/itemSample)
 * checks that the posted items are exactly the sample `sampleIndices(beacon, itemCount, SAMPLE_SIZE)`
 * (local indices; else HTTP 400, nothing signed) and that each posted leaf `[i, outputHash]` is in the
 * submitted outputs tree (§12.4; else Invalid `ITEM_BAD_PROOF`); then the node re-runs those items
 * with the sdk's Docker executor, as the agent ran them, and compares the item hashes. The first
 * item whose re-run hashes otherwise or fails (non-zero exit, killed for memory) is re-run once more:
 * the two runs agree → Invalid (`ITEM_OUTPUT_MISMATCH` / `ITEM_RUN_FAILED`: reproducible here, so the
 * operator's hash is wrong); they differ → DeveloperFault `ITEM_NOT_REPRODUCIBLE` (the item reads the
 * clock or randomness; sampled mode presumes deterministic items). What this node cannot do itself
 * (missing image, Docker down, input unavailable, no GPU, a timeout on this host) throws
 * `ExecutorUnavailableError` (oracle/verify/rerunItems.ts).
 */
export async function verifyContainerItems(p: VerifyContainerItemsParameters): Promise<VerifierFinding> {
  const range = containerShardItems(p.spec, p.shards, p.shard);
  if (range === undefined) {
    throw new HttpError(422, "ORACLE_UNSUPPORTED", "a single-run container job has no items to sample");
  }
  const sample = checkPostedSample({
    root: p.root,
    beacon: p.beacon,
    itemCount: range.end - range.start,
    items: p.items,
  });
  if ("finding" in sample) return sample.finding;
  const { indices } = sample;
  const first = await rerunItems({ ...p, folder: "run-1", items: indices.map((i) => range.start + i) });
  const suspect = firstSuspect(first, p.items, range.start);
  if (suspect === undefined) return { verdict: "valid", reason: "verified", verified: true };
  // Once more, that item alone: is the node's own result reproducible?
  const second = await rerunItems({ ...p, folder: "run-2", items: [range.start + suspect.index] });
  const again = outcomeOf(second, range.start + suspect.index);
  const posted = p.items.find((item) => item.index === suspect.index)!.outputHash;
  if (sameOutcome(suspect.outcome, again)) {
    const reason =
      suspect.outcome.hash === undefined
        ? `ITEM_RUN_FAILED: item ${suspect.index} ${suspect.outcome.how}`
        : `ITEM_OUTPUT_MISMATCH: item ${suspect.index} re-ran to ${suspect.outcome.hash}, not ${posted}`;
    return { verdict: "invalid", reason, verified: true };
  }
  return {
    verdict: "developerFault",
    reason: `ITEM_NOT_REPRODUCIBLE: item ${suspect.index} ${describe(suspect.outcome)} on one re-run, ${describe(again)} on the other`,
    verified: true,
  };
}

/** How one item ended on a re-run: its output hash, or how it failed. */
interface ItemOutcome {
  hash?: Hex;
  how?: string;
}

const describe = (o: ItemOutcome): string => (o.hash === undefined ? o.how! : `re-ran to ${o.hash}`);
const sameOutcome = (a: ItemOutcome, b: ItemOutcome): boolean =>
  a.hash !== undefined ? b.hash?.toLowerCase() === a.hash.toLowerCase() : b.hash === undefined;

/** The first posted item (in the order drawn) whose re-run failed or hashed otherwise; undefined: all match. */
function firstSuspect(
  result: RunContainerJobReturnType,
  items: readonly SampledItemJson[],
  start: number,
): { index: number; outcome: ItemOutcome } | undefined {
  for (const item of items) {
    const outcome = outcomeOf(result, start + item.index);
    if (outcome.hash?.toLowerCase() !== item.outputHash.toLowerCase()) return { index: item.index, outcome };
  }
  return undefined;
}

/** The outcome of global item `item` in a re-run (it ran and failed, or it has a hash). */
function outcomeOf(result: RunContainerJobReturnType, item: number): ItemOutcome {
  const hash = result.itemHashes.get(item);
  if (hash !== undefined) return { hash };
  const run = result.runs.find((r) => r.item === item);
  if (run === undefined) return { how: "did not run" };
  return { how: run.oomKilled ? "was killed for memory" : `exited with code ${run.exitCode}` };
}

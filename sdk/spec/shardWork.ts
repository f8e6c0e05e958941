import { RigelError } from "../errors/RigelError";
import type { ContainerJobSpec, JobSpec, LlmInferenceSpec, MatmulInt8Spec } from "./jobSpecTypes";
import { utf8Length } from "./validateJobSpec";

/** A half-open range `[start, end)` of rows (matmul-int8) or items (itemised container jobs). */
export interface WorkRange {
  start: number;
  end: number;
}

/** A shard index or count that does not fit the job. */
export class ShardWorkError extends RigelError {
  override readonly name = "ShardWorkError";
  constructor(message: string, details: Record<string, unknown>) {
    super("SHARD_WORK_INVALID", message, { details });
  }
}

/** Multiply-adds per unit of matmul work (PROTOCOL §3.7: a unit is 10^9 multiply-adds). */
export const MULTIPLY_ADDS_PER_UNIT = 1_000_000_000n;

/**
 * The even split of `total` work into `shards` parts: shard `i` gets `[⌊i·total/S⌋, ⌊(i+1)·total/S⌋)`.
 * Every part is non-empty when `shards ≤ total`.
 */
export function evenSplit(total: number, shards: number, shard: number): WorkRange {
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > total) {
    throw new ShardWorkError(`cannot split ${total} into ${shards} non-empty shards`, { total, shards });
  }
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= shards) {
    throw new ShardWorkError(`shard ${shard} is not in [0, ${shards})`, { shard, shards });
  }
  const at = (i: number) => Number((BigInt(i) * BigInt(total)) / BigInt(shards));
  return { start: at(shard), end: at(shard + 1) };
}

/**
 * Shard `shard`'s part of `total` work: the spec's own `split` when it has one (shard `i` gets
 * `[Σ_{j<i} split[j], Σ_{j≤i} split[j])`; the job must have exactly `split.length` shards), else
 * the even split.
 */
export function splitRange(
  total: number,
  split: readonly number[] | undefined,
  shards: number,
  shard: number,
): WorkRange {
  if (split === undefined) return evenSplit(total, shards, shard);
  if (shards !== split.length) {
    throw new ShardWorkError(`the spec splits its work into ${split.length} shards, not ${shards}`, {
      shards,
      splitShards: split.length,
    });
  }
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= shards) {
    throw new ShardWorkError(`shard ${shard} is not in [0, ${shards})`, { shard, shards });
  }
  let start = 0;
  for (let i = 0; i < shard; i++) start += split[i];
  const end = start + split[shard];
  if (end > total) throw new ShardWorkError(`the split exceeds the job's work (${total})`, { total, end });
  return { start, end };
}

/** The rows of C that shard `shard` of a `shards`-shard matmul job computes (absolute row indices). */
export function matmulShardRows(spec: MatmulInt8Spec, shards: number, shard: number): WorkRange {
  const part = splitRange(spec.rowEnd - spec.rowStart, spec.split, shards, shard);
  return { start: spec.rowStart + part.start, end: spec.rowStart + part.end };
}

/**
 * The items that shard `shard` runs, for itemised container jobs. A job without `items` is one
 * run: it must have exactly one shard.
 */
export function containerShardItems(spec: ContainerJobSpec, shards: number, shard: number): WorkRange | undefined {
  if (spec.items === undefined) {
    if (shards !== 1 || shard !== 0) {
      throw new ShardWorkError("a container job without items runs as one shard", { shards, shard });
    }
    return undefined;
  }
  return splitRange(spec.items.length, spec.split, shards, shard);
}

/** Units of matmul work for `rows` rows of an n×k product: ⌈rows·n·k / 10^9⌉ (at least 1). */
export function matmulUnits(rows: number, n: number, k: number): bigint {
  const work = BigInt(rows) * BigInt(n) * BigInt(k);
  const units = (work + MULTIPLY_ADDS_PER_UNIT - 1n) / MULTIPLY_ADDS_PER_UNIT;
  return units > 0n ? units : 1n;
}

/** The items (prompts) that shard `shard` of an llm-inference job generates. */
export function llmShardItems(spec: LlmInferenceSpec, shards: number, shard: number): WorkRange {
  return splitRange(spec.items.length, spec.split, shards, shard);
}

/**
 * The most tokens one prompt can be paid for (PROTOCOL §19.1): its UTF-8 bytes + `maxNewTokens`.
 * A byte-level BPE token covers at least one byte of the text, so a prompt of b bytes has at most
 * b tokens; generation stops after `maxNewTokens` tokens.
 */
export function llmItemMaxUnits(prompt: string, maxNewTokens: number): bigint {
  return BigInt(utf8Length(prompt)) + BigInt(maxNewTokens);
}

/** The most tokens the items `[start, end)` of an llm-inference job can be paid for: Σ {@link llmItemMaxUnits}. */
export function llmRangeMaxUnits(spec: LlmInferenceSpec, range: WorkRange): bigint {
  let units = 0n;
  for (let i = range.start; i < range.end; i++) units += llmItemMaxUnits(spec.items[i], spec.maxNewTokens);
  return units;
}

/** The work range of one shard of any job (rows or items), or undefined for a single-run container job. */
export function shardWorkRange(spec: JobSpec, shards: number, shard: number): WorkRange | undefined {
  if (spec.kind === "matmul-int8") return matmulShardRows(spec, shards, shard);
  if (spec.kind === "llm-inference") return llmShardItems(spec, shards, shard);
  return containerShardItems(spec, shards, shard);
}

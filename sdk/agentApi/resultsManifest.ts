import type { Hex } from "viem";

/** One file of a shard's results, as the agent serves it. */
export interface ResultFile {
  /** Path relative to the shard's results, `/`-separated (`c.bin`, `output/x.txt`, `items/3/out.json`). */
  path: string;
  sha256: Hex;
  size: number;
}

/**
 * What `GET /v1/results/:jobId/:shard` answers (docs/PROTOCOL.md §14.3): the committed root and how
 * to recompute it from the files.
 * - `matmul-rows`: `c.bin` holds rows `[rowStart, rowEnd)` of C (int32 LE, n columns); root of §3.13.
 * - `container-files`: files under `output/`; leaves `[path, sha256]` (§12.4, per file).
 * - `container-items`: files under `items/<i>/`; leaves `[i, itemOutputHash]` (§12.4, per item).
 */
export interface ResultsManifest {
  jobId: string;
  shard: number;
  root: Hex;
  commitment: "matmul-rows" | "container-files" | "container-items";
  /** matmul-rows: the window and width of C. */
  rowStart?: number;
  rowEnd?: number;
  n?: number;
  /** container-items: the number of items of the shard (indices 0..items-1 local to the shard). */
  items?: number;
  files: ResultFile[];
}

/** The URL path of a shard's manifest; the resultURI an agent submits is its endpoint plus this. */
export function resultsPath(jobId: bigint | string, shard: number): string {
  return `/v1/results/${jobId.toString()}/${shard}`;
}

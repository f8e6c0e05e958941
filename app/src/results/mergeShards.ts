import type { JobSpec } from "../../../sdk/spec/jobSpecTypes";
import { containerShardItems } from "../../../sdk/spec/shardWork";
import type { TarEntry } from "./tarArchive";
import type { VerifiedShard } from "./downloadVerifiedShard";

/**
 * A job's checked shards as one result (the page's "Download merged result", one tar):
 * - itemised jobs: `items/<job item index>/<path>`, in item order (a shard's local item `i` is job
 *   item `itemsStart + i`, sdk/spec `containerShardItems`);
 * - a job without items (one shard): `output/<path>` as the container wrote it;
 * - matmul: one `c.bin`, the shards' row windows concatenated in row order (C's rows, int32 LE).
 * Within an item, files are in path order.
 */
export function mergeShards(spec: JobSpec, shardCount: number, shards: readonly VerifiedShard[]): TarEntry[] {
  if (shards.every((s) => s.manifest.commitment === "matmul-rows")) {
    const ordered = [...shards].sort((a, b) => (a.manifest.rowStart ?? 0) - (b.manifest.rowStart ?? 0));
    const parts = ordered.map((s) => s.files.find((f) => f.path === "c.bin")?.bytes ?? new Uint8Array());
    const c = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (c.set(p, at), at + p.length), 0);
    return [{ path: "c.bin", bytes: c }];
  }
  const entries: (TarEntry & { item: number })[] = [];
  for (const s of shards) {
    if (s.manifest.commitment === "container-items" && spec.kind === "container") {
      const start = containerShardItems(spec, shardCount, s.shard)?.start ?? 0;
      for (const f of s.files) {
        const m = /^items\/(\d+)\/(.+)$/.exec(f.path)!;
        const item = start + Number(m[1]);
        entries.push({ item, path: `items/${item}/${m[2]}`, bytes: f.bytes });
      }
    } else {
      for (const f of s.files) entries.push({ item: 0, path: f.path, bytes: f.bytes });
    }
  }
  entries.sort((a, b) => a.item - b.item || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return entries.map(({ path, bytes }) => ({ path, bytes }));
}

import type { ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import type { RanData } from "../journal/shardData";
import { persistShardResults, readShardResultsManifest } from "./shardResultsManifest";

/** How many shards' manifests the results endpoint holds in memory (each is read from disk again after). */
export const MANIFEST_CACHE_SIZE = 256;

/**
 * The manifests the results endpoint serves (PROTOCOL §14.3): hashed once when the shard ran
 * (`persistShardResults`, kept as `results-manifest.json`), read from disk on first use and kept
 * in a small in-memory cache. A shard that ran before manifests were kept is hashed once, on its
 * first request (streamed, so the event loop keeps turning), by one computation that concurrent
 * requests share; its manifest is then kept like any other. No request hashes a file again.
 */
export class ResultsManifests {
  private readonly cache = new Map<string, ResultsManifest>();
  private readonly pending = new Map<string, Promise<ResultsManifest>>();
  /** Manifests computed by hashing files here (not read from disk): for metrics and tests. */
  computed = 0;

  constructor(private readonly dataDir: string) {}

  async get(jobId: bigint, shard: number, data: RanData): Promise<ResultsManifest> {
    const key = `${jobId}/${shard}/${data.root.toLowerCase()}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Least recently used goes first: re-insert at the end.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.load(jobId, shard, data).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const manifest = await pending;
    this.cache.set(key, manifest);
    while (this.cache.size > MANIFEST_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return manifest;
  }

  private async load(jobId: bigint, shard: number, data: RanData): Promise<ResultsManifest> {
    const kept = await readShardResultsManifest(this.dataDir, jobId, shard, data.root);
    if (kept) return kept;
    this.computed++;
    const made = await persistShardResults({ dataDir: this.dataDir, jobId, shard, data });
    if (!made) throw new Error(`shard ${jobId}/${shard} has no files to serve`);
    return made;
  }
}

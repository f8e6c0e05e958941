import fs from "node:fs/promises";
import path from "node:path";
import type { ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import { sha256File } from "../../sdk/executor/sha256File";
import type { RanData } from "../journal/shardData";
import { shardWorkspace } from "../shard/shardWorkspace";
import { nodeDurableFs, type DurableFs } from "./durableFs";
import { shardResultFiles } from "./shardResultFiles";

/** The manifest a shard serves, kept beside its files: `<workspace>/results-manifest.json`. */
export const RESULTS_MANIFEST_FILE = "results-manifest.json";

/** Input of {@link persistShardResults}. */
export interface PersistShardResultsParameters {
  dataDir: string;
  jobId: bigint;
  shard: number;
  /** The facts `ran` will record (root, kind, rows or items; a failed run's `failure`). */
  data: RanData;
  fs?: DurableFs;
}

/**
 * Makes a shard's results durable before the journal records it as `ran` (PROTOCOL §14.2): hashes
 * every file it serves once (streamed, sdk/executor `sha256File`), fsyncs each of them and every
 * folder that holds them up to the work folder, then writes the manifest (§14.3) to a temporary
 * file, fsyncs it, renames it to {@link RESULTS_MANIFEST_FILE} and fsyncs the workspace. The
 * results endpoint serves that manifest and never hashes again. A failed run (§18.2) serves no
 * files: only its receipt is made durable, and undefined is returned.
 */
export async function persistShardResults(params: PersistShardResultsParameters): Promise<ResultsManifest | undefined> {
  const durable = params.fs ?? nodeDurableFs;
  const { dataDir, jobId, shard, data } = params;
  const workspace = shardWorkspace(dataDir, jobId, shard);
  const dirs = new Set<string>();
  const addDirsOf = (file: string) => {
    // Every folder from the file's up to `<dataDir>/work`: a folder created by the run is an entry of its parent.
    const stop = path.dirname(path.dirname(workspace.dir));
    for (let d = path.dirname(file); d.startsWith(stop) && d !== path.dirname(stop); d = path.dirname(d)) dirs.add(d);
  };
  const kept = [workspace.resultJson, workspace.receiptJson];
  for (const file of kept) {
    if (await exists(file)) {
      await durable.syncFile(file);
      addDirsOf(file);
    }
  }
  let manifest: ResultsManifest | undefined;
  if (!data.failure) {
    const { manifest: head, files } = shardResultFiles(dataDir, jobId, shard, data);
    const entries: ResultsManifest["files"] = [];
    for (const [rel, abs] of files) {
      entries.push({ path: rel, ...(await sha256File(abs)) });
      await durable.syncFile(abs);
      addDirsOf(abs);
    }
    manifest = { ...head, files: entries };
  }
  // Deepest first: a folder's own entry is flushed with its parent, after its contents.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await durable.syncDir(dir);
  if (manifest) {
    const target = path.join(workspace.dir, RESULTS_MANIFEST_FILE);
    const temp = `${target}.tmp`;
    await durable.writeFile(temp, JSON.stringify(manifest));
    await durable.syncFile(temp);
    await durable.rename(temp, target);
    await durable.syncDir(workspace.dir);
  }
  return manifest;
}

/** The kept manifest of a shard, or undefined when there is none or it is not the one for `root`. */
export async function readShardResultsManifest(
  dataDir: string,
  jobId: bigint,
  shard: number,
  root: string,
): Promise<ResultsManifest | undefined> {
  const file = path.join(shardWorkspace(dataDir, jobId, shard).dir, RESULTS_MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const manifest = JSON.parse(text) as ResultsManifest;
  return manifest.root?.toLowerCase() === root.toLowerCase() && Array.isArray(manifest.files) ? manifest : undefined;
}

/**
 * The absolute path of one served file, from its manifest path (one of the manifest's own entries,
 * so no `..` can appear): `c.bin`, `output/<p>`, or `items/<local i>/<p>` (item `itemStart + i`).
 */
export function resultFilePath(dataDir: string, jobId: bigint, shard: number, data: RanData, rel: string): string {
  const workspace = shardWorkspace(dataDir, jobId, shard);
  if (data.kind === "matmul-int8") return workspace.cBin;
  if (rel.startsWith("output/")) return path.join(workspace.outputDir, rel.slice("output/".length));
  const match = /^items\/(\d+)\/(.+)$/.exec(rel);
  if (!match || data.itemStart === null) throw new Error(`not a result path: ${rel}`);
  return path.join(workspace.itemOutputDir(data.itemStart + Number(match[1])), match[2]);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

import fs from "node:fs";
import path from "node:path";
import type { ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import type { RanData } from "../journal/shardData";
import { shardWorkspace } from "../shard/shardWorkspace";

function listFiles(dir: string, prefix: string): { rel: string; abs: string }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { rel: string; abs: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(abs, `${rel}/`));
    else if (entry.isFile()) out.push({ rel, abs });
  }
  return out;
}

/** The files a shard serves, by manifest path → absolute path, and how they commit (PROTOCOL §14.3). */
export function shardResultFiles(
  dataDir: string,
  jobId: bigint,
  shard: number,
  data: RanData,
): { manifest: Omit<ResultsManifest, "files">; files: Map<string, string> } {
  const workspace = shardWorkspace(dataDir, jobId, shard);
  const files = new Map<string, string>();
  const base = { jobId: jobId.toString(), shard, root: data.root };
  if (data.kind === "matmul-int8") {
    files.set("c.bin", workspace.cBin);
    const result = JSON.parse(fs.readFileSync(workspace.resultJson, "utf8")) as { n: number };
    return {
      manifest: { ...base, commitment: "matmul-rows", rowStart: data.rowStart, rowEnd: data.rowEnd, n: result.n },
      files,
    };
  }
  if (data.itemStart === null || data.itemEnd === null) {
    for (const f of listFiles(workspace.outputDir, "output/")) files.set(f.rel, f.abs);
    return { manifest: { ...base, commitment: "container-files" }, files };
  }
  const start = data.itemStart;
  const end = data.itemEnd;
  for (let item = start; item < end; item++) {
    for (const f of listFiles(workspace.itemOutputDir(item), `items/${item - start}/`)) files.set(f.rel, f.abs);
  }
  return { manifest: { ...base, commitment: "container-items", items: end - start }, files };
}

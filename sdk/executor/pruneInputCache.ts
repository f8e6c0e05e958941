import fs from "node:fs";
import path from "node:path";

/**
 * Deletes the least recently used (oldest mtime) verified inputs until the cache holds at most
 * `maxBytes`; `keep` is never deleted. Partial downloads are not counted (they are another fetch's).
 */
export async function pruneInputCache(cacheDir: string, maxBytes: number, keep?: string): Promise<string[]> {
  const names = (await fs.promises.readdir(cacheDir)).filter((n) => /^sha256-[0-9a-f]{64}$/.test(n));
  const files: { file: string; size: number; used: number }[] = [];
  for (const name of names) {
    const file = path.join(cacheDir, name);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (stat?.isFile()) files.push({ file, size: stat.size, used: stat.mtimeMs });
  }
  let total = files.reduce((sum, f) => sum + f.size, 0);
  const removed: string[] = [];
  files.sort((a, b) => a.used - b.used);
  for (const f of files) {
    if (total <= maxBytes) break;
    if (f.file === keep) continue;
    await fs.promises.rm(f.file, { force: true });
    total -= f.size;
    removed.push(f.file);
  }
  return removed;
}

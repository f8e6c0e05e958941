import fs from "node:fs/promises";
import path from "node:path";
import type { OutputFile } from "./dockerClient";
import { sha256File } from "./sha256File";

/** The result of {@link hashOutputDirectory}. */
export interface HashOutputDirectoryReturnType {
  /** Regular files, sorted by path in UTF-8 byte order. */
  files: OutputFile[];
  /** Entries that are neither regular files nor directories (symlinks included), sorted. */
  ignored: string[];
}

/**
 * Lists and hashes every regular file under `dir`. Symbolic links are never followed (a container
 * could point one at a host file), so they and other special files are only reported as ignored.
 */
export async function hashOutputDirectory(dir: string): Promise<HashOutputDirectoryReturnType> {
  const files: OutputFile[] = [];
  const ignored: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) files.push({ path: rel, ...(await sha256File(path.join(dir, rel))) });
      else ignored.push(rel);
    }
  };
  await walk("");
  const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
  files.sort((a, b) => byBytes(a.path, b.path));
  ignored.sort(byBytes);
  return { files, ignored };
}

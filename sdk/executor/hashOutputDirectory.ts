import path from "node:path";
import type { OutputFile } from "./dockerClient";
import { scanOutputDirectory, type OutputLimitExceeded, type OutputLimits } from "./scanOutputDirectory";
import { sha256File } from "./sha256File";

/** The result of {@link hashOutputDirectory}. */
export interface HashOutputDirectoryReturnType {
  /** Regular files, sorted by path in UTF-8 byte order (empty when a limit was passed). */
  files: OutputFile[];
  /** Entries that are neither regular files nor directories (symlinks included), sorted. */
  ignored: string[];
  /** Files and directories whose setuid/setgid bits were removed before anything read them. */
  stripped: string[];
  /** The output limit the directory passes, if any: then nothing was hashed. */
  exceeded?: OutputLimitExceeded;
}

/** No limit: for callers that hash a directory they trust. */
const UNLIMITED: OutputLimits = { outputBytes: Number.MAX_SAFE_INTEGER, outputFiles: Number.MAX_SAFE_INTEGER };

/**
 * Lists and hashes every regular file under `dir`, after `scanOutputDirectory` has checked it
 * against `limits` and removed every setuid/setgid bit. Symbolic links are never followed (a
 * container could point one at a host file), so they and other special files are only reported
 * as ignored. Over a limit, nothing is hashed.
 */
export async function hashOutputDirectory(
  dir: string,
  limits: OutputLimits = UNLIMITED,
): Promise<HashOutputDirectoryReturnType> {
  const scan = await scanOutputDirectory(dir, limits, { fix: true });
  const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
  const ignored = [...scan.ignored].sort(byBytes);
  const stripped = [...scan.stripped].sort(byBytes);
  if (scan.exceeded) return { files: [], ignored, stripped, exceeded: scan.exceeded };
  const files: OutputFile[] = [];
  for (const f of scan.files) files.push({ path: f.path, ...(await sha256File(path.join(dir, f.path))) });
  files.sort((a, b) => byBytes(a.path, b.path));
  return { files, ignored, stripped };
}

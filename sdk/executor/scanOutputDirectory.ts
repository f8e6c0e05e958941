import fs from "node:fs/promises";
import path from "node:path";

/** The output limits of one container invocation (the spec's, `containerRunLimits`). */
export interface OutputLimits {
  /** Most bytes, the sizes of all regular files together. */
  outputBytes: number;
  /** Most entries (files, directories and anything else) under the output directory. */
  outputFiles: number;
}

/** An output limit that was passed: which one, its value, and what was seen when the scan stopped. */
export interface OutputLimitExceeded {
  limit: "outputBytes" | "outputFiles";
  max: number;
  /** At least this much (the scan stops as soon as a limit is passed). */
  seen: number;
}

/** The result of {@link scanOutputDirectory}. */
export interface ScanOutputDirectoryReturnType {
  /** Regular files with their sizes, in the order walked (empty when a limit was passed). */
  files: { path: string; size: number }[];
  /** Entries that are neither regular files nor directories (symlinks, FIFOs, sockets, devices). */
  ignored: string[];
  /** Files and directories whose setuid/setgid bits were removed (`fix` only). */
  stripped: string[];
  exceeded?: OutputLimitExceeded;
}

const SETID = 0o6000;

/**
 * Walks a container's output directory with `lstat` (never following a link), stopping as soon as
 * it holds more entries or bytes than `limits` allow. With `fix`, removes the setuid and setgid bits
 * of every file and directory it walks, before anything on the host reads or serves them, so a
 * binary the container left there can never run with its owner's rights.
 */
export async function scanOutputDirectory(
  dir: string,
  limits: OutputLimits,
  options: { fix?: boolean } = {},
): Promise<ScanOutputDirectoryReturnType> {
  const result: ScanOutputDirectoryReturnType = { files: [], ignored: [], stripped: [] };
  let entries = 0;
  let bytes = 0;
  const walk = async (relative: string): Promise<void> => {
    const names = await fs.readdir(path.join(dir, relative));
    for (const name of names) {
      if (result.exceeded) return;
      const rel = relative === "" ? name : `${relative}/${name}`;
      const full = path.join(dir, rel);
      entries += 1;
      if (entries > limits.outputFiles) {
        result.exceeded = { limit: "outputFiles", max: limits.outputFiles, seen: entries };
        return;
      }
      const st = await fs.lstat(full);
      if (options.fix && (st.isFile() || st.isDirectory()) && (st.mode & SETID) !== 0) {
        await fs.chmod(full, st.mode & 0o1777);
        result.stripped.push(rel);
      }
      if (st.isDirectory()) await walk(rel);
      else if (st.isFile()) {
        bytes += st.size;
        if (bytes > limits.outputBytes) {
          result.exceeded = { limit: "outputBytes", max: limits.outputBytes, seen: bytes };
          return;
        }
        result.files.push({ path: rel, size: st.size });
      } else result.ignored.push(rel);
    }
  };
  await walk("");
  if (result.exceeded) result.files = [];
  return result;
}

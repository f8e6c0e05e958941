import fs from "node:fs";
import path from "node:path";

/** Mode of the operator's secret-bearing files: keystores, databases (owner read and write only). */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of the folders that hold them (owner only). */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `dir` and any missing parents with mode `0700`. A folder that already exists keeps its
 * mode (it may be shared, `/tmp` or a home folder): only what this creates is narrowed.
 */
export function ensurePrivateDir(dir: string): void {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let d = absolute; !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, { mode: PRIVATE_DIR_MODE });
    } catch (err) {
      // Made by another process meanwhile: its mode is its maker's.
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw err;
    }
    // The mode passed to mkdir is masked by the umask; chmod is not.
    fs.chmodSync(d, PRIVATE_DIR_MODE);
  }
}

/** Narrows an existing file to `0600` (a no-op when it already is). */
export function restrictFile(file: string): void {
  if ((fs.statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) fs.chmodSync(file, PRIVATE_FILE_MODE);
}

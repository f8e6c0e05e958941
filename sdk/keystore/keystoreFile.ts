import fs from "node:fs";
import path from "node:path";
import { ensurePrivateDir, PRIVATE_FILE_MODE, restrictFile } from "../db/privateFiles";
import type { KeystoreJson } from "./keystore";

/**
 * Writes a keystore for its owner alone: the folder created `0700` when missing, the file written
 * to a `0600` temporary beside it, fsync'd, renamed over `file` and the folder fsync'd, so that a
 * crash leaves the old keystore or the new one, never half of one, and never a readable one.
 */
export function writeKeystoreFile(file: string, keystore: KeystoreJson): void {
  const dir = path.dirname(path.resolve(file));
  ensurePrivateDir(dir);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, PRIVATE_FILE_MODE);
  try {
    fs.writeFileSync(fd, JSON.stringify(keystore, null, 2));
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  const dirFd = fs.openSync(dir, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** Reads a keystore file's JSON, first narrowing the file to `0600` when an older run left it wider. */
export function readKeystoreFile(file: string): unknown {
  try {
    restrictFile(file);
  } catch (err) {
    // Another owner's file or a read-only mount: reading it is still the caller's right.
    if (!["EPERM", "EROFS", "EACCES"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  }
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

import fs from "node:fs/promises";

/**
 * The file operations that make results durable (PROTOCOL §14.2): flushing a file's bytes and a
 * folder's entries to the disk, and writing a small file in place of another. Passed in so that a
 * test can record their order.
 */
export interface DurableFs {
  /** fsync(2) of a regular file: its bytes and size are on the disk when this resolves. */
  syncFile(file: string): Promise<void>;
  /** fsync(2) of a folder: the names in it (created, renamed) are on the disk when this resolves. */
  syncDir(dir: string): Promise<void>;
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

async function syncPath(target: string): Promise<void> {
  const handle = await fs.open(target, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The {@link DurableFs} of node's `fs/promises`. */
export const nodeDurableFs: DurableFs = {
  syncFile: syncPath,
  syncDir: syncPath,
  writeFile: (file, data) => fs.writeFile(file, data, { mode: 0o600 }),
  rename: (from, to) => fs.rename(from, to),
};

import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Hex } from "viem";
import { HttpError } from "../sdk/errors/HttpError";

const SHA256 = /^0x[0-9a-f]{64}$/;

/**
 * Files on disk named by their sha256 (`<dir>/blobs/ab/0xab…`): a blob is written once, to a
 * temporary file that is hashed as it arrives, cut off past its announced size, and renamed into
 * place only when its size and sha256 are the ones announced. So what the store serves under a hash
 * always has that hash, and the same bytes uploaded for two shards are kept once.
 */
export class BlobStore {
  private readonly blobs: string;
  private readonly temp: string;

  constructor(dir: string) {
    this.blobs = path.join(dir, "blobs");
    this.temp = path.join(dir, "incoming");
    fs.mkdirSync(this.blobs, { recursive: true, mode: 0o700 });
    // A temporary file left by a crash is garbage: the upload it belonged to was never acknowledged.
    fs.rmSync(this.temp, { recursive: true, force: true });
    fs.mkdirSync(this.temp, { recursive: true, mode: 0o700 });
  }

  /** Where the blob of `sha256` lives (whether or not it is there). */
  pathOf(sha256: Hex): string {
    const hex = sha256.toLowerCase();
    if (!SHA256.test(hex)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.blobs, hex.slice(2, 4), hex);
  }

  has(sha256: Hex): boolean {
    return fs.existsSync(this.pathOf(sha256));
  }

  /**
   * Writes `body` as the blob `sha256`, which must be exactly `size` bytes with that hash: else
   * HttpError 413 `STORE_FILE_TOO_LARGE` (more bytes than announced) or 422 `STORE_FILE_MISMATCH`
   * (fewer bytes, or another hash), and nothing is kept.
   */
  async put(body: Readable, sha256: Hex, size: number): Promise<void> {
    const target = this.pathOf(sha256);
    const temp = path.join(this.temp, randomBytes(12).toString("hex"));
    const hash = createHash("sha256");
    let received = 0;
    const handle = await fs.promises.open(temp, "wx", 0o600);
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        received += bytes.length;
        if (received > size) {
          throw new HttpError(413, "STORE_FILE_TOO_LARGE", "the file is longer than its manifest entry", {
            details: { size },
          });
        }
        hash.update(bytes);
        await handle.write(bytes);
      }
      await handle.sync();
      await handle.close();
      const actual = `0x${hash.digest("hex")}`;
      if (received !== size || actual !== sha256.toLowerCase()) {
        throw new HttpError(422, "STORE_FILE_MISMATCH", "the file's bytes are not the ones the manifest names", {
          details: { expected: { sha256, size }, actual: { sha256: actual, size: received } },
        });
      }
      await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await fs.promises.rename(temp, target);
    } finally {
      await handle.close().catch(() => undefined);
      await fs.promises.rm(temp, { force: true });
    }
  }

  /** Removes blobs (those no upload refers to any more). */
  async remove(hashes: readonly Hex[]): Promise<void> {
    for (const h of hashes) await fs.promises.rm(this.pathOf(h), { force: true });
  }
}

import { createHash } from "node:crypto";
import fs from "node:fs";

/** sha256 of a file's bytes, streamed: `0x` + 64 lowercase hex digits, and the size in bytes. */
export async function sha256File(file: string): Promise<{ sha256: `0x${string}`; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: `0x${hash.digest("hex")}`, size };
}

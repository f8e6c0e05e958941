import { createHash } from "node:crypto";
import type { OutputFile } from "./dockerClient";

/**
 * The hash of one item's outputs: sha256 of its manifest, one line per regular file in UTF-8 byte
 * order of the path, each `<sha256 hex, no 0x>  <path>\n` (the format of `sha256sum`). So
 * `cd out && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum`
 * gives the same digest. `files` must be sorted as `hashOutputDirectory` returns them.
 */
export function itemOutputHash(files: readonly OutputFile[]): `0x${string}` {
  const manifest = files.map((f) => `${f.sha256.replace(/^0x/, "")}  ${f.path}\n`).join("");
  return `0x${createHash("sha256").update(manifest, "utf8").digest("hex")}`;
}

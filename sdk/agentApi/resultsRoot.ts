// The committed root of a shard's container results, recomputed from its files' sha256 (PROTOCOL
// §12.4, §14.3) with no Node-only dependency: hashes go through Web Crypto (`globalThis.crypto`,
// in browsers and Node 20 alike), so the page, the CLI and the results store check files the same
// way. The same tree as sdk/executor (`itemOutputHash`, `commitOutputs`); test/sdk/resultsRoot.test.ts
// checks both agree on vectors.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { commitOutputs } from "../executor/commitOutputs";
import type { ResultFile, ResultsManifest } from "./resultsManifest";

const utf8 = new TextEncoder();

/** `0x` + the lowercase hex sha256 of `bytes` (a string is hashed as UTF-8), by Web Crypto. */
export async function sha256Hex(bytes: Uint8Array | string): Promise<Hex> {
  const data = typeof bytes === "string" ? utf8.encode(bytes) : bytes;
  const digest = await globalThis.crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return `0x${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Orders two paths by the bytes of their UTF-8 encoding (PROTOCOL §12.4), as `Buffer.compare` would. */
export function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * One item's output hash (§12.4): sha256 of `"<sha256 hex>  <path>\n"` per file, files in UTF-8
 * byte order; `files` paths are relative to the item's folder. Twin of sdk/executor `itemOutputHash`.
 */
export async function itemOutputHashOf(files: readonly Pick<ResultFile, "path" | "sha256">[]): Promise<Hex> {
  const sorted = [...files].sort((a, b) => compareUtf8(a.path, b.path));
  return sha256Hex(sorted.map((f) => `${f.sha256.replace(/^0x/, "").toLowerCase()}  ${f.path}\n`).join(""));
}

/** A results manifest whose commitment this module recomputes from hashes alone (not `matmul-rows`). */
export function rootFromHashesOnly(manifest: Pick<ResultsManifest, "commitment">): boolean {
  return manifest.commitment === "container-files" || manifest.commitment === "container-items";
}

/**
 * The root a container shard's files commit to, from their manifest paths and sha256 (the files of
 * `committedPath`): `container-files` leaves `[path under output/, sha256]`; `container-items`
 * leaves `[i, itemOutputHash(files under items/<i>/)]` for every `i < items`. Throws for
 * `matmul-rows`, whose root needs c.bin's bytes (sdk/agentApi/results.ts does that in Node).
 */
export async function containerResultsRoot(
  manifest: Pick<ResultsManifest, "commitment" | "items">,
  files: readonly Pick<ResultFile, "path" | "sha256">[],
): Promise<Hex> {
  if (manifest.commitment === "container-files") {
    const outputs = files
      .filter((f) => f.path.startsWith("output/"))
      .map((f) => ({ path: f.path.slice("output/".length), sha256: f.sha256.toLowerCase() as Hex, size: 0 }))
      .sort((a, b) => compareUtf8(a.path, b.path));
    return commitOutputs({ mode: "files", files: outputs }).root;
  }
  if (manifest.commitment === "container-items") {
    const itemHashes: Hex[] = [];
    for (let i = 0; i < (manifest.items ?? 0); i++) {
      const prefix = `items/${i}/`;
      const own = files
        .filter((f) => f.path.startsWith(prefix))
        .map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
      itemHashes.push(await itemOutputHashOf(own));
    }
    return commitOutputs({ mode: "items", itemHashes }).root;
  }
  throw new Error(`the ${manifest.commitment} root needs the file bytes, not only their hashes`);
}

/**
 * The root of a `matmul-rows` shard from c.bin's bytes (PROTOCOL §3.13): `rowHash = sha256(row as
 * int32 LE)` for each of the `rowEnd − rowStart` rows of `n` columns, leaves `[local row, rowHash]`
 * typed `["uint256","bytes32"]` in a StandardMerkleTree. Twin of sdk/pow `commitRows(rowHashes(…))`.
 * Throws when c.bin is not exactly the window's size.
 */
export async function matmulResultsRoot(
  manifest: Pick<ResultsManifest, "rowStart" | "rowEnd" | "n">,
  cBin: Uint8Array,
): Promise<Hex> {
  const { rowStart = 0, rowEnd = 0, n = 0 } = manifest;
  const m = rowEnd - rowStart;
  const rowBytes = n * 4;
  if (m <= 0 || n <= 0 || cBin.length !== m * rowBytes) throw new Error("c.bin has the wrong size");
  const leaves: [number, Hex][] = [];
  for (let i = 0; i < m; i++) leaves.push([i, await sha256Hex(cBin.subarray(i * rowBytes, (i + 1) * rowBytes))]);
  return StandardMerkleTree.of(leaves, ["uint256", "bytes32"]).root as Hex;
}

import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Hex, LocalAccount } from "viem";
import { signRequest } from "../auth/signRequest";
import { RigelError } from "../errors/RigelError";
import { commitOutputs } from "../executor/commitOutputs";
import type { OutputFile } from "../executor/dockerClient";
import { itemOutputHash } from "../executor/itemOutputHash";
import { commitRows, rowHashes } from "../pow/commitment";
import { decodeInt32LE } from "../pow/decodeInt32LE";
import type { ResultsManifest } from "./resultsManifest";

/** A download whose files do not match what the operator committed, or an agent that refused. */
export class ResultsDownloadError extends RigelError {
  override readonly name = "ResultsDownloadError";
}

/** Options of {@link downloadShardResults}. */
export interface DownloadShardResultsOptions {
  /** The root committed on-chain (`JobMarket.getShard(...).resultRoot`); checked besides the manifest's. */
  expectedRoot?: Hex;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  /** Called with the manifest once it arrived, then after each file was downloaded and its sha256 checked. */
  onProgress?: (event: DownloadProgress) => void;
}

/** Progress of {@link downloadShardResults}: files and bytes checked so far, of the manifest's totals. */
export interface DownloadProgress {
  filesDone: number;
  files: number;
  bytesDone: number;
  bytes: number;
  /** The file just checked; absent in the first event (manifest received). */
  path?: string;
}

/** What {@link downloadShardResults} wrote. */
export interface DownloadShardResultsReturnType {
  manifest: ResultsManifest;
  root: Hex;
  /** Absolute paths of the files written, in manifest order. */
  files: string[];
}

async function signedGet(account: LocalAccount, url: URL, timeoutMs: number): Promise<Response> {
  const target = url.pathname + url.search;
  const headers = await signRequest(account, { method: "GET", path: target, body: "" });
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ResultsDownloadError("RESULTS_UNREACHABLE", `cannot reach ${url.origin}`, { cause: err });
  }
  if (!response.ok) {
    const body = await response.text().catch(() => "");
    throw new ResultsDownloadError("RESULTS_REFUSED", `${target}: HTTP ${response.status} ${body.slice(0, 300)}`, {
      details: { status: response.status },
    });
  }
  return response;
}

function safeRelative(p: string): string {
  const normal = path.posix.normalize(p);
  if (normal.startsWith("../") || normal === ".." || path.posix.isAbsolute(normal) || normal.length === 0) {
    throw new ResultsDownloadError("RESULTS_BAD_PATH", `unsafe path in manifest: ${p}`);
  }
  return normal;
}

/** Recomputes the committed root from the downloaded files, as the manifest's commitment says. */
function rootOf(manifest: ResultsManifest, contents: Map<string, Buffer>): Hex {
  const hashOf = (buf: Buffer) => `0x${createHash("sha256").update(buf).digest("hex")}` as const;
  if (manifest.commitment === "matmul-rows") {
    const bytes = contents.get("c.bin");
    const { rowStart = 0, rowEnd = 0, n = 0 } = manifest;
    const m = rowEnd - rowStart;
    if (!bytes || bytes.length !== m * n * 4)
      throw new ResultsDownloadError("RESULTS_BAD_FILES", "c.bin has the wrong size");
    return commitRows(rowHashes(decodeInt32LE(bytes), m, n)).root;
  }
  const files: OutputFile[] = manifest.files.map((f) => ({
    path: f.path,
    sha256: hashOf(contents.get(f.path)!),
    size: contents.get(f.path)!.length,
  }));
  const byBytes = (a: OutputFile, b: OutputFile) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
  if (manifest.commitment === "container-files") {
    const outputs = files
      .filter((f) => f.path.startsWith("output/"))
      .map((f) => ({ ...f, path: f.path.slice("output/".length) }))
      .sort(byBytes);
    return commitOutputs({ mode: "files", files: outputs }).root;
  }
  const items = manifest.items ?? 0;
  const itemHashes: `0x${string}`[] = [];
  for (let i = 0; i < items; i++) {
    const prefix = `items/${i}/`;
    const own = files
      .filter((f) => f.path.startsWith(prefix))
      .map((f) => ({ ...f, path: f.path.slice(prefix.length) }))
      .sort(byBytes);
    itemHashes.push(itemOutputHash(own));
  }
  return commitOutputs({ mode: "items", itemHashes }).root;
}

/**
 * Downloads a shard's results from the operator's agent (`resultURI` as submitted on-chain), with
 * requests signed by the job's developer (`account`), into `outDir`; checks each file's sha256
 * against the manifest and the root recomputed from the files against the manifest's root and, when
 * given, the on-chain root. Throws {@link ResultsDownloadError} on any refusal or mismatch; a file
 * that fails its check is not kept.
 */
export async function downloadShardResults(
  resultURI: string,
  account: LocalAccount,
  outDir: string,
  options: DownloadShardResultsOptions = {},
): Promise<DownloadShardResultsReturnType> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const base = new URL(resultURI);
  const manifest = (await (await signedGet(account, base, timeoutMs)).json()) as ResultsManifest;
  if (!Array.isArray(manifest?.files) || typeof manifest.root !== "string") {
    throw new ResultsDownloadError("RESULTS_BAD_MANIFEST", "the agent's manifest is malformed");
  }
  if (options.expectedRoot && options.expectedRoot.toLowerCase() !== manifest.root.toLowerCase()) {
    throw new ResultsDownloadError("RESULTS_ROOT_MISMATCH", "the manifest's root is not the on-chain root", {
      details: { expected: options.expectedRoot, manifest: manifest.root },
    });
  }
  const contents = new Map<string, Buffer>();
  const totalBytes = manifest.files.reduce((sum, f) => sum + (Number.isFinite(f.size) ? f.size : 0), 0);
  let bytesDone = 0;
  const progress = (checked?: string) =>
    options.onProgress?.({
      filesDone: contents.size,
      files: manifest.files.length,
      bytesDone,
      bytes: totalBytes,
      path: checked,
    });
  progress();
  for (const file of manifest.files) {
    const rel = safeRelative(file.path);
    const url = new URL(base.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/file`;
    url.search = `?path=${encodeURIComponent(rel)}`;
    const bytes = Buffer.from(await (await signedGet(account, url, timeoutMs)).arrayBuffer());
    const actual = `0x${createHash("sha256").update(bytes).digest("hex")}`;
    if (actual !== file.sha256.toLowerCase()) {
      throw new ResultsDownloadError("RESULTS_FILE_MISMATCH", `${rel}: sha256 does not match the manifest`, {
        details: { path: rel, expected: file.sha256, actual },
      });
    }
    contents.set(file.path, bytes);
    bytesDone += bytes.length;
    progress(rel);
  }
  const root = rootOf(manifest, contents);
  if (root.toLowerCase() !== manifest.root.toLowerCase()) {
    throw new ResultsDownloadError("RESULTS_ROOT_MISMATCH", "the files do not commit to the announced root", {
      details: { computed: root, manifest: manifest.root },
    });
  }
  const written: string[] = [];
  for (const file of manifest.files) {
    const target = path.join(outDir, safeRelative(file.path));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, contents.get(file.path)!);
    written.push(target);
  }
  return { manifest, root, files: written };
}

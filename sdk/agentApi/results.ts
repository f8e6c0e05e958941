import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Hex, LocalAccount } from "viem";
import { requestNonce } from "../auth/requestNonce";
import { signRequest } from "../auth/signRequest";
import { RigelError } from "../errors/RigelError";
import { commitOutputs } from "../executor/commitOutputs";
import type { OutputFile } from "../executor/dockerClient";
import { itemOutputHash } from "../executor/itemOutputHash";
import { commitRows, rowHashes } from "../pow/commitment";
import { decodeInt32LE } from "../pow/decodeInt32LE";
import type { ResultFile, ResultsManifest } from "./resultsManifest";

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
  /** Absolute paths of the files written, in manifest order (committed files only). */
  files: string[];
  /** Manifest paths the commitment does not cover: neither downloaded nor written. */
  skipped: string[];
}

async function signedGet(account: LocalAccount, url: URL, timeoutMs: number): Promise<Response> {
  const target = url.pathname + url.search;
  // A fresh nonce per request (PROTOCOL §4.2 v2): the agent answers each signed request once (§14.3).
  const headers = await signRequest(account, { method: "GET", path: target, body: "", nonce: requestNonce() });
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

/**
 * A manifest path as a relative path under the download folder: `/`-separated, no empty, `.` or
 * `..` segment, not absolute, no backslash or NUL (what Windows or a C API would read otherwise).
 */
export function safeRelative(p: string): string {
  const segments = typeof p === "string" ? p.split("/") : [""];
  const bad =
    typeof p !== "string" ||
    p.length === 0 ||
    p.length > 4096 ||
    p.startsWith("/") ||
    /[\\\0]/.test(p) ||
    /^[A-Za-z]:/.test(p) ||
    segments.some((s) => s === "" || s === "." || s === "..");
  if (bad) throw new ResultsDownloadError("RESULTS_BAD_PATH", `unsafe path in manifest: ${String(p).slice(0, 200)}`);
  return p;
}

/**
 * Whether the manifest's commitment covers `file` (PROTOCOL §14.3): `c.bin` for matmul rows,
 * `output/…` for container files, `items/<i>/…` with `i` below `items` for container items. Nothing
 * else enters the root, so nothing else is downloaded.
 */
export function committedPath(manifest: Pick<ResultsManifest, "commitment" | "items">, file: string): boolean {
  if (manifest.commitment === "matmul-rows") return file === "c.bin";
  if (manifest.commitment === "container-files") return file.startsWith("output/");
  const match = /^items\/(0|[1-9]\d{0,8})\/./.exec(file);
  return match !== null && Number(match[1]) < (manifest.items ?? 0);
}

/** Recomputes the committed root, from the files' checked hashes (and c.bin's bytes for matmul). */
async function rootOf(manifest: ResultsManifest, files: ResultFile[], cBin?: string): Promise<Hex> {
  if (manifest.commitment === "matmul-rows") {
    const { rowStart = 0, rowEnd = 0, n = 0 } = manifest;
    const m = rowEnd - rowStart;
    const bytes = cBin === undefined ? undefined : await fs.readFile(cBin);
    if (!bytes || bytes.length !== m * n * 4)
      throw new ResultsDownloadError("RESULTS_BAD_FILES", "c.bin has the wrong size");
    return commitRows(rowHashes(decodeInt32LE(bytes), m, n)).root;
  }
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

/** Streams a response body into `file`, hashing it; stops past `maxBytes`. */
async function receiveFile(response: Response, file: string, maxBytes: number): Promise<ResultFile["sha256"]> {
  const hash = createHash("sha256");
  let size = 0;
  const handle = await fs.open(file, "wx", 0o600);
  try {
    const body = response.body;
    if (body) {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > maxBytes) {
          throw new ResultsDownloadError("RESULTS_FILE_MISMATCH", "a file is longer than the manifest says", {
            details: { expectedSize: maxBytes },
          });
        }
        hash.update(chunk);
        await handle.write(chunk);
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return `0x${hash.digest("hex")}`;
}

/**
 * Downloads a shard's results from the operator's agent (`resultURI` as submitted on-chain), with
 * requests signed by the job's developer (`account`, a fresh nonce each), into `outDir`.
 * Only files the manifest's commitment covers are fetched (others are listed in `skipped`); each is
 * streamed to a temporary file in `outDir/.rigel-download-*` and its sha256 checked against the
 * manifest; the root recomputed from them is checked against the manifest's root and, when given,
 * the on-chain root. Only then are the files renamed into place: a download that fails writes
 * nothing into `outDir` (its temporary folder is removed). Paths are checked first (no `..`, no
 * absolute path). Throws {@link ResultsDownloadError} on any refusal or mismatch.
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
  const seen = new Set<string>();
  for (const f of manifest.files) {
    safeRelative(f?.path);
    if (!Number.isSafeInteger(f.size) || f.size < 0 || typeof f.sha256 !== "string" || seen.has(f.path)) {
      throw new ResultsDownloadError("RESULTS_BAD_MANIFEST", `manifest entry ${f.path.slice(0, 200)} is malformed`);
    }
    seen.add(f.path);
  }
  const wanted = manifest.files.filter((f) => committedPath(manifest, f.path));
  const skipped = manifest.files.filter((f) => !committedPath(manifest, f.path)).map((f) => f.path);
  const totalBytes = wanted.reduce((sum, f) => sum + f.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const progress = (checked?: string) =>
    options.onProgress?.({ filesDone, files: wanted.length, bytesDone, bytes: totalBytes, path: checked });
  progress();

  const root = path.resolve(outDir);
  await fs.mkdir(root, { recursive: true });
  const staging = await fs.mkdtemp(path.join(root, ".rigel-download-"));
  try {
    const checked: ResultFile[] = [];
    const temps = new Map<string, string>();
    for (const [index, file] of wanted.entries()) {
      const url = new URL(base.toString());
      url.pathname = `${url.pathname.replace(/\/+$/, "")}/file`;
      url.search = `?path=${encodeURIComponent(file.path)}`;
      const temp = path.join(staging, String(index));
      const actual = await receiveFile(await signedGet(account, url, timeoutMs), temp, file.size);
      if (actual !== file.sha256.toLowerCase()) {
        throw new ResultsDownloadError("RESULTS_FILE_MISMATCH", `${file.path}: sha256 does not match the manifest`, {
          details: { path: file.path, expected: file.sha256, actual },
        });
      }
      checked.push({ path: file.path, sha256: actual, size: file.size });
      temps.set(file.path, temp);
      filesDone++;
      bytesDone += file.size;
      progress(file.path);
    }
    const computed = await rootOf(manifest, checked, temps.get("c.bin"));
    if (computed.toLowerCase() !== manifest.root.toLowerCase()) {
      throw new ResultsDownloadError("RESULTS_ROOT_MISMATCH", "the files do not commit to the announced root", {
        details: { computed, manifest: manifest.root },
      });
    }
    const written: string[] = [];
    for (const file of checked) {
      const target = path.resolve(root, ...file.path.split("/"));
      if (!target.startsWith(root + path.sep)) {
        throw new ResultsDownloadError("RESULTS_BAD_PATH", `unsafe path in manifest: ${file.path}`);
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(temps.get(file.path)!, target);
      written.push(target);
    }
    return { manifest, root: computed, files: written, skipped };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

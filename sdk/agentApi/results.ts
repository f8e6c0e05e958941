import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Hex, LocalAccount } from "viem";
import { requestNonce } from "../auth/requestNonce";
import { signRequest } from "../auth/signRequest";
import { RigelError } from "../errors/RigelError";
import { commitRows, rowHashes } from "../pow/commitment";
import { decodeInt32LE } from "../pow/decodeInt32LE";
import type { ResultFile, ResultsManifest } from "./resultsManifest";
import { containerResultsRoot } from "./resultsRoot";

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

/**
 * The root a shard's committed files recompute (PROTOCOL §14.3): from their checked sha256 for
 * container results (sdk/agentApi/resultsRoot.ts, the page's code too), from c.bin's bytes for
 * matmul rows. Throws {@link ResultsDownloadError} `RESULTS_BAD_FILES` for a c.bin of the wrong size.
 */
export async function resultsRoot(
  manifest: Pick<ResultsManifest, "commitment" | "items" | "rowStart" | "rowEnd" | "n">,
  files: readonly ResultFile[],
  cBin?: Uint8Array,
): Promise<Hex> {
  if (manifest.commitment === "matmul-rows") {
    const { rowStart = 0, rowEnd = 0, n = 0 } = manifest;
    const m = rowEnd - rowStart;
    if (!cBin || m <= 0 || cBin.length !== m * n * 4)
      throw new ResultsDownloadError("RESULTS_BAD_FILES", "c.bin has the wrong size");
    return commitRows(rowHashes(decodeInt32LE(cBin), m, n)).root;
  }
  return containerResultsRoot(manifest, files);
}

/**
 * Checks a manifest's shape before anything is fetched or stored: a root, a file list whose every
 * path is safe ({@link safeRelative}), sizes whole and not negative, sha256 as 0x-hex, no path twice.
 * Throws {@link ResultsDownloadError} `RESULTS_BAD_MANIFEST` or `RESULTS_BAD_PATH`.
 */
export function assertWellFormedManifest(manifest: unknown): asserts manifest is ResultsManifest {
  const m = manifest as Partial<ResultsManifest> | null;
  if (!m || !Array.isArray(m.files) || typeof m.root !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(m.root)) {
    throw new ResultsDownloadError("RESULTS_BAD_MANIFEST", "the results manifest is malformed");
  }
  if (!["matmul-rows", "container-files", "container-items"].includes(String(m.commitment))) {
    throw new ResultsDownloadError("RESULTS_BAD_MANIFEST", "the results manifest names no known commitment");
  }
  const seen = new Set<string>();
  for (const f of m.files) {
    safeRelative(f?.path);
    if (
      !Number.isSafeInteger(f.size) ||
      f.size < 0 ||
      typeof f.sha256 !== "string" ||
      !/^0x[0-9a-fA-F]{64}$/.test(f.sha256) ||
      seen.has(f.path)
    ) {
      throw new ResultsDownloadError("RESULTS_BAD_MANIFEST", `manifest entry ${f.path.slice(0, 200)} is malformed`);
    }
    seen.add(f.path);
  }
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
  assertWellFormedManifest(manifest);
  if (options.expectedRoot && options.expectedRoot.toLowerCase() !== manifest.root.toLowerCase()) {
    throw new ResultsDownloadError("RESULTS_ROOT_MISMATCH", "the manifest's root is not the on-chain root", {
      details: { expected: options.expectedRoot, manifest: manifest.root },
    });
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
    const cBin = temps.get("c.bin");
    const computed = await resultsRoot(manifest, checked, cBin === undefined ? undefined : await fs.readFile(cBin));
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

/** Where a shard's results may be read: the operator's agent (`resultURI`), then a results store. */
export interface ShardResultsSources {
  /** The `resultURI` of the shard's `ShardSubmitted` event (the operator's agent). */
  resultURI?: string;
  /** The results store's URL of the shard (`storeResultsUri(spec.uploadUrl, jobId, shard)`, PROTOCOL §18.8). */
  storeUri?: string;
}

/** What {@link downloadShardResultsFromSources} wrote, and from where. */
export interface DownloadFromSourcesReturnType extends DownloadShardResultsReturnType {
  /** Who served the files that checked: the operator's agent or the results store. */
  source: "operator" | "store";
  sourceUri: string;
  /** Why the operator's copy was not used, when the store's was. */
  operatorError?: { code: string; message: string };
}

/**
 * {@link downloadShardResults} from the operator's agent, and when that fails (unreachable, refused,
 * or files that do not check) from the results store, with the same checks against the same
 * `expectedRoot`: results outlive the operator (PROTOCOL §18.8). Throws the store's error (its
 * message names the operator's too) when both fail, or the one error when only one source exists.
 */
export async function downloadShardResultsFromSources(
  sources: ShardResultsSources,
  account: LocalAccount,
  outDir: string,
  options: DownloadShardResultsOptions = {},
): Promise<DownloadFromSourcesReturnType> {
  let operatorError: { code: string; message: string } | undefined;
  if (sources.resultURI) {
    try {
      const got = await downloadShardResults(sources.resultURI, account, outDir, options);
      return { ...got, source: "operator", sourceUri: sources.resultURI };
    } catch (err) {
      if (!sources.storeUri || !(err instanceof RigelError)) throw err;
      operatorError = { code: err.code, message: err.chain().join(": ") };
    }
  }
  if (!sources.storeUri)
    throw new ResultsDownloadError("RESULTS_NO_SOURCE", "the shard names no result URI and no store");
  try {
    const got = await downloadShardResults(sources.storeUri, account, outDir, options);
    return { ...got, source: "store", sourceUri: sources.storeUri, operatorError };
  } catch (err) {
    if (!operatorError || !(err instanceof RigelError)) throw err;
    throw new ResultsDownloadError(
      err.code,
      `the operator failed (${operatorError.code}: ${operatorError.message}) and so did the results store (${err.chain().join(": ")})`,
      { details: { operator: operatorError, store: { code: err.code } }, cause: err },
    );
  }
}

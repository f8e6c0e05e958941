import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RigelError } from "../errors/RigelError";
import { egressOpen, EgressRefused, hostPolicy } from "../net/egress";
import { pruneInputCache } from "./pruneInputCache";

/** An input's bytes do not hash to the sha256 the spec promised. Nothing is kept. */
export class InputHashMismatchError extends RigelError {
  override readonly name = "InputHashMismatchError";
  constructor(uri: string, expected: string, actual: string) {
    super("EXECUTOR_INPUT_HASH_MISMATCH", `input ${uri} has sha256 ${actual}, the spec says ${expected}`, {
      details: { uri, expected, actual },
    });
  }
}

/** An input could not be read or downloaded (missing file, HTTP error, host not allowed, too big). */
export class InputFetchError extends RigelError {
  override readonly name = "InputFetchError";
  constructor(uri: string, reason: string, cause?: unknown) {
    super("EXECUTOR_INPUT_FETCH", `could not fetch input ${uri}: ${reason}`, { details: { uri, reason }, cause });
  }
}

/** The arguments of {@link fetchInput}. */
export interface FetchInputParameters {
  /** `file://`, `http://` or `https://`. */
  uri: string;
  /** The sha256 the spec gives: `0x` + 64 hex digits. */
  sha256: `0x${string}`;
  /** Verified inputs are kept here, named by their hash, and reused. */
  cacheDir: string;
  /**
   * Reach public http(s) hosts (then loopback only with `allowLoopback`); off (default): loopback
   * only, nothing leaves the machine. Private, link-local and metadata addresses never (sdk/net/egress).
   */
  allowRemoteHosts?: boolean;
  /** With `allowRemoteHosts`: reach loopback too (development). */
  allowLoopback?: boolean;
  /** Largest input accepted, in bytes (default 16 GiB), enforced while it streams. */
  maxBytes?: number;
  /** Give up on a download after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Cancels the download (the shutdown signal). */
  signal?: AbortSignal;
  /**
   * Only read `file://` inputs under these directories, symlinks resolved, regular files only
   * (absent: anywhere, still regular files only; empty: `file://` refused).
   */
  allowedFileRoots?: readonly string[];
  /** After a fetch, prune the cache's least recently used inputs until it holds at most this many bytes. */
  cacheMaxBytes?: number;
}

/** Where the verified input is, and whether it came from the cache. */
export interface FetchInputReturnType {
  path: string;
  size: number;
  cached: boolean;
}

/**
 * Fetches an input into the cache through the egress module (sdk/net/egress: address policy at
 * connect time, no redirects, the byte limit while streaming, timeouts), checking its sha256 while
 * it streams; only a file that matched is moved into place (atomically), so the cache never holds
 * unverified bytes. A cache hit is marked used (its mtime), and the cache is pruned to
 * `cacheMaxBytes`, least recently used first, never the input just asked for.
 * @throws InputHashMismatchError, InputFetchError.
 */
export async function fetchInput(params: FetchInputParameters): Promise<FetchInputReturnType> {
  const expected = params.sha256.toLowerCase();
  const target = path.join(params.cacheDir, `sha256-${expected.replace(/^0x/, "")}`);
  const existing = await fs.promises.stat(target).catch(() => undefined);
  if (existing?.isFile()) {
    const now = new Date();
    await fs.promises.utimes(target, now, now).catch(() => undefined);
    return { path: target, size: existing.size, cached: true };
  }

  await fs.promises.mkdir(params.cacheDir, { recursive: true });
  const maxBytes = params.maxBytes ?? 16 * 1024 ** 3;
  let source: Readable;
  try {
    source = (
      await egressOpen(
        params.uri,
        {
          ...hostPolicy(params.allowRemoteHosts, params.allowLoopback),
          fileRoots: params.allowedFileRoots ?? [path.parse(process.cwd()).root],
          maxBytes,
          totalTimeoutMs: params.timeoutMs ?? 600_000,
        },
        params.signal,
      )
    ).stream;
  } catch (err) {
    throw asFetchError(params.uri, err);
  }
  const temp = `${target}.${randomBytes(6).toString("hex")}.partial`;
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(temp, { mode: 0o644 }), { signal: params.signal });
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw asFetchError(params.uri, err);
  }
  const actual = `0x${hash.digest("hex")}`;
  if (actual !== expected) {
    await fs.promises.rm(temp, { force: true });
    throw new InputHashMismatchError(params.uri, expected, actual);
  }
  await fs.promises.rename(temp, target);
  if (params.cacheMaxBytes !== undefined) await pruneInputCache(params.cacheDir, params.cacheMaxBytes, target);
  return { path: target, size, cached: false };
}

function asFetchError(uri: string, err: unknown): InputFetchError {
  if (err instanceof InputFetchError) return err;
  if (err instanceof EgressRefused) {
    const reason =
      err.reason === "file-root"
        ? "outside the directories allowed for file inputs"
        : err.reason === "status"
          ? `HTTP ${String(err.details.status)}`
          : err.summary;
    return new InputFetchError(uri, reason, err);
  }
  return new InputFetchError(uri, (err as Error).message, err);
}

import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { RigelError } from "../errors/RigelError";

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
  /** Allow http(s) hosts other than loopback (default false: nothing leaves the machine). */
  allowRemoteHosts?: boolean;
  /** Largest input accepted, in bytes (default 16 GiB). */
  maxBytes?: number;
  /** Give up on a download after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Only read `file://` inputs under these directories, symlinks resolved (default: anywhere). */
  allowedFileRoots?: readonly string[];
}

/** Where the verified input is, and whether it came from the cache. */
export interface FetchInputReturnType {
  path: string;
  size: number;
  cached: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Fetches an input into the cache, checking its sha256 while it streams; only a file that matched
 * is moved into place (atomically), so the cache never holds unverified bytes.
 * @throws InputHashMismatchError, InputFetchError.
 */
export async function fetchInput(params: FetchInputParameters): Promise<FetchInputReturnType> {
  const expected = params.sha256.toLowerCase();
  const target = path.join(params.cacheDir, `sha256-${expected.replace(/^0x/, "")}`);
  const existing = await fs.promises.stat(target).catch(() => undefined);
  if (existing?.isFile()) return { path: target, size: existing.size, cached: true };

  await fs.promises.mkdir(params.cacheDir, { recursive: true });
  const source = await openSource(params);
  const temp = `${target}.${randomBytes(6).toString("hex")}.partial`;
  const hash = createHash("sha256");
  const maxBytes = params.maxBytes ?? 16 * 1024 ** 3;
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new InputFetchError(params.uri, `larger than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(temp, { mode: 0o644 }));
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    if (err instanceof InputFetchError) throw err;
    throw new InputFetchError(params.uri, (err as Error).message, err);
  }
  const actual = `0x${hash.digest("hex")}`;
  if (actual !== expected) {
    await fs.promises.rm(temp, { force: true });
    throw new InputHashMismatchError(params.uri, expected, actual);
  }
  await fs.promises.rename(temp, target);
  return { path: target, size, cached: false };
}

async function openSource(params: FetchInputParameters): Promise<Readable> {
  let url: URL;
  try {
    url = new URL(params.uri);
  } catch (err) {
    throw new InputFetchError(params.uri, "not a URL", err);
  }
  if (url.protocol === "file:") {
    const file = fileURLToPath(url);
    const stat = await fs.promises.stat(file).catch((err) => {
      throw new InputFetchError(params.uri, "no such file", err);
    });
    if (!stat.isFile()) throw new InputFetchError(params.uri, "not a regular file");
    if (params.allowedFileRoots !== undefined) {
      const real = await fs.promises.realpath(file);
      const roots = await Promise.all(params.allowedFileRoots.map((r) => fs.promises.realpath(r).catch(() => r)));
      if (!roots.some((root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep))) {
        throw new InputFetchError(params.uri, "outside the directories allowed for file inputs");
      }
    }
    return fs.createReadStream(file);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InputFetchError(params.uri, `scheme ${url.protocol} is not supported`);
  }
  if (!params.allowRemoteHosts && !LOOPBACK.has(url.hostname)) {
    throw new InputFetchError(params.uri, `host ${url.hostname} is not allowed (only loopback unless allowed)`);
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(params.timeoutMs ?? 600_000), redirect: "error" });
  } catch (err) {
    throw new InputFetchError(params.uri, (err as Error).message, err);
  }
  if (!response.ok || response.body === null) {
    throw new InputFetchError(params.uri, `HTTP ${response.status}`);
  }
  return Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
}

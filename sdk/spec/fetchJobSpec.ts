import fs from "node:fs";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { RigelError } from "../errors/RigelError";
import { hashJobSpec } from "./hashJobSpec";
import type { JobSpec } from "./jobSpecTypes";
import { parseJobSpec } from "./parseJobSpec";

/** The largest spec text accepted from a spec URI. */
export const MAX_SPEC_BYTES = 1024 * 1024;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** A spec URI that cannot be read, or whose text does not hash to the on-chain spec hash. */
export class JobSpecFetchError extends RigelError {
  override readonly name = "JobSpecFetchError";
  constructor(uri: string, reason: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super("SPEC_FETCH_FAILED", `job spec ${describe(uri)}: ${reason}`, {
      details: { uri: describe(uri), ...details },
      cause,
    });
  }
}

function describe(uri: string): string {
  return uri.startsWith("data:") ? `${uri.slice(0, 40)}…` : uri;
}

/** Moved to `./jobSpecDataUri` (browser-safe); kept here for the Node importers. */
export { jobSpecDataUri } from "./jobSpecDataUri";

async function readUri(uri: string, allowRemoteHosts: boolean): Promise<string> {
  if (uri.startsWith("data:")) {
    const comma = uri.indexOf(",");
    if (comma < 0) throw new JobSpecFetchError(uri, "malformed data: URI");
    const meta = uri.slice(5, comma);
    const body = uri.slice(comma + 1);
    return meta.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new JobSpecFetchError(uri, "not a URL", {}, err);
  }
  if (url.protocol === "file:") {
    try {
      const file = fileURLToPath(url);
      if (fs.statSync(file).size > MAX_SPEC_BYTES)
        throw new JobSpecFetchError(uri, `larger than ${MAX_SPEC_BYTES} bytes`);
      return fs.readFileSync(file, "utf8");
    } catch (err) {
      if (err instanceof JobSpecFetchError) throw err;
      throw new JobSpecFetchError(uri, "cannot read the file", {}, err);
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new JobSpecFetchError(uri, `scheme ${url.protocol} is not supported`);
  }
  if (!allowRemoteHosts && !LOOPBACK.has(url.hostname)) {
    throw new JobSpecFetchError(uri, "remote hosts are not allowed by this configuration");
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new JobSpecFetchError(uri, "request failed", {}, err);
  }
  if (!response.ok) throw new JobSpecFetchError(uri, `HTTP ${response.status}`, { status: response.status });
  const text = await response.text();
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES) throw new JobSpecFetchError(uri, `larger than ${MAX_SPEC_BYTES} bytes`);
  return text;
}

/**
 * Reads a job's spec from its URI (`data:`, `file://`, or `http(s)://` on loopback unless
 * `allowRemoteHosts`), parses it, and checks that its canonical form hashes to `expectedHash`
 * (the on-chain spec hash). Throws {@link JobSpecFetchError} or a `SpecValidationError`.
 */
export async function fetchJobSpec(
  uri: string,
  expectedHash: Hex,
  options: { allowRemoteHosts?: boolean } = {},
): Promise<{ spec: JobSpec; canonical: string }> {
  const text = await readUri(uri, options.allowRemoteHosts ?? false);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new JobSpecFetchError(uri, "not valid JSON", {}, err);
  }
  const spec = parseJobSpec(json);
  const { canonical, hash } = hashJobSpec(spec);
  if (hash.toLowerCase() !== expectedHash.toLowerCase()) {
    throw new JobSpecFetchError(uri, "its canonical form does not hash to the on-chain spec hash", {
      expected: expectedHash,
      actual: hash,
    });
  }
  return { spec, canonical };
}

import type { Hex } from "viem";
import { RigelError } from "../errors/RigelError";
import { egressRead, EgressRefused, hostPolicy } from "../net/egress";
import { hashJobSpec } from "./hashJobSpec";
import type { JobSpec } from "./jobSpecTypes";
import { parseJobSpec } from "./parseJobSpec";

/** The largest spec text accepted from a spec URI. */
export const MAX_SPEC_BYTES = 1024 * 1024;

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

/** Where a spec may come from, beyond `data:` URIs (sdk/net/egress). */
export interface FetchJobSpecOptions {
  /** Reach public hosts (then loopback only with `allowLoopback`); off: loopback only (development). */
  allowRemoteHosts?: boolean;
  /** With `allowRemoteHosts`: reach loopback too (development). */
  allowLoopback?: boolean;
  /** `file://` specs are read only under these directories; absent or empty: refused. */
  fileRoots?: readonly string[];
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
}

async function readUri(uri: string, options: FetchJobSpecOptions): Promise<string> {
  if (uri.startsWith("data:")) {
    if (uri.length > 4 * MAX_SPEC_BYTES) throw new JobSpecFetchError(uri, `larger than ${MAX_SPEC_BYTES} bytes`);
    const comma = uri.indexOf(",");
    if (comma < 0) throw new JobSpecFetchError(uri, "malformed data: URI");
    const meta = uri.slice(5, comma);
    const body = uri.slice(comma + 1);
    // atob + TextDecoder, not Node's Buffer: the same code decodes a spec in the dapp.
    if (!meta.endsWith(";base64")) return decodeURIComponent(body);
    let binary: string;
    try {
      binary = atob(body);
    } catch (err) {
      throw new JobSpecFetchError(uri, "malformed base64 in the data: URI", {}, err);
    }
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  }
  try {
    const bytes = await egressRead(uri, {
      ...hostPolicy(options.allowRemoteHosts, options.allowLoopback),
      fileRoots: options.fileRoots,
      maxBytes: MAX_SPEC_BYTES,
      totalTimeoutMs: options.timeoutMs ?? 30_000,
    });
    return bytes.toString("utf8");
  } catch (err) {
    if (err instanceof EgressRefused)
      throw new JobSpecFetchError(uri, err.summary, { ...err.details, reason: err.reason }, err);
    throw new JobSpecFetchError(uri, "cannot read it", {}, err);
  }
}

/**
 * Reads a job's spec from its URI (`data:`; `file://` under `fileRoots`; `http(s)://` through
 * the egress module: loopback only unless `allowRemoteHosts`, then public addresses only, no
 * redirects, at most {@link MAX_SPEC_BYTES} read, 30 s), parses it, and checks that its canonical form hashes to `expectedHash`
 * (the on-chain spec hash). Throws {@link JobSpecFetchError} or a `SpecValidationError`.
 */
export async function fetchJobSpec(
  uri: string,
  expectedHash: Hex,
  options: FetchJobSpecOptions = {},
): Promise<{ spec: JobSpec; canonical: string }> {
  const text = await readUri(uri, options);
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

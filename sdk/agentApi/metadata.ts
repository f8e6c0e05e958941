import { RigelError } from "../errors/RigelError";

/** One kind of GPU an operator offers. */
export interface OperatorGpu {
  model: string;
  vramMiB: number;
  count: number;
}

/**
 * The operator metadata that `OperatorStaking.register(uri, …)` points to (docs/PROTOCOL.md §14.1):
 * where the agent serves results, where it runs, and the GPUs it claims (attested capacity is on-chain).
 */
export interface OperatorMetadata {
  version: 1;
  /** The agent's base URL (results are served under `<endpoint>/v1/results/...`). */
  endpoint: string;
  region: string;
  gpus: OperatorGpu[];
}

export class OperatorMetadataError extends RigelError {
  override readonly name = "OperatorMetadataError";
}

/** Checks a parsed metadata object; every problem is reported at once. */
export function parseOperatorMetadata(value: unknown): OperatorMetadata {
  const problems: string[] = [];
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof value !== "object" || value === null) problems.push("must be a JSON object");
  if (v.version !== 1) problems.push("version must be 1");
  if (typeof v.endpoint !== "string" || !/^https?:\/\//.test(v.endpoint))
    problems.push("endpoint must be an http(s) URL");
  if (typeof v.region !== "string" || v.region.length === 0 || v.region.length > 64)
    problems.push("region must be a string of 1-64 characters");
  const gpus = Array.isArray(v.gpus) ? (v.gpus as Record<string, unknown>[]) : [];
  if (!Array.isArray(v.gpus) || gpus.length > 64) problems.push("gpus must be a list of at most 64 entries");
  gpus.forEach((g, i) => {
    if (typeof g?.model !== "string" || g.model.length === 0) problems.push(`gpus[${i}].model must be a string`);
    if (!Number.isSafeInteger(g?.vramMiB) || (g.vramMiB as number) < 0) problems.push(`gpus[${i}].vramMiB must be ≥ 0`);
    if (!Number.isSafeInteger(g?.count) || (g.count as number) < 1) problems.push(`gpus[${i}].count must be ≥ 1`);
  });
  const known = new Set(["version", "endpoint", "region", "gpus"]);
  for (const key of Object.keys(v)) if (!known.has(key)) problems.push(`unknown field "${key}"`);
  if (problems.length > 0) {
    throw new OperatorMetadataError("OPERATOR_METADATA_INVALID", `operator metadata: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
  return {
    version: 1,
    endpoint: (v.endpoint as string).replace(/\/+$/, ""),
    region: v.region as string,
    gpus: gpus.map((g) => ({ model: g.model as string, vramMiB: g.vramMiB as number, count: g.count as number })),
  };
}

/** The metadata as a self-contained `data:application/json;base64,…` URI (what `register` stores). */
export function operatorMetadataDataUri(metadata: OperatorMetadata): string {
  const checked = parseOperatorMetadata(metadata);
  return `data:application/json;base64,${Buffer.from(JSON.stringify(checked), "utf8").toString("base64")}`;
}

/** Reads operator metadata from a `data:` URI or a loopback/remote http(s) URL. */
export async function readOperatorMetadata(uri: string): Promise<OperatorMetadata> {
  let text: string;
  if (uri.startsWith("data:")) {
    const comma = uri.indexOf(",");
    if (comma < 0) throw new OperatorMetadataError("OPERATOR_METADATA_INVALID", "malformed data: URI");
    const body = uri.slice(comma + 1);
    // atob and TextDecoder, not Buffer: the app reads endpoints in the browser too.
    text = uri.slice(5, comma).endsWith(";base64")
      ? new TextDecoder().decode(Uint8Array.from(atob(body), (c) => c.charCodeAt(0)))
      : decodeURIComponent(body);
  } else {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new OperatorMetadataError("OPERATOR_METADATA_FETCH", `cannot read ${uri}`, { cause: err });
    }
    if (!response.ok) throw new OperatorMetadataError("OPERATOR_METADATA_FETCH", `${uri}: HTTP ${response.status}`);
    text = await response.text();
  }
  try {
    return parseOperatorMetadata(JSON.parse(text));
  } catch (err) {
    if (err instanceof OperatorMetadataError) throw err;
    throw new OperatorMetadataError("OPERATOR_METADATA_INVALID", "operator metadata is not JSON", { cause: err });
  }
}

import { hashJobSpec } from "./hashJobSpec";
import type { JobSpec } from "./jobSpecTypes";

/**
 * The `data:` URI that carries a spec's canonical text on-chain, so a job needs no file server:
 * `data:application/json;base64,<base64 of the canonical JSON's UTF-8 bytes>` (docs/PROTOCOL.md §3.13).
 * Browser-safe (TextEncoder and btoa, no Buffer): the CLI and the dapp write the same bytes.
 */
export function jobSpecDataUri(spec: JobSpec): string {
  const bytes = new TextEncoder().encode(hashJobSpec(spec).canonical);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:application/json;base64,${btoa(binary)}`;
}

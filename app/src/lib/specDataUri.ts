import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import type { JobSpec } from "../../../sdk/spec/jobSpecTypes";

/**
 * The browser twin of the sdk's `jobSpecDataUri` (which uses Node's Buffer): the spec's canonical
 * text as `data:application/json;base64,…`, byte for byte the same (a test compares them).
 */
export function specDataUri(spec: JobSpec): string {
  const bytes = new TextEncoder().encode(hashJobSpec(spec).canonical);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:application/json;base64,${btoa(binary)}`;
}

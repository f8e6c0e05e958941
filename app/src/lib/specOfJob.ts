import type { JobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

/**
 * A job's spec from its on-chain `specURI` when it is a `data:` URI (base64 or percent-encoded
 * UTF-8 JSON, as `jobSpecDataUri` writes it), decoded with atob and TextDecoder (browser-safe, no
 * Buffer) and parsed by the sdk. Undefined for any other URI or a spec that does not parse.
 */
export function specOfJob(specURI: string): JobSpec | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(specURI);
  if (!match) return undefined;
  try {
    const text = match[1].endsWith(";base64")
      ? new TextDecoder().decode(Uint8Array.from(atob(match[2]), (c) => c.charCodeAt(0)))
      : decodeURIComponent(match[2]);
    return parseJobSpec(text);
  } catch {
    return undefined;
  }
}

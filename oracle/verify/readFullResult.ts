import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { HttpError } from "../../sdk/errors/HttpError";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function refuse(message: string, cause?: unknown): HttpError {
  return new HttpError(422, "ORACLE_FULL_RESULT_UNREADABLE", message, { cause, details: { field: "fullResultUri" } });
}

/**
 * Reads a shard's full result C′ for Freivalds from `file://` or a loopback/allowed `http(s)://`
 * URI, refusing anything above `maxBytes` (checked before and while reading).
 */
export async function readFullResult(uri: string, maxBytes: number, allowRemoteHosts = false): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw refuse("fullResultUri is not a URL", err);
  }
  if (url.protocol === "file:") {
    try {
      const file = fileURLToPath(url);
      if ((await fs.stat(file)).size > maxBytes) throw refuse(`the full result is larger than ${maxBytes} bytes`);
      return new Uint8Array(await fs.readFile(file));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw refuse("cannot read the full result file", err);
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse(`scheme ${url.protocol} is not supported`);
  if (!allowRemoteHosts && !LOOPBACK.has(url.hostname)) throw refuse("remote hosts are not allowed by this node");
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    throw refuse("the full result request failed", err);
  }
  if (!response.ok || !response.body) throw refuse(`the full result answered HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw refuse(`the full result is larger than ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw refuse(`the full result is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

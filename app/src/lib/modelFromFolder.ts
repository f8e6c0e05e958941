import { MODEL_FILES, type LlmForm } from "./llmJobForm";

/** A model folder the browser could not read: which file, and why. */
export class ModelFolderError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function hex(bytes: ArrayBuffer): `0x${string}` {
  return `0x${Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The four model inputs of a served model folder (PROTOCOL §16.5): each standard file name
 * (`config.json`, `model.safetensors`, `vocab.json`, `merges.txt`) resolved against `folderUrl`
 * (a trailing `/` is added), fetched, and hashed with WebCrypto's sha256, so the form gets
 * `{ uri, sha256 }` for each. The operator fetches the same URIs and checks the same hashes.
 * The server must allow the page's origin (CORS) for the browser to read the bytes.
 */
export async function modelFromFolder(folderUrl: string, fetchFn: typeof fetch = fetch): Promise<LlmForm["model"]> {
  const base = new URL(folderUrl.trim().endsWith("/") ? folderUrl.trim() : `${folderUrl.trim()}/`);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new ModelFolderError("", `the browser can only read http(s) folders, not ${base.protocol}`);
  }
  const entries = await Promise.all(
    MODEL_FILES.map(async ({ key, file }) => {
      const uri = new URL(file, base).toString();
      let res: Response;
      try {
        res = await fetchFn(uri);
      } catch (err) {
        throw new ModelFolderError(file, `cannot fetch ${uri}`, { cause: err });
      }
      if (!res.ok) throw new ModelFolderError(file, `${uri} answered HTTP ${res.status}`);
      const digest = await crypto.subtle.digest("SHA-256", await res.arrayBuffer());
      return [key, { uri, sha256: hex(digest) }] as const;
    }),
  );
  return Object.fromEntries(entries) as LlmForm["model"];
}

import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import type { ResultsManifest } from "../../../sdk/agentApi/resultsManifest";
import { containerResultsRoot, matmulResultsRoot, sha256Hex } from "../../../sdk/agentApi/resultsRoot";
import { signedGet } from "../wallet/signedGet";

/** Where a shard's files came from. */
export type ResultSource = "operator" | "store";

export const SOURCE_LABEL: Record<ResultSource, string> = {
  operator: "the operator's agent",
  store: "the results store",
};

/** A shard's result files, each checked against its manifest and all against the committed root. */
export interface VerifiedShard {
  shard: number;
  manifest: ResultsManifest;
  files: { path: string; bytes: Uint8Array }[];
  source: ResultSource;
  sourceUri: string;
  /** Why the operator's copy was not used, when the store's was. */
  operatorError?: string;
}

/** Which paths the root commits to (PROTOCOL §14.3): c.bin, `output/…` per file, `items/<i>/…` with `i < items`. */
function committed(manifest: ResultsManifest, path: string): boolean {
  if (manifest.commitment === "matmul-rows") return path === "c.bin";
  if (manifest.commitment === "container-files") return path.startsWith("output/");
  const m = /^items\/(0|[1-9]\d{0,8})\/./.exec(path);
  return m !== null && Number(m[1]) < (manifest.items ?? 0);
}

/**
 * Downloads one shard's result files from `uri` (an agent's `resultURI`, or the store's URL of the
 * shard) with requests the developer's wallet signs, and checks them in the browser: the manifest's
 * root is the committed one, each file's sha256 (Web Crypto) the manifest's, and the files recompute
 * the root with the same tree as the sdk (sdk/agentApi/resultsRoot.ts: hashes for container results,
 * c.bin's rows for matmul). Every failure says
 * what failed; nothing is returned unless everything checks.
 */
async function fromSource(
  config: Config,
  developer: Address,
  uri: string,
  committedRoot: Hex,
): Promise<Pick<VerifiedShard, "manifest" | "files">> {
  const manifest = (await (await signedGet(config, developer, uri)).json()) as ResultsManifest;
  if (!manifest || typeof manifest.root !== "string" || !Array.isArray(manifest.files)) {
    throw new Error("its answer is not a results manifest");
  }
  if (manifest.root.toLowerCase() !== committedRoot.toLowerCase()) {
    throw new Error(`verification failed: the manifest's root ${manifest.root} is not the committed ${committedRoot}`);
  }
  const files: VerifiedShard["files"] = [];
  for (const entry of manifest.files.filter((f) => committed(manifest, f.path))) {
    const url = new URL(uri);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/file`;
    url.search = `?path=${encodeURIComponent(entry.path)}`;
    const bytes = new Uint8Array(await (await signedGet(config, developer, url.toString())).arrayBuffer());
    const actual = await sha256Hex(bytes);
    if (actual !== entry.sha256.toLowerCase()) {
      throw new Error(`verification failed: ${entry.path} has sha256 ${actual}, the manifest says ${entry.sha256}`);
    }
    files.push({ path: entry.path, bytes });
  }
  const computed =
    manifest.commitment === "matmul-rows"
      ? await matmulResultsRoot(manifest, files.find((f) => f.path === "c.bin")?.bytes ?? new Uint8Array())
      : await containerResultsRoot(
          manifest,
          manifest.files.filter((f) => committed(manifest, f.path)),
        );
  if (computed.toLowerCase() !== committedRoot.toLowerCase()) {
    throw new Error(`verification failed: the files make root ${computed}, not the committed ${committedRoot}`);
  }
  return { manifest, files };
}

/**
 * A shard's checked files: from the operator's agent (`resultURI`), and when that fails (down,
 * refusing, or files that do not check), from the results store (`storeUri`, PROTOCOL §18.8). The
 * answer says where the files came from; when both fail, the error names both failures.
 */
export async function downloadVerifiedShard(
  config: Config,
  developer: Address,
  p: { shard: number; resultURI?: string; storeUri?: string; committedRoot: Hex },
): Promise<VerifiedShard> {
  let operatorError: string | undefined;
  if (p.resultURI) {
    try {
      return {
        shard: p.shard,
        ...(await fromSource(config, developer, p.resultURI, p.committedRoot)),
        source: "operator",
        sourceUri: p.resultURI,
      };
    } catch (err) {
      operatorError = (err as Error).message;
      if (!p.storeUri) throw new Error(`${SOURCE_LABEL.operator}: ${operatorError}`);
    }
  }
  if (!p.storeUri) throw new Error("no result URI and no results store for this shard");
  try {
    const got = await fromSource(config, developer, p.storeUri, p.committedRoot);
    return { shard: p.shard, ...got, source: "store", sourceUri: p.storeUri, operatorError };
  } catch (err) {
    const store = `${SOURCE_LABEL.store}: ${(err as Error).message}`;
    throw new Error(operatorError ? `${SOURCE_LABEL.operator}: ${operatorError}; ${store}` : store);
  }
}

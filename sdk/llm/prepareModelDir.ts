import fs from "node:fs/promises";
import path from "node:path";
import { fetchInput } from "../executor/fetchInput";
import { LLM_MODEL_FILE_NAMES, LLM_MODEL_FILES, type LlmModel } from "../spec/jobSpecTypes";

/** The arguments of {@link prepareModelDir}. */
export interface PrepareModelDirParameters {
  model: LlmModel;
  /** The model directory to lay out (created; existing links are replaced). */
  dir: string;
  /** The hash-checked input cache (`sha256-<hex>` files), shared with container inputs. */
  cacheDir: string;
  allowRemoteHosts?: boolean;
  /** Directories `file://` model files may be read from. */
  allowedFileRoots?: readonly string[];
}

/**
 * Fetches a model's four files into the hash-checked cache (sdk/executor `fetchInput`: the sha256 is
 * checked while streaming, nothing unverified is kept) and lays them out in `dir` under their
 * standard names (`config.json`, `model.safetensors`, `vocab.json`, `merges.txt`) as symbolic links
 * into the cache, the directory the runtime's `--model` takes (docs/PROTOCOL.md §19.1).
 * @throws InputHashMismatchError, InputFetchError (sdk/executor/fetchInput).
 */
export async function prepareModelDir(p: PrepareModelDirParameters): Promise<string> {
  await fs.mkdir(p.dir, { recursive: true });
  for (const name of LLM_MODEL_FILES) {
    const file = p.model[name];
    const fetched = await fetchInput({
      uri: file.uri,
      sha256: file.sha256,
      cacheDir: p.cacheDir,
      allowRemoteHosts: p.allowRemoteHosts,
      allowedFileRoots: p.allowedFileRoots,
    });
    const link = path.join(p.dir, LLM_MODEL_FILE_NAMES[name]);
    await fs.rm(link, { force: true });
    await fs.symlink(path.resolve(fetched.path), link);
  }
  return p.dir;
}

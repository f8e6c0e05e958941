// The page's download of a shard's results (PROTOCOL §16.9): from the operator's agent and, when
// that fails, from the results store the spec names (§18.8), every file and the root checked.
// The network is a double of `signedGet`: each URL answers from a table, or the host is down.
import type { Address, Hex } from "viem";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Config } from "wagmi";
import type { ResultsManifest } from "../../sdk/agentApi/resultsManifest";
import { containerResultsRoot, sha256Hex } from "../../sdk/agentApi/resultsRoot";
// Imported after the double below is in place (vitest hoists vi.mock above the imports).
import { downloadVerifiedShard } from "../src/results/downloadVerifiedShard";

/** URL → the answer's bytes; hosts in `down` do not answer. */
const served = new Map<string, Uint8Array | object>();
const down = new Set<string>();

vi.mock("../src/wallet/signedGet", () => ({
  signedGet: async (_config: unknown, _developer: unknown, target: string) => {
    const url = new URL(target);
    if (down.has(url.host)) throw new Error(`${url.host} does not answer`);
    const body = served.get(target);
    if (body === undefined) throw new Error(`HTTP 404 from ${url.host}`);
    return new Response(body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body));
  },
}));

const config = {} as Config;
const developer = "0x0000000000000000000000000000000000000001" as Address;
const OPERATOR = "http://127.0.0.1:9573/v1/results/1/0";
const STORE = "http://127.0.0.1:9575/v1/store/job-1/shard-0";
const utf8 = (s: string) => new TextEncoder().encode(s);
const fileUrl = (base: string, p: string) => `${base}/file?path=${encodeURIComponent(p)}`;

/** Serves a shard's files at `base` (an agent's resultURI or the store's shard URL), returns the root. */
async function serve(base: string, files: Record<string, string>, items: number): Promise<Hex> {
  const entries = await Promise.all(
    Object.entries(files).map(async ([path, text]) => ({
      path,
      sha256: await sha256Hex(utf8(text)),
      size: text.length,
    })),
  );
  const root = await containerResultsRoot({ commitment: "container-items", items }, entries);
  const manifest: ResultsManifest = {
    jobId: "1",
    shard: 0,
    root,
    commitment: "container-items",
    items,
    files: entries,
  };
  served.set(base, manifest);
  for (const [path, text] of Object.entries(files)) served.set(fileUrl(base, path), utf8(text));
  return root;
}

const FILES = { "items/0/out.txt": "ALPHA\n", "items/1/out.txt": "BETA\n" };
const text = (files: { path: string; bytes: Uint8Array }[]) =>
  Object.fromEntries(files.map((f) => [f.path, new TextDecoder().decode(f.bytes)]));

describe("downloadVerifiedShard: the operator's agent, else the results store", () => {
  let root: Hex;
  beforeEach(async () => {
    served.clear();
    down.clear();
    root = await serve(OPERATOR, FILES, 2);
    expect(await serve(STORE, FILES, 2)).toBe(root);
  });

  it("takes the operator's copy when it checks", async () => {
    const got = await downloadVerifiedShard(config, developer, {
      shard: 0,
      resultURI: OPERATOR,
      storeUri: STORE,
      committedRoot: root,
    });
    expect(got.source).toBe("operator");
    expect(got.operatorError).toBeUndefined();
    expect(text(got.files)).toEqual(FILES);
  });

  it("with the operator's agent down, downloads and checks the store's copy, and says why", async () => {
    down.add("127.0.0.1:9573");
    const got = await downloadVerifiedShard(config, developer, {
      shard: 0,
      resultURI: OPERATOR,
      storeUri: STORE,
      committedRoot: root,
    });
    expect(got.source).toBe("store");
    expect(got.sourceUri).toBe(STORE);
    expect(got.operatorError).toBe("127.0.0.1:9573 does not answer");
    expect(text(got.files)).toEqual(FILES);
  });

  it("falls back to the store when the operator's file is not the manifest's", async () => {
    served.set(fileUrl(OPERATOR, "items/1/out.txt"), utf8("BETA?\n"));
    const got = await downloadVerifiedShard(config, developer, {
      shard: 0,
      resultURI: OPERATOR,
      storeUri: STORE,
      committedRoot: root,
    });
    expect(got.source).toBe("store");
    expect(got.operatorError).toMatch(
      /^verification failed: items\/1\/out\.txt has sha256 0x[0-9a-f]{64}, the manifest says/,
    );
  });

  it("refuses a store whose files make another root, naming both failures", async () => {
    down.add("127.0.0.1:9573");
    // The store's manifest claims the committed root, but its files (consistent with it) make another.
    const other = await serve(STORE, { ...FILES, "items/1/out.txt": "OTHER\n" }, 2);
    served.set(STORE, { ...(served.get(STORE) as ResultsManifest), root });
    expect(other).not.toBe(root);
    await expect(
      downloadVerifiedShard(config, developer, { shard: 0, resultURI: OPERATOR, storeUri: STORE, committedRoot: root }),
    ).rejects.toThrow(
      `the operator's agent: 127.0.0.1:9573 does not answer; the results store: verification failed: the files make root ${other}, not the committed ${root}`,
    );
  });

  it("without a store, the operator's failure is the error", async () => {
    down.add("127.0.0.1:9573");
    await expect(
      downloadVerifiedShard(config, developer, { shard: 0, resultURI: OPERATOR, committedRoot: root }),
    ).rejects.toThrow("the operator's agent: 127.0.0.1:9573 does not answer");
  });
});

// The browser-safe twin (sdk/agentApi/resultsRoot.ts, Web Crypto) and the Node tree of
// sdk/executor (hashOutputDirectory, itemOutputHash, commitOutputs) agree on vectors (PROTOCOL §12.4).
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  compareUtf8,
  containerResultsRoot,
  itemOutputHashOf,
  matmulResultsRoot,
  sha256Hex,
} from "../../../sdk/agentApi/resultsRoot";
import { commitOutputs } from "../../../sdk/executor/commitOutputs";
import { hashOutputDirectory } from "../../../sdk/executor/hashOutputDirectory";
import { itemOutputHash } from "../../../sdk/executor/itemOutputHash";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";

describe("sdk/agentApi resultsRoot: the browser twin agrees with sdk/executor", function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-root-"));
    // Names whose UTF-8 byte order differs from UTF-16 order (é after z; an astral character last).
    const tree: Record<string, string> = {
      "0/z.txt": "zed",
      "0/é.txt": "accent",
      "0/sub/a b.json": "{}",
      "1/𝒜.bin": "astral",
      "1/A.txt": "",
      "2/only.txt": "x\n",
    };
    for (const [p, body] of Object.entries(tree)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), body);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("sha256 and UTF-8 byte order", async function () {
    expect(await sha256Hex("abc")).to.equal("0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const names = ["z", "é", "𝒜", "A", "a b", "ab"];
    const byBuffer = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...names].sort(compareUtf8)).to.deep.equal(byBuffer);
  });

  it("per item: the same item hashes and root", async function () {
    const itemHashes: `0x${string}`[] = [];
    const files: { path: string; sha256: `0x${string}`; size: number }[] = [];
    for (const i of [0, 1, 2]) {
      const hashed = (await hashOutputDirectory(path.join(dir, String(i)))).files;
      itemHashes.push(itemOutputHash(hashed));
      expect(await itemOutputHashOf([...hashed].reverse())).to.equal(itemHashes[i]);
      files.push(...hashed.map((f) => ({ ...f, path: `items/${i}/${f.path}` })));
    }
    const expected = commitOutputs({ mode: "items", itemHashes }).root;
    expect(await containerResultsRoot({ commitment: "container-items", items: 3 }, files.reverse())).to.equal(expected);
  });

  it("per file: the same root", async function () {
    const hashed = (await hashOutputDirectory(dir)).files;
    const expected = commitOutputs({ mode: "files", files: hashed }).root;
    const files = hashed.map((f) => ({ ...f, path: `output/${f.path}` })).reverse();
    expect(await containerResultsRoot({ commitment: "container-files" }, files)).to.equal(expected);
    expect(await containerResultsRoot({ commitment: "container-files" }, [])).to.equal(`0x${"0".repeat(64)}`);
  });

  it("matmul rows: the same root as sdk/pow commitRows", async function () {
    const m = 7;
    const n = 5;
    const c = Int32Array.from({ length: m * n }, (_, i) => (i * 2654435761) | 0);
    const expected = commitRows(rowHashes(c, m, n)).root;
    const bytes = new Uint8Array(c.buffer);
    expect(await matmulResultsRoot({ rowStart: 10, rowEnd: 10 + m, n }, bytes)).to.equal(expected);
    let err: unknown;
    await matmulResultsRoot({ rowStart: 0, rowEnd: m + 1, n }, bytes).catch((e) => (err = e));
    expect((err as Error).message).to.match(/wrong size/);
  });
});

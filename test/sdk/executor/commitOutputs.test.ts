import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { commitOutputs } from "../../../sdk/executor/commitOutputs";
import { hashOutputDirectory } from "../../../sdk/executor/hashOutputDirectory";
import { itemOutputHash } from "../../../sdk/executor/itemOutputHash";
import { tempDir } from "./dockerTestEnv";

const sha256 = (data: string): `0x${string}` => `0x${createHash("sha256").update(data).digest("hex")}`;

describe("sdk/executor outputs: hashOutputDirectory, itemOutputHash, commitOutputs", () => {
  let dir: string;

  before(async () => {
    dir = await tempDir("outputs");
    await fs.mkdir(path.join(dir, "b/deep"), { recursive: true });
    await fs.writeFile(path.join(dir, "a.txt"), "A");
    await fs.writeFile(path.join(dir, "b/deep/c.bin"), "C");
    await fs.writeFile(path.join(dir, "B.txt"), "upper");
    await fs.writeFile(path.join(dir, "é.txt"), "accent");
    await fs.symlink("/etc/hostname", path.join(dir, "link"));
  });

  after(() => fs.rm(dir, { recursive: true, force: true }));

  it("hashes regular files in UTF-8 byte order and never follows symlinks", async () => {
    const { files, ignored } = await hashOutputDirectory(dir);
    expect(files).to.deep.equal([
      { path: "B.txt", sha256: sha256("upper"), size: 5 },
      { path: "a.txt", sha256: sha256("A"), size: 1 },
      { path: "b/deep/c.bin", sha256: sha256("C"), size: 1 },
      { path: "é.txt", sha256: sha256("accent"), size: 6 },
    ]);
    expect(ignored).to.deep.equal(["link"]);
  });

  it("hashes an item's outputs as the sha256 of its sha256sum manifest", async () => {
    const { files } = await hashOutputDirectory(dir);
    const manifest = files.map((f) => `${f.sha256.slice(2)}  ${f.path}\n`).join("");
    expect(itemOutputHash(files)).to.equal(sha256(manifest));
    expect(itemOutputHash([])).to.equal(sha256(""));
  });

  it("commits one [path, sha256] leaf per file", async () => {
    const { files } = await hashOutputDirectory(dir);
    const c = commitOutputs({ mode: "files", files });
    const expected = StandardMerkleTree.of(
      files.map((f) => [f.path, f.sha256]),
      ["string", "bytes32"],
    );
    expect(c.root).to.equal(expected.root);
    expect(c.leafEncoding).to.deep.equal(["string", "bytes32"]);
    const loaded = StandardMerkleTree.load(c.tree as NonNullable<typeof c.tree>);
    expect(StandardMerkleTree.verify(c.root, ["string", "bytes32"], c.leaves[2], loaded.getProof(2))).to.equal(true);
  });

  it("commits one [index, hash] leaf per item", () => {
    const hashes = [sha256("0"), sha256("1"), sha256("2")];
    const c = commitOutputs({ mode: "items", itemHashes: hashes });
    const expected = StandardMerkleTree.of(
      hashes.map((h, i) => [i, h]),
      ["uint256", "bytes32"],
    );
    expect(c.root).to.equal(expected.root);
    expect(c.leaves).to.deep.equal(hashes.map((h, i) => [String(i), h]));
  });

  it("commits nothing as the zero root", () => {
    expect(commitOutputs({ mode: "files", files: [] }).root).to.equal(`0x${"0".repeat(64)}`);
  });
});

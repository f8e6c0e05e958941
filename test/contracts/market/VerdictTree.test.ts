// The verdict tree (docs/PROTOCOL.md §20.4): the Solidity library and the test-side TypeScript
// reference agree on leaves, roots and proofs, and both match the committed shared vectors
// (verdictTree.vectors.json), which the sdk's tree is checked against too. Set
// RIGEL_WRITE_VECTORS=1 to rewrite the vectors from the reference.
import { expect } from "chai";
import { ethers } from "hardhat";
import fs from "node:fs";
import path from "node:path";
import type { TestVerdictTree } from "../../../typechain-types";
import { hashPair, verdictLeaf, verdictProof, verdictRoot, type ShardVerdict } from "../../../fixtures/verdictBatch";

const VECTORS = path.join(__dirname, "verdictTree.vectors.json");

interface VectorJson {
  name: string;
  verdicts: { jobId: string; shard: number; operator: string; resultRoot: string; verdict: number; units: string }[];
  leaves: string[];
  root: string;
  proofs: string[][];
}

function verdictSet(n: number, seed: number): ShardVerdict[] {
  return Array.from({ length: n }, (_, i) => ({
    jobId: BigInt(seed * 1000 + Math.floor(i / 3) + 1),
    shard: i % 3,
    operator: ethers.getAddress(ethers.dataSlice(ethers.id(`op-${seed}-${i % 4}`), 12)),
    resultRoot: ethers.id(`root-${seed}-${i}`),
    verdict: [1, 1, 2, 3][i % 4],
    units: BigInt(1 + ((i * 37 + seed) % 100)),
  }));
}

function buildVectors(): VectorJson[] {
  const sets: [string, ShardVerdict[]][] = [
    ["one leaf", verdictSet(1, 1)],
    ["two leaves", verdictSet(2, 2)],
    ["three leaves (odd node carried up)", verdictSet(3, 3)],
    ["five leaves", verdictSet(5, 4)],
    ["eight leaves", verdictSet(8, 5)],
    ["thirteen leaves", verdictSet(13, 6)],
  ];
  return sets.map(([name, verdicts]) => ({
    name,
    verdicts: verdicts.map((v) => ({ ...v, jobId: v.jobId.toString(), units: v.units.toString() })),
    leaves: verdicts.map(verdictLeaf),
    root: verdictRoot(verdicts),
    proofs: verdicts.map((_, i) => verdictProof(verdicts, i)),
  }));
}

function parse(v: VectorJson["verdicts"][number]): ShardVerdict {
  return { ...v, jobId: BigInt(v.jobId), units: BigInt(v.units) };
}

describe("VerdictTree", () => {
  let tree: TestVerdictTree;
  before(async () => {
    tree = (await ethers.deployContract("TestVerdictTree")) as unknown as TestVerdictTree;
    if (process.env.RIGEL_WRITE_VECTORS === "1") {
      fs.writeFileSync(VECTORS, JSON.stringify({ vectors: buildVectors() }, null, 2) + "\n");
    }
  });

  it("test_vectors_matchTheReference: the committed vectors are what the reference computes", () => {
    const committed = JSON.parse(fs.readFileSync(VECTORS, "utf8")) as { vectors: VectorJson[] };
    expect(committed.vectors).to.deep.equal(buildVectors());
  });

  it("test_solidity_matchesVectors: leaves, roots and every proof agree with the library and OZ MerkleProof", async () => {
    const { vectors } = JSON.parse(fs.readFileSync(VECTORS, "utf8")) as { vectors: VectorJson[] };
    for (const vec of vectors) {
      const verdicts = vec.verdicts.map(parse);
      for (let i = 0; i < verdicts.length; i++) {
        expect(await tree.leaf(verdicts[i])).to.equal(vec.leaves[i]);
        expect(await tree.verify(vec.proofs[i], vec.root, vec.leaves[i])).to.equal(true);
      }
      expect(await tree.root(verdicts)).to.equal(vec.root);
    }
  });

  it("test_root_oneLeafIsTheLeaf", async () => {
    const [v] = verdictSet(1, 9);
    expect(await tree.root([v])).to.equal(verdictLeaf(v));
  });

  it("test_leaf_tamperedFieldChangesTheRoot: every field of a leaf is bound", async () => {
    const verdicts = verdictSet(4, 7);
    const root = await tree.root(verdicts);
    const tweaks: Partial<ShardVerdict>[] = [
      { jobId: verdicts[1].jobId + 1n },
      { shard: verdicts[1].shard + 1 },
      { operator: ethers.ZeroAddress },
      { resultRoot: ethers.ZeroHash },
      { verdict: verdicts[1].verdict === 1 ? 2 : 1 },
      { units: verdicts[1].units + 1n },
    ];
    for (const t of tweaks) {
      const changed = verdicts.map((v, i) => (i === 1 ? { ...v, ...t } : v));
      expect(await tree.root(changed)).to.not.equal(root);
    }
  });

  it("test_proof_innerNodeIsNotALeaf: an inner node cannot be proven as a leaf (double hashing)", async () => {
    const verdicts = verdictSet(4, 8);
    const leaves = verdicts.map(verdictLeaf);
    const root = verdictRoot(verdicts);
    const inner = hashPair(leaves[0], leaves[1]);
    // The inner node with its sibling proves the root as a node, but no ShardVerdict hashes to it.
    expect(await tree.verify([hashPair(leaves[2], leaves[3])], root, inner)).to.equal(true);
    expect(leaves).to.not.include(inner);
  });
});

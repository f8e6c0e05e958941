// The verdict tree of a batch (PROTOCOL §20.4, §20.6): leaf, root and proofs, against OpenZeppelin's
// merkle-tree library (the leaf encoding and the proof check MerkleProof.verify does) and, once the
// contract side has written them, the Solidity vectors (test/contracts/market/verdictTree.vectors.json).
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { processProof } from "@openzeppelin/merkle-tree/dist/core";
import { standardLeafHash, standardNodeHash } from "@openzeppelin/merkle-tree/dist/hashes";
import { Verdict, type ShardVerdict } from "../../../sdk/eip712/types";
import {
  hashPair,
  verdictLeafHash,
  verdictProof,
  verdictsRoot,
  verifyVerdictProof,
  VerdictTreeError,
} from "../../../sdk/market/verdictTree";

const operators: Address[] = [
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
];

function verdictAt(i: number): ShardVerdict {
  return {
    jobId: BigInt(1 + (i >> 2)),
    shard: i & 3,
    operator: operators[i % 2],
    resultRoot: keccak256(toHex(`root-${i}`)),
    verdict: i % 5 === 4 ? Verdict.Invalid : Verdict.Valid,
    units: i % 5 === 4 ? 0n : BigInt(1000 + i),
  };
}

const LEAF_TYPES = ["uint256", "uint32", "address", "bytes32", "uint8", "uint64"];

describe("sdk/market/verdictTree (PROTOCOL §20.6)", function () {
  it("the leaf is OpenZeppelin's StandardMerkleTree leaf of the ABI tuple (double keccak)", function () {
    for (let i = 0; i < 6; i++) {
      const v = verdictAt(i);
      expect(verdictLeafHash(v)).to.equal(
        standardLeafHash(LEAF_TYPES, [v.jobId, v.shard, v.operator, v.resultRoot, v.verdict, v.units]),
      );
    }
  });

  it("every field of the leaf changes it (job, shard, operator, root, verdict, units)", function () {
    const v = verdictAt(0);
    const variants: ShardVerdict[] = [
      { ...v, jobId: v.jobId + 1n },
      { ...v, shard: v.shard + 1 },
      { ...v, operator: operators[1] },
      { ...v, resultRoot: keccak256("0x00") },
      { ...v, verdict: Verdict.Invalid },
      { ...v, units: v.units + 1n },
    ];
    const leaves = new Set([v, ...variants].map(verdictLeafHash));
    expect(leaves.size).to.equal(7);
  });

  it("a pair is hashed sorted, as OpenZeppelin's commutative node hash", function () {
    const a = verdictLeafHash(verdictAt(0));
    const b = verdictLeafHash(verdictAt(1));
    expect(hashPair(a, b)).to.equal(hashPair(b, a));
    expect(hashPair(a, b)).to.equal(standardNodeHash(a, b));
  });

  it("the root of one leaf is the leaf; of three, the third is carried up unchanged", function () {
    const [a, b, c] = [0, 1, 2].map((i) => verdictLeafHash(verdictAt(i)));
    expect(verdictsRoot([verdictAt(0)])).to.equal(a);
    expect(verdictProof([verdictAt(0)], 0)).to.deep.equal([]);
    expect(verdictsRoot([0, 1, 2].map(verdictAt))).to.equal(hashPair(hashPair(a, b), c));
    expect(verdictProof([0, 1, 2].map(verdictAt), 2)).to.deep.equal([hashPair(a, b)]);
  });

  it("the order of the leaves is the order given (another order, another root)", function () {
    const list = [0, 1, 2].map(verdictAt);
    expect(verdictsRoot(list)).to.not.equal(verdictsRoot([list[2], list[0], list[1]]));
  });

  it("every proof of trees of 1 to 11 leaves verifies with OpenZeppelin's processProof, and not for another leaf", function () {
    for (let n = 1; n <= 11; n++) {
      const list = Array.from({ length: n }, (_, i) => verdictAt(i));
      const root = verdictsRoot(list);
      for (let i = 0; i < n; i++) {
        const proof = verdictProof(list, i);
        const leaf = verdictLeafHash(list[i]);
        expect(processProof(leaf, proof)).to.equal(root);
        expect(verifyVerdictProof(proof, root, leaf)).to.equal(true);
        expect(proof.length).to.be.at.most(Math.ceil(Math.log2(n)));
        if (n > 1) expect(verifyVerdictProof(proof, root, verdictLeafHash(verdictAt(n + i)))).to.equal(false);
      }
    }
  });

  it("refuses an empty tree and an index outside it", function () {
    expect(() => verdictsRoot([])).to.throw(VerdictTreeError);
    expect(() => verdictProof([verdictAt(0)], 1)).to.throw(VerdictTreeError);
    expect(() => verdictProof([verdictAt(0)], -1)).to.throw(VerdictTreeError);
  });

  const vectorsFile = path.join(__dirname, "../../contracts/market/verdictTree.vectors.json");
  it("equals the Solidity tree's vectors (test/contracts/market/verdictTree.vectors.json)", function () {
    if (!fs.existsSync(vectorsFile)) this.skip();
    const vectors = JSON.parse(fs.readFileSync(vectorsFile, "utf8")) as unknown;
    checkVectors(vectors);
  });
});

/** The shared vectors (written by the Solidity side): `{ vectors: [{ name, verdicts, leaves, root, proofs }] }`. */
function checkVectors(json: unknown) {
  const cases = (json as { vectors: Record<string, unknown>[] }).vectors;
  expect(cases, "vectors").to.be.an("array");
  expect(cases.length).to.be.greaterThan(0);
  for (const c of cases) {
    const list: ShardVerdict[] = (c.verdicts as Record<string, unknown>[]).map((v) => ({
      jobId: BigInt(v.jobId as string),
      shard: Number(v.shard),
      operator: v.operator as Address,
      resultRoot: v.resultRoot as Hex,
      verdict: Number(v.verdict) as ShardVerdict["verdict"],
      units: BigInt(v.units as string),
    }));
    const name = c.name as string;
    expect(list.map(verdictLeafHash), `${name}: leaves`).to.deep.equal(
      (c.leaves as string[]).map((h) => h.toLowerCase()),
    );
    expect(verdictsRoot(list), `${name}: root`).to.equal((c.root as string).toLowerCase());
    (c.proofs as string[][]).forEach((proof, i) =>
      expect(verdictProof(list, i), `${name}: proof ${i}`).to.deep.equal(proof.map((h) => h.toLowerCase())),
    );
  }
}

import { expect } from "chai";
import { createHash } from "node:crypto";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { concat, encodeAbiParameters, keccak256, type Hex } from "viem";
import { commitRows, rowHash, rowHashes, verifyRowProof } from "../../../sdk/pow/commitment";
import { PowWorkloadError } from "../../../sdk/pow/errors";
import { decodeRevealedRow, encodeRevealedRow } from "../../../sdk/pow/revealedRowWire";

describe("sdk/pow/commitment", () => {
  it("hashes a row as sha256 of its int32 little-endian bytes", () => {
    const row = Int32Array.from([1, -1, 0x01020304, -(2 ** 31)]);
    const bytes = Buffer.from("01000000" + "ffffffff" + "04030201" + "00000080", "hex");
    expect(rowHash(row)).to.equal(`0x${createHash("sha256").update(bytes).digest("hex")}`);
    const c = Int32Array.from([1, 2, 3, 4, 5, 6]);
    expect(rowHashes(c, 2, 3)).to.deep.equal([rowHash(c.subarray(0, 3)), rowHash(c.subarray(3, 6))]);
  });

  it("builds OpenZeppelin's standard tree over [i, rowHash_i] and proves every row", () => {
    const hashes = Array.from({ length: 11 }, (_, i) => keccak256(`0x${i.toString(16).padStart(2, "0")}`));
    hashes[7] = hashes[7].toUpperCase().replace("0X", "0x") as Hex; // mixed case is the same bytes
    const commitment = commitRows(hashes);
    const direct = StandardMerkleTree.of(
      hashes.map((h, i) => [BigInt(i), h]),
      ["uint256", "bytes32"],
    );
    expect(commitment.root).to.equal(direct.root);
    // Node for node, value for value: the same tree as OpenZeppelin's own construction.
    expect(commitment.tree.dump()).to.deep.equal(direct.dump());
    for (let i = 0; i < hashes.length; i++) {
      expect(verifyRowProof(commitment.root, i, hashes[i], commitment.proof(i))).to.equal(true);
      expect(verifyRowProof(commitment.root, (i + 1) % 11, hashes[i], commitment.proof(i))).to.equal(false);
    }
  });

  it("each row's proof is OpenZeppelin's getProof, read off the tree without re-encoding (1 to 64 rows)", () => {
    for (const count of [1, 2, 3, 11, 32, 64]) {
      const hashes = Array.from({ length: count }, (_, i) => keccak256(`0x${(i + 100).toString(16).padStart(4, "0")}`));
      const commitment = commitRows(hashes);
      const direct = StandardMerkleTree.of(
        hashes.map((h, i) => [BigInt(i), h]),
        ["uint256", "bytes32"],
      );
      for (let i = 0; i < count; i++)
        expect(commitment.proof(i), `row ${i} of ${count}`).to.deep.equal(direct.getProof(i));
    }
    expect(() => commitRows([`0x${"01".repeat(32)}`]).proof(1)).to.throw(PowWorkloadError);
  });

  it("hashes a leaf as keccak256(keccak256(abi.encode(i, rowHash))) and a single row's root is its leaf", () => {
    const hash: Hex = `0x${"42".repeat(32)}`;
    const leaf = keccak256(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [0n, hash])));
    expect(commitRows([hash]).root).to.equal(leaf);
    const other: Hex = `0x${"43".repeat(32)}`;
    const leaf1 = keccak256(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [1n, other])));
    const [lo, hi] = BigInt(leaf) < BigInt(leaf1) ? [leaf, leaf1] : [leaf1, leaf];
    expect(commitRows([hash, other]).root).to.equal(keccak256(concat([lo, hi])));
  });

  it("verifies a row proof exactly as OpenZeppelin's StandardMerkleTree.verify does (valid and tampered, 1 to 64 rows)", () => {
    const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex;
    for (const count of [1, 2, 3, 11, 32, 64]) {
      const hashes = Array.from({ length: count }, (_, i) => keccak256(`0x${(i + 7).toString(16).padStart(4, "0")}`));
      const commitment = commitRows(hashes);
      for (let i = 0; i < count; i++) {
        const proof = commitment.proof(i);
        const cases: [number, Hex, Hex[], Hex][] = [
          [i, hashes[i], proof, commitment.root],
          [(i + 1) % count, hashes[i], proof, commitment.root],
          [i, flip(hashes[i]), proof, commitment.root],
          [i, hashes[i], proof.map((p, k) => (k === 0 ? flip(p) : p)), commitment.root],
          [i, hashes[i], [...proof].reverse(), commitment.root],
          [i, hashes[i], proof.slice(1), commitment.root],
          [i, hashes[i], proof, flip(commitment.root)],
        ];
        for (const [row, hash, p, root] of cases) {
          const expected = StandardMerkleTree.verify(root, ["uint256", "bytes32"], [BigInt(row), hash], p);
          expect(verifyRowProof(root, row, hash, p), `count ${count} row ${i}`).to.equal(expected);
        }
        // The root's hex case does not matter (the same bytes); OpenZeppelin compares strings.
        const upper = commitment.root.toUpperCase().replace("0X", "0x") as Hex;
        expect(verifyRowProof(upper, i, hashes[i], proof)).to.equal(true);
      }
    }
    expect(verifyRowProof(commitRows([`0x${"01".repeat(32)}`]).root, -1, `0x${"01".repeat(32)}`, [])).to.equal(false);
    expect(verifyRowProof(commitRows([`0x${"01".repeat(32)}`]).root, 2 ** 32, `0x${"01".repeat(32)}`, [])).to.equal(
      false,
    );
  });

  it("answers false, not a throw, for a malformed proof", () => {
    const commitment = commitRows([`0x${"01".repeat(32)}`, `0x${"02".repeat(32)}`]);
    expect(verifyRowProof(commitment.root, 0, `0x${"01".repeat(32)}`, ["0x1234"])).to.equal(false);
  });
});

describe("sdk/pow/revealedRowWire", () => {
  it("round-trips a revealed row through JSON as base64 int32 LE", () => {
    const row = Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]);
    const proof: Hex[] = [keccak256("0x01"), keccak256("0x02")];
    const json = encodeRevealedRow({ index: 3, row, proof });
    expect(json.row).to.equal(
      Buffer.from("00000000" + "01000000" + "ffffffff" + "ffffff7f" + "00000080", "hex").toString("base64"),
    );
    const back = decodeRevealedRow(JSON.parse(JSON.stringify(json)));
    expect(back.index).to.equal(3);
    expect(Array.from(back.row)).to.deep.equal(Array.from(row));
    expect(back.proof).to.deep.equal(proof);
  });

  it("refuses malformed rows", () => {
    const good = encodeRevealedRow({ index: 0, row: Int32Array.from([1]), proof: [] });
    for (const bad of [
      null,
      { ...good, index: -1 },
      { ...good, index: 1.5 },
      { ...good, row: "AAA" },
      { ...good, row: "!!" },
      { ...good, proof: ["0x12"] },
    ]) {
      expect(() => decodeRevealedRow(bad)).to.throw(PowWorkloadError);
    }
  });
});

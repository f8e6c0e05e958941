import { expect } from "chai";
import { createHash } from "node:crypto";
import { encodePacked, keccak256, type Hex } from "viem";
import {
  generateInto,
  generateMatrix,
  generateRow,
  generatorKey,
  generatorKeys,
  generatorWord,
  mix32,
} from "../../../sdk/pow/generator";
import { matmulInt8Sync } from "../../../sdk/pow/kernel";
import { commitRows, rowHashes } from "../../../sdk/pow/commitment";
import vectors from "../../../sdk/pow/vectors/generator.json";

const sha256 = (bytes: ArrayBufferView) =>
  `0x${createHash("sha256")
    .update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    .digest("hex")}`;

/** mix() written with BigInt straight from the spec, to check the Math.imul version. */
function mixReference(x: bigint): bigint {
  const mask = 0xffffffffn;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & mask;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & mask;
  x ^= x >> 16n;
  return x;
}

describe("sdk/pow/generator", () => {
  it("derives key(t) from the first 4 bytes, big-endian, of keccak256(seed ‖ uint8(t))", () => {
    const seed: Hex = `0x${"ab".repeat(32)}`;
    const digestA = keccak256(encodePacked(["bytes32", "uint8"], [seed, 0]));
    const digestB = keccak256(`${seed}01`);
    expect(generatorKey(seed, "A")).to.equal(Number.parseInt(digestA.slice(2, 10), 16));
    expect(generatorKey(seed, "B")).to.equal(Number.parseInt(digestB.slice(2, 10), 16));
    expect(generatorKeys(seed)).to.deep.equal({ a: generatorKey(seed, "A"), b: generatorKey(seed, "B") });
  });

  it("matches a BigInt transcription of mix() and word()", () => {
    const inputs = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xdeadbeef];
    for (const x of inputs) expect(mix32(x)).to.equal(Number(mixReference(BigInt(x))));
    for (const [key, w] of [
      [0, 0],
      [0xffffffff, 1],
      [0x9e3779b9, 0x3fffffff],
      [123456789, 98765],
    ]) {
      const pre = (BigInt(w) * 0x9e3779b9n + BigInt(key)) & 0xffffffffn;
      expect(generatorWord(key, w)).to.equal(Number(mixReference(pre)));
    }
  });

  it("reads element j as byte j mod 4 (little-endian) of word(⌊j/4⌋), signed", () => {
    const key = 0xcafef00d;
    const values = generateMatrix(key, 3, 7);
    for (let j = 0; j < 21; j++) {
      const byte = (generatorWord(key, Math.floor(j / 4)) >>> (8 * (j % 4))) & 0xff;
      expect(values[j]).to.equal(byte >= 128 ? byte - 256 : byte);
    }
  });

  it("generates any row alone, equal to that row of the whole operand", () => {
    const key = 0x01234567;
    for (const cols of [1, 3, 4, 5, 257]) {
      const whole = generateMatrix(key, 9, cols);
      for (let row = 0; row < 9; row++) {
        expect(Array.from(generateRow(key, row, cols))).to.deep.equal(
          Array.from(whole.subarray(row * cols, (row + 1) * cols)),
        );
      }
    }
    const out = new Int8Array(10);
    generateInto(key, 3, 6, out, 2);
    expect(Array.from(out.subarray(2, 8))).to.deep.equal(Array.from(generateMatrix(key, 1, 9).subarray(3, 9)));
  });

  describe("committed vectors (shared with sdk/python)", () => {
    for (const v of vectors.workloads) {
      it(`seed ${v.seed.slice(0, 10)}… m=${v.m} n=${v.n} k=${v.k}`, () => {
        const keys = generatorKeys(v.seed as Hex);
        expect(keys).to.deep.equal({ a: v.keyA, b: v.keyB });
        const a = generateMatrix(keys.a, v.m, v.k);
        const b = generateMatrix(keys.b, v.k, v.n);
        expect(Array.from(a.subarray(0, 16))).to.deep.equal(v.aHead);
        expect(Array.from(b.subarray(0, 16))).to.deep.equal(v.bHead);
        expect(sha256(a)).to.equal(v.aSha256);
        expect(sha256(b)).to.equal(v.bSha256);
        const c = matmulInt8Sync(a, b, v);
        expect(Array.from(c.subarray(0, 8))).to.deep.equal(v.cHead);
        expect(sha256(c)).to.equal(v.cSha256);
        const hashes = rowHashes(c, v.m, v.n);
        expect(hashes).to.deep.equal(v.rowHashes);
        expect(commitRows(hashes).root).to.equal(v.root);
      });
    }
    for (const r of vectors.rows) {
      it(`row ${r.row} of ${r.operand} with ${r.cols} columns, alone`, () => {
        const keys = generatorKeys(r.seed as Hex);
        const row = generateRow(r.operand === "A" ? keys.a : keys.b, r.row, r.cols);
        expect(Array.from(row.subarray(0, 16))).to.deep.equal(r.head);
        expect(sha256(row)).to.equal(r.sha256);
      });
    }
  });
});

// Writes sdk/pow/vectors/generator.json: generator, kernel and commitment vectors that both the
// TypeScript tests (test/sdk/pow/vectors.test.ts) and the Python tests (sdk/python/test_vectors.py)
// check. Run: npx ts-node scripts/make-pow-vectors.ts  (only when the spec changes, on purpose).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { commitRows, rowHashes } from "../sdk/pow/commitment";
import { generateMatrix, generateRow, generatorKeys } from "../sdk/pow/generator";
import { matmulInt8Sync } from "../sdk/pow/kernel";

const sha256 = (bytes: ArrayBufferView) =>
  `0x${createHash("sha256")
    .update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    .digest("hex")}`;

const shapes: { seed: Hex; m: number; n: number; k: number }[] = [
  { seed: `0x${"00".repeat(32)}`, m: 1, n: 1, k: 1 },
  { seed: `0x${"11".repeat(32)}`, m: 3, n: 5, k: 7 },
  { seed: "0x5a2f0c3e9b1d4a7f6e8c2b0a9d3f1e5c7b6a4d2e0f9c8b7a6d5e4f3c2b1a0918", m: 16, n: 16, k: 16 },
  { seed: "0xdeadbeefcafebabe0123456789abcdef0011223344556677889900aabbccddee", m: 17, n: 33, k: 9 },
  { seed: "0x8f4e2d1c0b9a887766554433221100ffeeddccbbaa99887766554433221100ff", m: 64, n: 48, k: 40 },
];

const workloads = shapes.map(({ seed, m, n, k }) => {
  const keys = generatorKeys(seed);
  const a = generateMatrix(keys.a, m, k);
  const b = generateMatrix(keys.b, k, n);
  const c = matmulInt8Sync(a, b, { m, n, k });
  const hashes = rowHashes(c, m, n);
  return {
    seed,
    m,
    n,
    k,
    keyA: keys.a,
    keyB: keys.b,
    aHead: Array.from(a.subarray(0, 16)),
    bHead: Array.from(b.subarray(0, 16)),
    aSha256: sha256(a),
    bSha256: sha256(b),
    cHead: Array.from(c.subarray(0, 8)),
    cSha256: sha256(c),
    rowHashes: hashes,
    root: commitRows(hashes).root,
  };
});

// Single rows far into a large operand: generated alone, without the rows before them.
const rowSeed: Hex = "0x0102030405060708091011121314151617181920212223242526272829303132";
const rows = [
  { operand: "A" as const, row: 1000, cols: 4097 },
  { operand: "B" as const, row: 65535, cols: 65535 },
  { operand: "A" as const, row: 131071, cols: 32768 },
].map(({ operand, row, cols }) => {
  const keys = generatorKeys(rowSeed);
  const values = generateRow(operand === "A" ? keys.a : keys.b, row, cols);
  return { seed: rowSeed, operand, row, cols, head: Array.from(values.subarray(0, 16)), sha256: sha256(values) };
});

const out = {
  description:
    "Rigel matmul-int8 vectors (docs/PROTOCOL.md §3): generator keys, operand heads and sha256 of the raw int8 bytes, C (int32 LE) head and sha256, row hashes and the OpenZeppelin StandardMerkleTree root; plus single rows generated alone.",
  workloads,
  rows,
};
const file = path.join(__dirname, "..", "sdk", "pow", "vectors", "generator.json");
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${file}`);

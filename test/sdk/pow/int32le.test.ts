import { expect } from "chai";
import { createHash } from "node:crypto";
import { decodeInt32LE } from "../../../sdk/pow/decodeInt32LE";
import { encodeInt32LE } from "../../../sdk/pow/encodeInt32LE";
import { PowWorkloadError } from "../../../sdk/pow/errors";
import { generateMatrix, generatorKeys } from "../../../sdk/pow/generator";
import { matmulInt8Sync } from "../../../sdk/pow/kernel";
import type { Hex } from "viem";
import vectors from "../../../sdk/pow/vectors/generator.json";

describe("sdk/pow int32 little-endian codec (encodeInt32LE, decodeInt32LE)", () => {
  it("writes each value as 4 little-endian two's-complement bytes", () => {
    const bytes = encodeInt32LE(Int32Array.of(1, -2, 2 ** 31 - 1, -(2 ** 31)));
    expect(Buffer.from(bytes).toString("hex")).to.equal("01000000" + "feffffff" + "ffffff7f" + "00000080");
  });

  it("round-trips, also from a Buffer at an odd offset (a pool slice, as fs.readFile returns)", () => {
    const values = Int32Array.from({ length: 37 }, (_, i) => (i * 0x9e3779b9) | 0);
    const pool = Buffer.alloc(3 + values.length * 4);
    Buffer.from(encodeInt32LE(values)).copy(pool, 3);
    const decoded = decodeInt32LE(pool.subarray(3));
    expect([...decoded]).to.deep.equal([...values]);
    expect(decoded.byteOffset).to.equal(0);
  });

  it("encodes C as the vectors hash it (cSha256 of sdk/pow/vectors, docs/PROTOCOL.md §3.8)", () => {
    for (const w of vectors.workloads.filter((v) => v.m * v.n * v.k <= 1 << 22)) {
      const keys = generatorKeys(w.seed as Hex);
      const c = matmulInt8Sync(generateMatrix(keys.a, w.m, w.k), generateMatrix(keys.b, w.k, w.n), w);
      const hash = `0x${createHash("sha256").update(encodeInt32LE(c)).digest("hex")}`;
      expect(hash, `${w.m}×${w.n}×${w.k}`).to.equal(w.cSha256);
      expect([...decodeInt32LE(encodeInt32LE(c))]).to.deep.equal([...c]);
    }
  });

  it("refuses bytes that are not whole int32s, then a count other than the one expected", () => {
    expect(() => decodeInt32LE(new Uint8Array(6)))
      .to.throw(PowWorkloadError)
      .with.property("code", "POW_INVALID_WORKLOAD");
    expect(() => decodeInt32LE(new Uint8Array(8), { length: 3 })).to.throw(
      PowWorkloadError,
      "expected 3 int32s, got 2",
    );
    expect([...decodeInt32LE(new Uint8Array(8), { length: 2 })]).to.deep.equal([0, 0]);
  });
});

import { expect } from "chai";
import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { capacityBeacon, nonceCommitment, shardBeacon } from "../../../sdk/pow/beacon";
import { drawIndex, sampleIndices } from "../../../sdk/pow/sample";
import { PowWorkloadError } from "../../../sdk/pow/errors";

const beacon: Hex = keccak256("0x01");

describe("sdk/pow/beacon", () => {
  it("hashes the abi-encoded shard facts", () => {
    const input = {
      chainId: 31337,
      jobMarket: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      jobId: 7n,
      shard: 3,
      root: `0x${"aa".repeat(32)}`,
      blockHash: `0x${"bb".repeat(32)}`,
    } as const;
    const expected = keccak256(
      `0x${[
        (31337).toString(16).padStart(64, "0"),
        "5FbDB2315678afecb367f032d93F642f64180aa3".toLowerCase().padStart(64, "0"),
        "7".padStart(64, "0"),
        "3".padStart(64, "0"),
        "aa".repeat(32),
        "bb".repeat(32),
      ].join("")}`,
    );
    expect(shardBeacon(input)).to.equal(expected);
    expect(shardBeacon({ ...input, shard: 4 })).to.not.equal(expected);
  });

  it("hashes challengeId, root and nonce for a capacity challenge, and commits to the nonce", () => {
    const challengeId: Hex = `0x${"01".repeat(32)}`;
    const root: Hex = `0x${"02".repeat(32)}`;
    const nonce: Hex = `0x${"03".repeat(32)}`;
    expect(capacityBeacon({ challengeId, root, nonce })).to.equal(
      keccak256(`0x${"01".repeat(32)}${"02".repeat(32)}${"03".repeat(32)}`),
    );
    expect(nonceCommitment(nonce)).to.equal(keccak256(nonce));
  });
});

describe("sdk/pow/sample", () => {
  it("draws s distinct in-range indices, deterministically, following keccak256(abi.encode(beacon, c))", () => {
    const m = 1000;
    const indices = sampleIndices(beacon, m, 32);
    expect(indices).to.have.length(32);
    expect(new Set(indices).size).to.equal(32);
    expect(indices.every((i) => Number.isInteger(i) && i >= 0 && i < m)).to.equal(true);
    expect(sampleIndices(beacon, m, 32)).to.deep.equal(indices);
    expect(sampleIndices(keccak256("0x02"), m, 32)).to.not.deep.equal(indices);
    // The first index is the first draw (2^256 mod 1000 is tiny, so c = 0 is all but surely accepted).
    const x0 = BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [beacon, 0n])));
    expect(indices[0]).to.equal(Number(x0 % 1000n));
    // A longer sample extends a shorter one: the order drawn is kept.
    expect(sampleIndices(beacon, m, 40).slice(0, 32)).to.deep.equal(indices);
  });

  it("draws exactly what the rule's plain reading draws (abi.encode per draw, rejection per draw), for many m and beacons", () => {
    const reference = (b: Hex, m: number, s: number): number[] => {
      const seen = new Set<number>();
      const out: number[] = [];
      for (let c = 0n; out.length < Math.min(s, m); c++) {
        const x = BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [b, c])));
        const index = drawIndex(x, BigInt(m));
        if (index === undefined || seen.has(index)) continue;
        seen.add(index);
        out.push(index);
      }
      return out;
    };
    for (const [k, m] of [1, 2, 3, 31, 32, 33, 64, 1000, 2 ** 20 + 7].entries()) {
      const b = keccak256(`0x${(k + 11).toString(16).padStart(4, "0")}`);
      expect(sampleIndices(b, m, 32), `m ${m}`).to.deep.equal(reference(b, m, 32));
    }
    expect(() => sampleIndices("0x1234", 10, 4)).to.throw(PowWorkloadError);
  });

  it("stops at min(s, m): s ≥ m gives a permutation of all rows", () => {
    expect(sampleIndices(beacon, 1, 32)).to.deep.equal([0]);
    const all = sampleIndices(beacon, 7, 32);
    expect([...all].sort((x, y) => x - y)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it("rejects draws at or above 2^256 − (2^256 mod m), and only those", () => {
    const two256 = 1n << 256n;
    for (const m of [3n, 1000n, 2n ** 53n - 1n]) {
      const limit = two256 - (two256 % m);
      expect(drawIndex(limit - 1n, m)).to.equal(Number((limit - 1n) % m));
      expect(drawIndex(limit - 1n, m)).to.equal(Number(m - 1n));
      expect(drawIndex(limit, m)).to.equal(undefined);
      expect(drawIndex(two256 - 1n, m)).to.equal(undefined);
      expect(drawIndex(0n, m)).to.equal(0);
    }
    // m a power of two: 2^256 mod m = 0, nothing is rejected.
    expect(drawIndex(two256 - 1n, 1024n)).to.equal(1023);
    // Indices over many beacons are close to uniform.
    const counts = new Array(3).fill(0);
    for (let t = 0; t < 300; t++) counts[sampleIndices(keccak256(`0x${t.toString(16).padStart(4, "0")}`), 3, 1)[0]]++;
    for (const count of counts) expect(count).to.be.within(60, 140);
  });

  it("refuses m or s below 1", () => {
    expect(() => sampleIndices(beacon, 0, 1)).to.throw(PowWorkloadError);
    expect(() => sampleIndices(beacon, 5, 0)).to.throw(PowWorkloadError);
  });
});

import { bytesToHex, hexToBigInt, hexToBytes, keccak256, type Hex } from "viem";
import { PowWorkloadError } from "./errors";

/**
 * The protocol's sample size s (docs/PROTOCOL.md §3.5): every job shard's proof, matmul rows and
 * container items alike, reveals `min(SAMPLE_SIZE, m)` of its m rows or items. It is not a setting:
 * a prover and a verifier that used different values would disagree on every honest proof. Capacity
 * challenges carry their own `s` in the challenge (§13.2).
 */
export const SAMPLE_SIZE = 32;

const TWO_POW_256 = 1n << 256n;

/**
 * One draw of the sample: `x mod m`, or undefined when `x ≥ 2^256 − (2^256 mod m)` (the partial last
 * block of residues, rejected so that every index is equally likely).
 */
export function drawIndex(x: bigint, m: bigint, limit: bigint = rejectionLimit(m)): number | undefined {
  return x >= limit ? undefined : Number(x % m);
}

/** `2^256 − (2^256 mod m)`: draws at or above it are rejected ({@link drawIndex}). */
function rejectionLimit(m: bigint): bigint {
  return TWO_POW_256 - (TWO_POW_256 % m);
}

/**
 * The sampled row indices: for c = 0, 1, 2, …, `x = uint256(keccak256(abi.encode(beacon, c)))`;
 * x ≥ 2^256 − (2^256 mod m) is rejected (no modulo bias); `index = x mod m`, kept if new;
 * stops at min(s, m) distinct indices, returned in the order drawn.
 */
export function sampleIndices(beacon: Hex, m: number, s: number = SAMPLE_SIZE): number[] {
  if (!Number.isSafeInteger(m) || m < 1) throw new PowWorkloadError("m must be a positive integer", { details: { m } });
  if (!Number.isSafeInteger(s) || s < 1) throw new PowWorkloadError("s must be a positive integer", { details: { s } });
  if (!/^0x[0-9a-fA-F]{64}$/.test(beacon))
    throw new PowWorkloadError("the beacon must be 32 bytes of hex", { details: { beacon } });
  const rows = BigInt(m);
  // The rejection bound, computed once here rather than per draw.
  const limit = rejectionLimit(rows);
  const want = Math.min(s, m);
  const seen = new Set<number>();
  const drawn: number[] = [];
  // abi.encode(bytes32 beacon, uint256 c): the beacon, then c big-endian in the second word (c < 2^53).
  const encoded = new Uint8Array(64);
  encoded.set(hexToBytes(beacon), 0);
  const counter = new DataView(encoded.buffer, 32, 32);
  for (let c = 0; drawn.length < want; c++) {
    counter.setUint32(24, Math.floor(c / 2 ** 32));
    counter.setUint32(28, c >>> 0);
    const index = drawIndex(hexToBigInt(bytesToHex(keccak256(encoded, "bytes"))), rows, limit);
    if (index === undefined || seen.has(index)) continue;
    seen.add(index);
    drawn.push(index);
  }
  return drawn;
}

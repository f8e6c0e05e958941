import { encodeAbiParameters, keccak256, type Hex } from "viem";
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
export function drawIndex(x: bigint, m: bigint): number | undefined {
  return x >= TWO_POW_256 - (TWO_POW_256 % m) ? undefined : Number(x % m);
}

/**
 * The sampled row indices: for c = 0, 1, 2, …, `x = uint256(keccak256(abi.encode(beacon, c)))`;
 * x ≥ 2^256 − (2^256 mod m) is rejected (no modulo bias); `index = x mod m`, kept if new;
 * stops at min(s, m) distinct indices, returned in the order drawn.
 */
export function sampleIndices(beacon: Hex, m: number, s: number = SAMPLE_SIZE): number[] {
  if (!Number.isSafeInteger(m) || m < 1) throw new PowWorkloadError("m must be a positive integer", { details: { m } });
  if (!Number.isSafeInteger(s) || s < 1) throw new PowWorkloadError("s must be a positive integer", { details: { s } });
  const rows = BigInt(m);
  const want = Math.min(s, m);
  const seen = new Set<number>();
  const drawn: number[] = [];
  for (let c = 0n; drawn.length < want; c++) {
    const x = BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [beacon, c])));
    const index = drawIndex(x, rows);
    if (index === undefined || seen.has(index)) continue;
    seen.add(index);
    drawn.push(index);
  }
  return drawn;
}

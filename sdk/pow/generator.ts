import { encodePacked, keccak256, type Hex } from "viem";

/** Which operand a generator key belongs to: t = 0 for A, t = 1 for B (PROTOCOL §3.2). */
export type Operand = "A" | "B";

/** The two 32-bit generator keys of a seed. */
export interface GeneratorKeys {
  a: number;
  b: number;
}

/** `key(t)`: the first 4 bytes, big-endian, of `keccak256(abi.encodePacked(seed, uint8(t)))`. */
export function generatorKey(seed: Hex, operand: Operand): number {
  const digest = keccak256(encodePacked(["bytes32", "uint8"], [seed, operand === "A" ? 0 : 1]));
  return Number.parseInt(digest.slice(2, 10), 16);
}

/** Both generator keys of a seed. */
export function generatorKeys(seed: Hex): GeneratorKeys {
  return { a: generatorKey(seed, "A"), b: generatorKey(seed, "B") };
}

/** `mix(x)` on 32 bits; returns an unsigned 32-bit integer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** `word(t, w) = mix((w·0x9E3779B9 + key(t)) mod 2^32)`; `w < 2^30`. */
export function generatorWord(key: number, w: number): number {
  return mix32((Math.imul(w, 0x9e3779b9) + key) >>> 0);
}

/**
 * Writes the `count` elements at flat indices `start … start+count−1` of an operand into `out`
 * from `outOffset`. Element j is byte `j mod 4` (little-endian) of `word(key, ⌊j/4⌋)`, as int8.
 */
export function generateInto(key: number, start: number, count: number, out: Int8Array, outOffset = 0): Int8Array {
  let w = Math.floor(start / 4);
  let shift = (start % 4) * 8;
  let word = generatorWord(key, w);
  const end = outOffset + count;
  for (let o = outOffset; o < end; o++) {
    // An Int8Array store keeps the low 8 bits as a signed byte: exactly the int8 reading.
    out[o] = word >>> shift;
    shift += 8;
    if (shift === 32) {
      shift = 0;
      w++;
      word = generatorWord(key, w);
    }
  }
  return out;
}

/** Row `row` of a generated operand with `cols` columns (A: cols = k; B: cols = n), on its own. */
export function generateRow(key: number, row: number, cols: number, out: Int8Array = new Int8Array(cols)): Int8Array {
  return generateInto(key, row * cols, cols, out, 0);
}

/** A whole generated operand, `rows × cols`, row-major. */
export function generateMatrix(key: number, rows: number, cols: number): Int8Array {
  return generateInto(key, 0, rows * cols, new Int8Array(rows * cols), 0);
}

import { endianness } from "node:os";
import { PowWorkloadError } from "./errors";

const LITTLE_ENDIAN_HOST = endianness() === "LE";

/** Input of {@link decodeInt32LE}. */
export interface DecodeInt32LEOptions {
  /** How many int32 values the bytes must hold; checked when given. */
  length?: number;
}

/**
 * The int32 values of little-endian `bytes` (docs/PROTOCOL.md §3.9): `c.bin`, a worker's output, a
 * revealed row. The answer owns its memory (a copy, aligned whatever the offset of `bytes`).
 * Throws {@link PowWorkloadError} when `bytes` is not a whole number of int32s, then when it does not
 * hold `options.length` of them. Its inverse is {@link encodeInt32LE} (`./encodeInt32LE.ts`).
 */
export function decodeInt32LE(bytes: Uint8Array, options: DecodeInt32LEOptions = {}): Int32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new PowWorkloadError("the bytes are not a whole number of int32s", { details: { bytes: bytes.byteLength } });
  }
  const count = bytes.byteLength / 4;
  if (options.length !== undefined && count !== options.length) {
    throw new PowWorkloadError(`expected ${options.length} int32s, got ${count}`, {
      details: { expected: options.length, got: count },
    });
  }
  if (LITTLE_ENDIAN_HOST) {
    const values = new Int32Array(count);
    new Uint8Array(values.buffer).set(bytes);
    return values;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Int32Array(count);
  for (let j = 0; j < count; j++) values[j] = view.getInt32(j * 4, true);
  return values;
}

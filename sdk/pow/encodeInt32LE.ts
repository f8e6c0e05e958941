import { endianness } from "node:os";

const LITTLE_ENDIAN_HOST = endianness() === "LE";

/**
 * The int32 little-endian bytes of `values` (docs/PROTOCOL.md §3.3, §3.9): how C, its rows and the
 * revealed rows are hashed, stored (`c.bin`) and sent. On a little-endian host the answer is a
 * view over `values`' own memory (no copy): copy it before changing `values` if it must last.
 * Its inverse is {@link decodeInt32LE} (`./decodeInt32LE.ts`).
 */
export function encodeInt32LE(values: Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let j = 0; j < values.length; j++) view.setInt32(j * 4, values[j], true);
  return bytes;
}

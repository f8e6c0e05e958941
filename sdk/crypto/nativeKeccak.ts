// Node only (not exported from the sdk's index, never imported by the app): keccak-256 through the
// `keccak` package's native binding, 10–20× faster than JavaScript keccak over a proof's body of tens
// of kilobytes. The services register it for request bodies (sdk/auth/requestDigest `useBodyHasher`).
import { bytesToHex, type Hex } from "viem";

interface KeccakHash {
  update(data: Uint8Array): KeccakHash;
  digest(): Buffer;
}

/**
 * keccak256 over bytes with the native binding, or undefined when the `keccak` package or its
 * native build is missing (its JavaScript fallback would be no faster than viem's).
 */
export function nativeKeccak256(): ((bytes: Uint8Array) => Hex) | undefined {
  let create: ((algorithm: "keccak256") => KeccakHash) | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    create = require("keccak/bindings") as (algorithm: "keccak256") => KeccakHash;
  } catch {
    return undefined;
  }
  const hash = create;
  // The binding takes Buffers: a view of the same memory, not a copy.
  return (bytes) =>
    bytesToHex(
      hash("keccak256")
        .update(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        .digest(),
    );
}

import { bytesToHex, type Hex } from "viem";

/**
 * A fresh 32-byte request nonce (`x-rigel-nonce`, PROTOCOL §4.2): random, so never used twice.
 * Web Crypto, so that node and the browser app share it.
 */
export function requestNonce(): Hex {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

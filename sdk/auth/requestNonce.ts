import { randomBytes } from "node:crypto";
import { bytesToHex, type Hex } from "viem";

/** A fresh 32-byte request nonce (`x-rigel-nonce`, PROTOCOL §4.2): random, so never used twice. */
export function requestNonce(): Hex {
  return bytesToHex(randomBytes(32));
}

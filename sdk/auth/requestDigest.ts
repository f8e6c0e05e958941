import { RecentMap } from "../memo/recentMap";
import { encodeAbiParameters, keccak256, toBytes, type Hex } from "viem";

/** The request facts an operator signs. */
export interface SignedRequestFields {
  /** HTTP method, any case; upper-cased before hashing. */
  method: string;
  /** The request target as sent: path plus query string, e.g. `/v1/proofs?x=1`. */
  path: string;
  /** The exact body bytes (a string is taken as UTF-8); empty for none. */
  body: Uint8Array | string;
  /** Unix time in seconds at signing. */
  timestamp: number;
  /** A 32-byte value used for this one request (`x-rigel-nonce`); present: the version-2 digest. */
  nonce?: Hex;
}

/** Bodies at least this long go to the registered hasher (a native call costs more than JavaScript on a few bytes). */
const LONG_BODY_BYTES = 1024;
let longBodyHasher: ((bytes: Uint8Array) => Hex) | undefined;

/**
 * Hashes request bodies of a kilobyte or more with `hasher` (a keccak256 over bytes, e.g. the native
 * one of sdk/crypto/nativeKeccak in a service); undefined goes back to viem's. Same digests either way.
 */
export function useBodyHasher(hasher: ((bytes: Uint8Array) => Hex) | undefined): void {
  longBodyHasher = hasher;
}

const keccakOf = (bytes: Uint8Array): Hex =>
  longBodyHasher && bytes.length >= LONG_BODY_BYTES ? longBodyHasher(bytes) : keccak256(bytes);

/** String bodies hashed lately, most recent last (a bounded memo: see {@link bodyHash}). */
const recentBodyHashes = new RecentMap<string, Hex>(64);

/**
 * `keccak256(body bytes)`; the empty body hashes to keccak256(0x). A string body's hash is remembered
 * (the last 64): a client hashes each body twice (its timestamp slot, then the digest) and posts one
 * proof to every oracle of the committee, again while they answer `pending`; keccak in JavaScript
 * over a proof of a few dozen kilobytes was a tenth of an agent's CPU under load.
 */
export function bodyHash(body: Uint8Array | string): Hex {
  if (typeof body !== "string") return keccakOf(body);
  let hash = recentBodyHashes.get(body);
  if (hash === undefined) {
    hash = keccakOf(toBytes(body));
    recentBodyHashes.set(body, hash);
  }
  return hash;
}

/**
 * The 32 bytes an operator signs with EIP-191 (`personal_sign` of these raw bytes):
 * `keccak256(abi.encode(string "rigel-request-v1", string METHOD, string path, bytes32 keccak256(body), uint64 timestamp))`,
 * or, with a nonce, `keccak256(abi.encode(string "rigel-request-v2", string METHOD, string path,
 * bytes32 keccak256(body), uint64 timestamp, bytes32 nonce))` (PROTOCOL §4.2).
 */
export function requestDigest(fields: SignedRequestFields): Hex {
  const common = [fields.method.toUpperCase(), fields.path, bodyHash(fields.body), BigInt(fields.timestamp)] as const;
  if (fields.nonce === undefined) {
    return keccak256(
      encodeAbiParameters(
        [{ type: "string" }, { type: "string" }, { type: "string" }, { type: "bytes32" }, { type: "uint64" }],
        ["rigel-request-v1", ...common],
      ),
    );
  }
  return keccak256(
    encodeAbiParameters(
      [
        { type: "string" },
        { type: "string" },
        { type: "string" },
        { type: "bytes32" },
        { type: "uint64" },
        { type: "bytes32" },
      ],
      ["rigel-request-v2", ...common, fields.nonce],
    ),
  );
}

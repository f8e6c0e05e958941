import { keccak256, stringToBytes, type Hex } from "viem";
import { canonicalJson } from "./canonicalJson";
import type { JobSpec, JsonValue } from "./jobSpecTypes";

/** The result of {@link hashJobSpec}. */
export interface HashedJobSpec {
  /** The canonical JSON text (UTF-8), as stored at the spec URI. */
  canonical: string;
  /** keccak256 of the canonical text's UTF-8 bytes: the on-chain spec hash. */
  hash: Hex;
}

/**
 * The on-chain spec hash of a parsed spec: `keccak256(utf8(canonicalJson(spec)))`. Parse first
 * (`parseJobSpec`) so defaults are filled in and values normalised; the hash covers them.
 */
export function hashJobSpec(spec: JobSpec): HashedJobSpec {
  const canonical = canonicalJson(spec as unknown as JsonValue);
  return { canonical, hash: keccak256(stringToBytes(canonical)) };
}

import { getAddress, type Address, type Hex } from "viem";
import { RigelError } from "../errors/RigelError";

/** One committee member's signature with the address that made it. */
export interface SignerSignature {
  signer: Address;
  signature: Hex;
}

/** Two signatures of one signer were given: the committee contract would reject the set. */
export class DuplicateSignerError extends RigelError {
  override readonly name = "DuplicateSignerError";
  constructor(readonly signer: Address) {
    super("EIP712_DUPLICATE_SIGNER", `two signatures by ${signer}`, { details: { signer } });
  }
}

/**
 * The signatures in the order OracleCommittee requires: by strictly increasing signer address
 * (compared as 160-bit numbers). Throws {@link DuplicateSignerError} if a signer appears twice.
 */
export function sortSignaturesBySigner(signatures: readonly SignerSignature[]): Hex[] {
  const sorted = [...signatures].sort((x, y) => {
    const a = BigInt(x.signer);
    const b = BigInt(y.signer);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  for (let i = 1; i < sorted.length; i++) {
    if (BigInt(sorted[i].signer) === BigInt(sorted[i - 1].signer))
      throw new DuplicateSignerError(getAddress(sorted[i].signer));
  }
  return sorted.map((s) => s.signature);
}

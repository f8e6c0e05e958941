import { hashTypedData, type Address, type Hex, type LocalAccount } from "viem";
import { recoverSigner } from "../crypto/recoverSigner";
import { rigelAttestationTypes, type RigelDomain, type VerdictBatch } from "./types";

/**
 * The full EIP-712 typed data of a verdict batch (docs/PROTOCOL.md §4, §20.6):
 * `VerdictBatch(address market,bytes32 verdictsRoot,uint32 count,uint64 expiry)` under the Rigel
 * domain, as a wallet's `signTypedData` takes it.
 */
export function verdictBatchTypedData(domain: RigelDomain, message: VerdictBatch) {
  return {
    domain,
    types: { VerdictBatch: rigelAttestationTypes.VerdictBatch },
    primaryType: "VerdictBatch",
    message,
  } as const;
}

/** The EIP-712 digest each committee member signs for a batch (= `OracleCommittee.hashVerdictBatch`). */
export function hashVerdictBatch(domain: RigelDomain, message: VerdictBatch): Hex {
  return hashTypedData(verdictBatchTypedData(domain, message));
}

/** Signs a verdict batch with a local (private-key) account: a 65-byte r‖s‖v signature. */
export function signVerdictBatch(account: LocalAccount, domain: RigelDomain, message: VerdictBatch): Promise<Hex> {
  return account.signTypedData(verdictBatchTypedData(domain, message));
}

/** The address that signed a verdict batch. */
export function recoverVerdictBatchSigner(
  domain: RigelDomain,
  message: VerdictBatch,
  signature: Hex,
): Promise<Address> {
  return recoverSigner(hashTypedData(verdictBatchTypedData(domain, message)), signature);
}

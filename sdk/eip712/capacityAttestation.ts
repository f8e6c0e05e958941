import { hashTypedData, type Address, type Hex, type LocalAccount } from "viem";
import { recoverSigner } from "../crypto/recoverSigner";
import { rigelAttestationTypes, type CapacityAttestation, type RigelDomain } from "./types";

/** The full EIP-712 typed data of a capacity attestation, as a wallet's `signTypedData` takes it. */
export function capacityAttestationTypedData(domain: RigelDomain, message: CapacityAttestation) {
  return { domain, types: rigelAttestationTypes, primaryType: "CapacityAttestation", message } as const;
}

/** The EIP-712 digest that each committee member signs (what `hashCapacityAttestation` returns on-chain). */
export function hashCapacityAttestation(domain: RigelDomain, message: CapacityAttestation): Hex {
  return hashTypedData(capacityAttestationTypedData(domain, message));
}

/** Signs a capacity attestation with a local (private-key) account: a 65-byte r‖s‖v signature. */
export function signCapacityAttestation(
  account: LocalAccount,
  domain: RigelDomain,
  message: CapacityAttestation,
): Promise<Hex> {
  return account.signTypedData(capacityAttestationTypedData(domain, message));
}

/** The address that signed a capacity attestation. */
export function recoverCapacityAttestationSigner(
  domain: RigelDomain,
  message: CapacityAttestation,
  signature: Hex,
): Promise<Address> {
  return recoverSigner(hashTypedData(capacityAttestationTypedData(domain, message)), signature);
}

import { hashTypedData, type Address, type Hex, type LocalAccount } from "viem";
import { recoverSigner } from "../crypto/recoverSigner";
import { rigelAttestationTypes, type RigelDomain, type ShardAttestation } from "./types";

/** The full EIP-712 typed data of a shard attestation, as a wallet's `signTypedData` takes it. */
export function shardAttestationTypedData(domain: RigelDomain, message: ShardAttestation) {
  return { domain, types: rigelAttestationTypes, primaryType: "ShardAttestation", message } as const;
}

/** The EIP-712 digest that each committee member signs (what `hashShardAttestation` returns on-chain). */
export function hashShardAttestation(domain: RigelDomain, message: ShardAttestation): Hex {
  return hashTypedData(shardAttestationTypedData(domain, message));
}

/** Signs a shard attestation with a local (private-key) account: a 65-byte r‖s‖v signature. */
export function signShardAttestation(
  account: LocalAccount,
  domain: RigelDomain,
  message: ShardAttestation,
): Promise<Hex> {
  return account.signTypedData(shardAttestationTypedData(domain, message));
}

/** The address that signed a shard attestation. */
export function recoverShardAttestationSigner(
  domain: RigelDomain,
  message: ShardAttestation,
  signature: Hex,
): Promise<Address> {
  return recoverSigner(hashTypedData(shardAttestationTypedData(domain, message)), signature);
}

// Node only: what a service (oracle, agent) registers at start so that its hot cryptography runs
// natively — request bodies of a kilobyte or more hashed with the `keccak` binding, signers recovered
// with libsecp256k1 — with the same results as viem's JavaScript (PROTOCOL §20.8).
import { useBodyHasher } from "../auth/requestDigest";
import { nativeKeccak256 } from "./nativeKeccak";
import { nativeRecovery } from "./nativeSecp256k1";
import { useSignerRecovery } from "./recoverSigner";

/** Registers the native body hasher and signer recovery (each only where its binding loads). */
export function useNativeCrypto(): void {
  useBodyHasher(nativeKeccak256());
  useSignerRecovery(nativeRecovery());
}

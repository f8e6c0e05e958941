// The address behind a 65-byte signature over a 32-byte hash, for every check the sdk makes (request
// authentication, attestations, verdict batches). Services may register a faster recovery (the native
// one of sdk/crypto/nativeSecp256k1, PROTOCOL §20.8); the app and the sdk's users keep viem's.
import { recoverAddress, type Address, type Hex } from "viem";

/** A recovery that answers or, for any input it does not handle, returns undefined (viem then decides). */
export type FastRecovery = (hash: Hex, signature: Hex) => Address | undefined;

let fastRecovery: FastRecovery | undefined;

/** Recovers signers with `recovery` first (undefined: viem's alone). Same addresses and errors either way. */
export function useSignerRecovery(recovery: FastRecovery | undefined): void {
  fastRecovery = recovery;
}

/** The signer of `hash` (checksummed); throws as viem's `recoverAddress` does on a signature that does not recover. */
export async function recoverSigner(hash: Hex, signature: Hex): Promise<Address> {
  return fastRecovery?.(hash, signature) ?? recoverAddress({ hash, signature });
}

// Node only (not exported from the sdk's index, never imported by the app): secp256k1 signing and
// recovery through the `secp256k1` package's native binding (libsecp256k1), about ten times faster
// than viem's JavaScript curve. Signatures are the same bytes as viem's (RFC 6979 nonces, low s), so
// a service may use either. Under load, recovering request signers and signing attestations were a
// quarter of an oracle's CPU (BENCHMARKS "Seventh round").
import {
  getAddress,
  hashMessage,
  hashTypedData,
  hexToBytes,
  bytesToHex,
  keccak256,
  serializeSignature,
  serializeTransaction,
  type Address,
  type Hex,
  type PrivateKeyAccount,
  type Signature,
  type TransactionSerializable,
} from "viem";
import { privateKeyToAccount, toAccount } from "viem/accounts";
import type { FastRecovery } from "./recoverSigner";

interface Secp256k1Binding {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: false): Uint8Array;
}

let loaded: Secp256k1Binding | null | undefined;

/** The native binding, or undefined when the package or its build is missing (its JavaScript fallback is no faster). */
function binding(): Secp256k1Binding | undefined {
  if (loaded === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require("secp256k1/bindings") as Secp256k1Binding;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

function signHash(native: Secp256k1Binding, key: Uint8Array, hash: Hex): Signature {
  const { signature, recid } = native.ecdsaSign(hexToBytes(hash), key);
  return {
    r: bytesToHex(signature.subarray(0, 32)),
    s: bytesToHex(signature.subarray(32, 64)),
    v: recid ? 28n : 27n,
    yParity: recid,
  };
}

/**
 * A viem account for `privateKey` whose signatures (messages, typed data, transactions, raw hashes)
 * come from libsecp256k1: byte for byte those of `privateKeyToAccount(privateKey)`. Undefined without
 * the native binding.
 */
export function nativeAccount(privateKey: Hex): PrivateKeyAccount | undefined {
  const native = binding();
  if (!native) return undefined;
  const base = privateKeyToAccount(privateKey);
  const key = hexToBytes(privateKey);
  const sign = (hash: Hex) => signHash(native, key, hash);
  const account = toAccount({
    address: base.address,
    async sign({ hash }) {
      return serializeSignature(sign(hash));
    },
    signAuthorization: base.signAuthorization,
    async signMessage({ message }) {
      return serializeSignature(sign(hashMessage(message)));
    },
    async signTransaction(transaction, { serializer = serializeTransaction } = {}) {
      // As viem's: a blob transaction is signed without its sidecars.
      const signable: TransactionSerializable =
        transaction.type === "eip4844" ? { ...transaction, sidecars: false } : transaction;
      const signature = sign(keccak256(await serializer(signable)));
      return serializer(transaction, signature);
    },
    async signTypedData(typedData) {
      return serializeSignature(sign(hashTypedData(typedData)));
    },
  });
  return { ...account, publicKey: base.publicKey, source: "privateKey" } as PrivateKeyAccount;
}

/** {@link nativeAccount}, or viem's own account where the binding is missing. */
export function serviceAccount(privateKey: Hex): PrivateKeyAccount {
  return nativeAccount(privateKey) ?? privateKeyToAccount(privateKey);
}

/**
 * Native signer recovery for sdk/crypto/recoverSigner (`useSignerRecovery`), or undefined without the
 * binding. It answers only the plain 65-byte r‖s‖v form (v 27, 28, 0 or 1) and only when libsecp256k1
 * recovers a key; every other input goes to viem, so errors stay viem's.
 */
export function nativeRecovery(): FastRecovery | undefined {
  const native = binding();
  if (!native) return undefined;
  return (hash, signature) => {
    try {
      if (signature.length !== 132 || hash.length !== 66) return undefined;
      const bytes = hexToBytes(signature);
      const v = bytes[64];
      const recid = v === 27 || v === 0 ? 0 : v === 28 || v === 1 ? 1 : -1;
      if (recid < 0) return undefined;
      const publicKey = native.ecdsaRecover(bytes.subarray(0, 64), recid, hexToBytes(hash), false);
      return getAddress(`0x${keccak256(publicKey.subarray(1)).slice(26)}`) as Address;
    } catch {
      return undefined;
    }
  };
}

import crypto from "node:crypto";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { RigelError } from "../errors/RigelError";

/** A Web3 Secret Storage (version 3) keystore, as geth, ethers and most wallets read and write it. */
export interface KeystoreJson {
  version: 3;
  id: string;
  address: string;
  crypto: {
    cipher: "aes-128-ctr";
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: "scrypt";
    kdfparams: { dklen: number; n: number; r: number; p: number; salt: string };
    mac: string;
  };
}

export class KeystoreError extends RigelError {
  override readonly name = "KeystoreError";
}

/** The Ethereum keystore norm (geth's "standard" and ethers' default): N = 2^18, r = 8, p = 1. */
export const KEYSTORE_SCRYPT = { n: 1 << 18, r: 8, p: 1 } as const;
/**
 * The largest scrypt cost a keystore may ask for when read: 2^20 (1 GiB of memory at r = 8). A file
 * is not trusted to make the reader allocate more.
 */
export const MAX_KEYSTORE_SCRYPT_N = 1 << 20;

export interface EncryptKeystoreOptions {
  /** scrypt cost (power of two). Default 2^18 ({@link KEYSTORE_SCRYPT}); tests pass a small one. */
  scryptN?: number;
}

const strip0x = (s: string) => (s.startsWith("0x") ? s.slice(2) : s);

function deriveKey(password: string, salt: Buffer, n: number, r: number, p: number, dklen: number): Buffer {
  const powerOfTwo = Number.isSafeInteger(n) && n > 1 && (n & (n - 1)) === 0;
  const fits = powerOfTwo && n <= MAX_KEYSTORE_SCRYPT_N && r >= 1 && r <= 32 && p >= 1 && p <= 16;
  if (!fits || !Number.isSafeInteger(r) || !Number.isSafeInteger(p) || dklen !== 32) {
    throw new KeystoreError("KEYSTORE_UNSUPPORTED", "keystore scrypt parameters out of range", {
      details: { n, r, p, dklen, maxN: MAX_KEYSTORE_SCRYPT_N },
    });
  }
  // scrypt needs 128·N·r bytes (plus 128·r·p); node's default maxmem (32 MiB) is below the norm's 256 MiB.
  return crypto.scryptSync(Buffer.from(password.normalize("NFKC"), "utf8"), salt, dklen, {
    N: n,
    r,
    p,
    maxmem: 128 * n * r + 128 * r * p + 1024 * 1024,
  });
}

/** Encrypt a private key under a password into a version-3 keystore. */
export function encryptKeystore(privateKey: Hex, password: string, options: EncryptKeystoreOptions = {}): KeystoreJson {
  const n = options.scryptN ?? KEYSTORE_SCRYPT.n;
  const { r, p } = KEYSTORE_SCRYPT;
  const salt = crypto.randomBytes(32);
  const iv = crypto.randomBytes(16);
  const derived = deriveKey(password, salt, n, r, p, 32);
  const cipher = crypto.createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(hexToBytes(privateKey))), cipher.final()]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]));
  return {
    version: 3,
    id: crypto.randomUUID(),
    address: strip0x(privateKeyToAddress(privateKey)).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams: { dklen: 32, n, r, p, salt: salt.toString("hex") },
      mac: strip0x(mac),
    },
  };
}

/**
 * Decrypt a version-3 scrypt keystore with the parameters it names (older Rigel keystores used
 * N = 2^15 and still open). Throws KeystoreError on a wrong password, a malformed file, or scrypt
 * parameters beyond {@link MAX_KEYSTORE_SCRYPT_N}.
 */
export function decryptKeystore(json: unknown, password: string): Hex {
  const ks = json as KeystoreJson & { Crypto?: KeystoreJson["crypto"] };
  // Some writers (ethers among them) spell the section "Crypto".
  const section = ks?.crypto ?? ks?.Crypto;
  if (!ks || ks.version !== 3 || section?.kdf !== "scrypt" || section?.cipher !== "aes-128-ctr") {
    throw new KeystoreError("KEYSTORE_UNSUPPORTED", "not a version-3 scrypt/aes-128-ctr keystore");
  }
  const { kdfparams, ciphertext, cipherparams, mac } = section;
  const derived = deriveKey(
    password,
    Buffer.from(kdfparams.salt, "hex"),
    kdfparams.n,
    kdfparams.r,
    kdfparams.p,
    kdfparams.dklen,
  );
  const cipherBytes = Buffer.from(ciphertext, "hex");
  const expectedMac = strip0x(keccak256(Buffer.concat([derived.subarray(16, 32), cipherBytes])));
  if (expectedMac.toLowerCase() !== mac.toLowerCase()) {
    throw new KeystoreError("KEYSTORE_BAD_PASSWORD", "wrong password for this keystore");
  }
  const decipher = crypto.createDecipheriv("aes-128-ctr", derived.subarray(0, 16), Buffer.from(cipherparams.iv, "hex"));
  const key = bytesToHex(Buffer.concat([decipher.update(cipherBytes), decipher.final()]));
  if (ks.address && strip0x(privateKeyToAddress(key)).toLowerCase() !== ks.address.toLowerCase()) {
    throw new KeystoreError("KEYSTORE_ADDRESS_MISMATCH", "the decrypted key does not match the keystore's address", {
      details: { address: ks.address },
    });
  }
  return key;
}

import { expect } from "chai";
import { encryptKeystoreJson, Wallet } from "ethers";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import {
  decryptKeystore,
  encryptKeystore,
  KEYSTORE_SCRYPT,
  KeystoreError,
  MAX_KEYSTORE_SCRYPT_N,
} from "../../sdk/keystore/keystore";

describe("sdk/keystore", () => {
  const N = 1 << 10; // cheap scrypt for tests

  it("round-trips a key and records its address", () => {
    const key = generatePrivateKey();
    const ks = encryptKeystore(key, "correct horse", { scryptN: N });
    expect("0x" + ks.address).to.equal(privateKeyToAddress(key).toLowerCase());
    expect(decryptKeystore(ks, "correct horse")).to.equal(key);
    expect(JSON.stringify(ks)).not.to.contain(key.slice(2));
  });

  it("is readable by ethers (standard version-3 format)", async () => {
    const key = generatePrivateKey();
    const ks = encryptKeystore(key, "pw", { scryptN: N });
    const wallet = await Wallet.fromEncryptedJson(JSON.stringify(ks), "pw");
    expect(wallet.privateKey).to.equal(key);
  });

  it("reads a keystore written by ethers", async () => {
    const wallet = Wallet.createRandom();
    const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, "pw", {
      scrypt: { N },
    });
    expect(decryptKeystore(JSON.parse(json), "pw")).to.equal(wallet.privateKey);
  });

  it("refuses a wrong password with KEYSTORE_BAD_PASSWORD", () => {
    const ks = encryptKeystore(generatePrivateKey(), "pw", { scryptN: N });
    expect(() => decryptKeystore(ks, "nope"))
      .to.throw(KeystoreError)
      .with.property("code", "KEYSTORE_BAD_PASSWORD");
  });

  it("refuses a file that is not a keystore", () => {
    expect(() => decryptKeystore({ hello: 1 }, "pw"))
      .to.throw(KeystoreError)
      .with.property("code", "KEYSTORE_UNSUPPORTED");
  });

  // Regression (issue 18): keystores were written with scrypt N = 2^15, 8x below the Ethereum norm.
  it("writes the Ethereum norm by default (N = 2^18, r = 8, p = 1) and decrypts it", function () {
    this.timeout(60_000);
    const key = generatePrivateKey();
    const ks = encryptKeystore(key, "pw");
    expect(ks.crypto.kdfparams).to.include({ n: 1 << 18, r: 8, p: 1, dklen: 32 });
    expect(KEYSTORE_SCRYPT).to.deep.equal({ n: 262144, r: 8, p: 1 });
    expect(decryptKeystore(ks, "pw")).to.equal(key);
  });

  it("still opens a keystore written at the old N = 2^15 (N is read from the file)", () => {
    const key = generatePrivateKey();
    const old = encryptKeystore(key, "pw", { scryptN: 1 << 15 });
    expect(old.crypto.kdfparams.n).to.equal(32768);
    expect(decryptKeystore(old, "pw")).to.equal(key);
  });

  it("refuses scrypt parameters a file could use to exhaust memory, before deriving anything", () => {
    const ks = encryptKeystore(generatePrivateKey(), "pw", { scryptN: N });
    for (const kdfparams of [
      { ...ks.crypto.kdfparams, n: MAX_KEYSTORE_SCRYPT_N * 2 },
      { ...ks.crypto.kdfparams, n: 1000 },
      { ...ks.crypto.kdfparams, r: 1 << 20 },
    ]) {
      expect(() => decryptKeystore({ ...ks, crypto: { ...ks.crypto, kdfparams } }, "pw"))
        .to.throw(KeystoreError)
        .with.property("code", "KEYSTORE_UNSUPPORTED");
    }
  });
});

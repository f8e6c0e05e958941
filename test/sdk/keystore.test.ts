import { expect } from "chai";
import { encryptKeystoreJson, Wallet } from "ethers";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { decryptKeystore, encryptKeystore, KeystoreError } from "../../sdk/keystore/keystore";

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
});

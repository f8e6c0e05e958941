// Keystore files are the operator's alone (issue 18): `0600` files in `0700` folders.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { decryptKeystore, encryptKeystore } from "../../sdk/keystore/keystore";
import { readKeystoreFile, writeKeystoreFile } from "../../sdk/keystore/keystoreFile";

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("sdk/keystore/keystoreFile: permissions", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-keystore-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("writes 0600 into a new 0700 folder, whatever the umask, and leaves no temporary file", () => {
    const previous = process.umask(0o000); // the widest umask: modes must not depend on it
    try {
      const file = path.join(root, "keys", "nested", "operator.json");
      const key = generatePrivateKey();
      writeKeystoreFile(file, encryptKeystore(key, "pw", { scryptN: 1 << 10 }));
      expect(mode(file)).to.equal(0o600);
      expect(mode(path.dirname(file))).to.equal(0o700);
      expect(mode(path.join(root, "keys"))).to.equal(0o700);
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["operator.json"]);
      expect(decryptKeystore(readKeystoreFile(file), "pw")).to.equal(key);
    } finally {
      process.umask(previous);
    }
  });

  it("narrows a keystore an older version left world-readable, on write over it and on read", () => {
    const file = path.join(root, "operator.json");
    fs.chmodSync(root, 0o755);
    const ks = encryptKeystore(generatePrivateKey(), "pw", { scryptN: 1 << 10 });
    fs.writeFileSync(file, JSON.stringify(ks), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    readKeystoreFile(file);
    expect(mode(file)).to.equal(0o600);
    fs.chmodSync(file, 0o666);
    writeKeystoreFile(file, ks);
    expect(mode(file)).to.equal(0o600);
    // An existing folder is not the keystore's to narrow (it may be a home folder or /tmp).
    expect(mode(root)).to.equal(0o755);
  });
});

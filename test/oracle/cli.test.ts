// `rigel oracle` commands: help, config listing and checking, keystore init.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import type { CliOutput } from "../../sdk/cli/commands";
import { decryptKeystore } from "../../sdk/keystore/keystore";
import { ConfigError } from "../../sdk/config/defineConfig";
import { main } from "../../oracle/cli";
import { oracleConfig } from "../../oracle/config";
import { tempDir } from "../../fixtures/oracleHarness";

function capture(): CliOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, result: (t) => out.push(t), info: (t) => err.push(t), error: (t) => err.push(t) };
}

describe("rigel oracle CLI", function () {
  it("--help lists start, init and config; each command has its own --help", async function () {
    const io = capture();
    expect(await main(["--help"], io)).to.equal(0);
    for (const name of ["start", "init", "config"]) expect(io.out.join("\n")).to.contain(name);
    const start = capture();
    expect(await main(["start", "--help"], start)).to.equal(0);
    expect(start.out.join("\n")).to.contain("--config");
  });

  it("config lists every key with its RIGEL_ORACLE_ name; --check reports every problem and redacts secrets", async function () {
    const list = capture();
    expect(await main(["config"], list)).to.equal(0);
    expect(list.out.join("\n")).to.contain("RIGEL_ORACLE_SIGNER_KEY");
    const dir = tempDir("oracle-cli");
    const file = path.join(dir, "oracle.json");
    fs.writeFileSync(file, JSON.stringify({ port: "x", signerKey: `0x${"11".repeat(32)}` }));
    const bad = capture();
    expect(await main(["config", "--check", "--config", file], bad)).to.equal(1);
    expect(bad.err.join("\n")).to.contain("port");
    fs.writeFileSync(file, JSON.stringify({ port: 8640, signerKey: `0x${"11".repeat(32)}` }));
    const good = capture();
    expect(await main(["config", "--check", "--config", file], good)).to.equal(0);
    expect(good.out.join("\n")).to.contain("[redacted]").and.not.contain("1111");
  });

  it("init writes an encrypted keystore of the imported key, and refuses to overwrite it", async function () {
    const dir = tempDir("oracle-cli");
    const out = path.join(dir, "keystore.json");
    const passwordFile = path.join(dir, "password");
    fs.writeFileSync(passwordFile, "correct horse\n");
    const key = `0x${"22".repeat(32)}` as const;
    const previous = process.env.RIGEL_ORACLE_SIGNER_KEY;
    process.env.RIGEL_ORACLE_SIGNER_KEY = key;
    try {
      const io = capture();
      expect(await main(["init", "--out", out, "--password-file", passwordFile, "--import"], io)).to.equal(0);
      expect(JSON.parse(io.out[0]).signer).to.equal(privateKeyToAccount(key).address);
      expect(decryptKeystore(JSON.parse(fs.readFileSync(out, "utf8")), "correct horse")).to.equal(key);
      expect(await main(["init", "--out", out, "--password-file", passwordFile], capture())).to.equal(2);
    } finally {
      if (previous === undefined) delete process.env.RIGEL_ORACLE_SIGNER_KEY;
      else process.env.RIGEL_ORACLE_SIGNER_KEY = previous;
    }
  });

  it("refuses a config that still sets the removed sampleSize or maxFullResultBytes, saying why (file and environment)", async function () {
    const dir = tempDir("oracle-cli-removed");
    const file = path.join(dir, "oracle.json");
    fs.writeFileSync(file, JSON.stringify({ sampleSize: 16, maxFullResultBytes: 1024 }));
    const old = capture();
    expect(await main(["config", "--check", "--config", file], old)).to.equal(1);
    const said = old.err.join("\n");
    expect(said).to.contain('option "sampleSize" was removed').and.contain("PROTOCOL.md §3.5");
    expect(said).to.contain('option "maxFullResultBytes" was removed').and.contain("§3.11");
    expect(() => oracleConfig.load({ env: { RIGEL_ORACLE_SAMPLE_SIZE: "16" } }))
      .to.throw(ConfigError, "RIGEL_ORACLE_SAMPLE_SIZE was removed")
      .with.property("problems")
      .that.has.length(1);
    expect(oracleConfig.spec).to.not.have.property("sampleSize");
  });
});

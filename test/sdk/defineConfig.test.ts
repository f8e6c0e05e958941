import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, defineConfig } from "../../sdk/config/defineConfig";

const spec = defineConfig("RIGEL_TEST", {
  rpcUrl: { type: "url", description: "JSON-RPC endpoint", default: "http://127.0.0.1:8545" },
  port: { type: "integer", description: "HTTP port", default: 8700, min: 1, max: 65535 },
  signerKey: { type: "privateKey", description: "signing key", secret: true },
  committee: { type: "address", description: "OracleCommittee address", required: true },
  relay: { type: "boolean", description: "relay verdicts on-chain", default: false },
  mode: { type: "enum", description: "verification mode", values: ["sampled", "receipt"], default: "sampled" },
});

const ADDR = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const KEY = "0x" + "11".repeat(32);

describe("sdk/config/defineConfig", () => {
  it("applies defaults and reads the environment by PREFIX_SNAKE_CASE names", () => {
    const cfg = spec.load({ env: { RIGEL_TEST_COMMITTEE: ADDR, RIGEL_TEST_PORT: "9001", RIGEL_TEST_RELAY: "true" } });
    expect(cfg).to.deep.equal({
      rpcUrl: "http://127.0.0.1:8545",
      port: 9001,
      committee: ADDR,
      relay: true,
      mode: "sampled",
    });
    expect(spec.envName("rpcUrl")).to.equal("RIGEL_TEST_RPC_URL");
  });

  it("takes overrides over the environment over the file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-cfg-")), "c.json");
    fs.writeFileSync(file, JSON.stringify({ port: 1000, committee: ADDR, mode: "receipt" }));
    const cfg = spec.load({ file, env: { RIGEL_TEST_PORT: "2000" }, overrides: { mode: "sampled" } });
    expect(cfg.port).to.equal(2000);
    expect(cfg.mode).to.equal("sampled");
  });

  it("reports every problem at once and never echoes a secret", () => {
    try {
      spec.load({ env: { RIGEL_TEST_PORT: "70000", RIGEL_TEST_SIGNER_KEY: "0xdeadbeef", RIGEL_TEST_RPC_URL: "nope" } });
      expect.fail("should throw");
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).to.have.length(4);
      expect(problems.join("\n")).to.contain("RIGEL_TEST_COMMITTEE").and.contain("≤ 65535").and.contain("URL");
      expect((err as Error).message).not.to.contain("deadbeef");
    }
  });

  it("rejects unknown options in a file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-cfg-")), "c.json");
    fs.writeFileSync(file, JSON.stringify({ committee: ADDR, prot: 1 }));
    expect(() => spec.load({ file })).to.throw(ConfigError, 'unknown option "prot"');
  });

  it("redacts secrets for logging and describes every option", () => {
    const cfg = spec.load({ env: { RIGEL_TEST_COMMITTEE: ADDR, RIGEL_TEST_SIGNER_KEY: KEY } });
    expect(cfg.signerKey).to.equal(KEY);
    expect(spec.redact(cfg).signerKey).to.equal("[redacted]");
    expect(JSON.stringify(spec.redact(cfg))).not.to.contain("1111");
    const help = spec.describe().join("\n");
    expect(help).to.contain("RIGEL_TEST_SIGNER_KEY").and.contain("(secret)").and.contain("(required)");
  });

  it("names a removed option and why, from a file or the environment, instead of ignoring it", () => {
    const withRemoved = defineConfig(
      "RIGEL_TEST",
      { port: spec.spec.port },
      { sampleSize: "s is a protocol constant" },
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-cfg-")), "c.json");
    fs.writeFileSync(file, JSON.stringify({ sampleSize: 16 }));
    try {
      withRemoved.load({ file, env: { RIGEL_TEST_SAMPLE_SIZE: "16" } });
      expect.fail("should throw");
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.deep.equal([
        `config file ${file}: option "sampleSize" was removed: s is a protocol constant`,
        "RIGEL_TEST_SAMPLE_SIZE was removed: s is a protocol constant",
      ]);
    }
    expect(withRemoved.load({ env: { RIGEL_TEST_SAMPLE_SIZE: "" } })).to.deep.equal({ port: 8700 });
  });
});

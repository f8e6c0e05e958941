import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import { AGENT_COMMANDS, main } from "../../agent/cli";
import type { CliOutput } from "../../sdk/cli/commands";
import { decryptKeystore } from "../../sdk/keystore/keystore";
import { tempDataDir } from "../../fixtures/agentHarness";

function capture(): CliOutput & { text: () => string } {
  const lines: string[] = [];
  return {
    result: (t) => void lines.push(t),
    info: (t) => void lines.push(t),
    error: (t) => void lines.push(t),
    text: () => lines.join("\n"),
  };
}

describe("agent/cli", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it("answers --help for the program and every command", async () => {
    const out = capture();
    expect(await main(["--help"], out)).to.equal(0);
    for (const c of AGENT_COMMANDS) expect(out.text()).to.contain(c.name);
    expect(out.text()).to.contain("RIGEL_AGENT_KEYSTORE_PASSWORD");
    for (const c of AGENT_COMMANDS) {
      const one = capture();
      expect(await main([c.name, "--help"], one)).to.equal(0);
      expect(one.text()).to.contain(`rigel agent ${c.name}`);
    }
  });

  it("init imports a key into an encrypted keystore and writes a config without secrets", async () => {
    const dir = tempDataDir("cli");
    const key = `0x${"12".repeat(32)}` as const;
    process.env.RIGEL_AGENT_KEYSTORE_PASSWORD = "correct horse battery";
    process.env.RIGEL_AGENT_PRIVATE_KEY = key;
    const config = path.join(dir, "agent.json");
    const keystore = path.join(dir, "key.json");
    const out = capture();
    const code = await main(
      [
        "init",
        "--import",
        "--config",
        config,
        "--keystore",
        keystore,
        "--rpc-url",
        "http://127.0.0.1:8545",
        "--port",
        "8660",
      ],
      out,
    );
    expect(code, out.text()).to.equal(0);
    expect(out.text()).to.contain(privateKeyToAddress(key));
    const written = JSON.parse(fs.readFileSync(config, "utf8"));
    expect(written).to.deep.equal({ keystore, rpcUrl: "http://127.0.0.1:8545", port: 8660 });
    expect(fs.readFileSync(config, "utf8")).to.not.contain("12121212");
    expect(decryptKeystore(JSON.parse(fs.readFileSync(keystore, "utf8")), "correct horse battery")).to.equal(key);
    // A second init refuses to overwrite.
    expect(await main(["init", "--import", "--config", config, "--keystore", keystore], capture())).to.equal(2);
  });

  it("refuses a weak password, bad amounts, and a keystore without its password, each with a clear message", async () => {
    delete process.env.RIGEL_AGENT_KEYSTORE_PASSWORD;
    const weak = capture();
    expect(await main(["init"], weak)).to.equal(2);
    expect(weak.text()).to.contain("RIGEL_AGENT_KEYSTORE_PASSWORD");
    const amount = capture();
    expect(await main(["stake", "--amount", "-3"], amount)).to.equal(2);
    expect(amount.text()).to.contain("--amount");
    // withdraw (what the market owes, §20.7) checks its addresses before touching a key or the chain.
    const badToken = capture();
    expect(await main(["withdraw", "--token", "0x12"], badToken)).to.equal(2);
    expect(badToken.text()).to.contain("--token must be an address");
    const badTo = capture();
    expect(await main(["withdraw", "--to", "me"], badTo)).to.equal(2);
    expect(badTo.text()).to.contain("--to must be an address");
    const dir = tempDataDir("cli");
    fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify({ keystore: path.join(dir, "k.json") }));
    const noPassword = capture();
    expect(await main(["status", "--config", path.join(dir, "c.json")], noPassword)).to.equal(1);
    expect(noPassword.text()).to.contain("needs its password");
  });
});

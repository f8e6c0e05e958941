// The `containerExecutor` setting: auto (Docker ping at start), on, off, and the former booleans.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { oracleConfig } from "../../oracle/config";
import { resolveContainerExecutor } from "../../oracle/verify/resolveContainerExecutor";
import { ConfigError } from "../../sdk/config/defineConfig";
import { tempDir } from "../../fixtures/oracleHarness";

describe("oracle: containerExecutor setting", function () {
  const answers = async () => "OK";
  const refuses = async () => {
    throw new Error("connect ENOENT /var/run/docker.sock");
  };

  it("auto is on exactly when the Docker engine answers the ping (a ping that hangs counts as no answer)", async function () {
    expect(await resolveContainerExecutor({ setting: "auto", ping: answers })).to.deep.include({
      enabled: true,
      dockerAnswered: true,
    });
    expect(await resolveContainerExecutor({ setting: "auto", ping: refuses })).to.deep.include({
      enabled: false,
      dockerAnswered: false,
    });
    const hangs = () => new Promise(() => undefined);
    expect(await resolveContainerExecutor({ setting: "auto", ping: hangs, timeoutMs: 20 })).to.deep.include({
      enabled: false,
      dockerAnswered: false,
    });
  });

  it("on/true is on even without an answer; off/false is off without asking Docker", async function () {
    for (const setting of ["on", "true"] as const) {
      const r = await resolveContainerExecutor({ setting, ping: refuses });
      expect(r.enabled).to.equal(true);
      expect(r.dockerAnswered).to.equal(false);
      expect(r.reason).to.match(/did not answer/);
    }
    for (const setting of ["off", "false"] as const) {
      let asked = false;
      const r = await resolveContainerExecutor({ setting, ping: async () => (asked = true) });
      expect(r).to.deep.equal({ enabled: false, dockerAnswered: null, reason: "containerExecutor is off" });
      expect(asked).to.equal(false);
    }
  });

  it("loads auto by default, the env names and a JSON boolean of the former option; refuses anything else", function () {
    expect(oracleConfig.load({ env: {} }).containerExecutor).to.equal("auto");
    expect(oracleConfig.envName("containerExecutor")).to.equal("RIGEL_ORACLE_CONTAINER_EXECUTOR");
    expect(oracleConfig.load({ env: { RIGEL_ORACLE_CONTAINER_EXECUTOR: "on" } }).containerExecutor).to.equal("on");
    const file = path.join(tempDir("oracle-config"), "oracle.json");
    fs.writeFileSync(file, JSON.stringify({ containerExecutor: true, containerPullImages: true }));
    const loaded = oracleConfig.load({ env: {}, file });
    expect(loaded.containerExecutor).to.equal("true");
    expect(loaded.containerPullImages).to.equal(true);
    expect(loaded.inputFileRoots).to.equal("");
    expect(() => oracleConfig.load({ env: { RIGEL_ORACLE_CONTAINER_EXECUTOR: "maybe" } })).to.throw(
      ConfigError,
      /containerExecutor.*must be one of auto, on, off, true, false/s,
    );
  });
});

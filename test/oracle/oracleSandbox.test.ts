// The oracle's re-runs are confined by the same sandbox* keys as the agent's containers (PROTOCOL §12.5):
// one declaration and one parser (sdk/executor/sandboxConfig.ts), the public bridge set up at start.
import { expect } from "chai";
import type Dockerode from "dockerode";
import { agentConfig } from "../../agent/config";
import { prepareOracleSandbox } from "../../oracle/cli";
import { oracleConfig } from "../../oracle/config";
import { ConfigError } from "../../sdk/config/defineConfig";
import { SandboxRuntimeError } from "../../sdk/executor/prepareSandbox";
import { PUBLIC_BRIDGE } from "../../sdk/executor/publicBridgeNetwork";
import { SANDBOX_CONFIG_OPTIONS, sandboxSettingsFromConfig } from "../../sdk/executor/sandboxConfig";
import { createLogger } from "../../sdk/log/createLogger";

const logger = createLogger({ name: "oracle-sandbox-test", level: "error" });

/** A Docker engine double: `docker info` lists `runtimes`; the public bridge network already exists. */
function fakeDocker(runtimes: string[] = ["runc"]) {
  return {
    info: async () => ({ Runtimes: Object.fromEntries(runtimes.map((r) => [r, {}])) }),
    getNetwork: () => ({ inspect: async () => ({ Name: PUBLIC_BRIDGE.name }) }),
    createNetwork: async () => {
      throw new Error("not expected: the network exists");
    },
  } as unknown as Pick<Dockerode, "info" | "getNetwork" | "createNetwork">;
}

describe("oracle: the re-runs' sandbox (the agent's sandbox* keys)", function () {
  it("declares the very same sandbox keys as the agent, with the same defaults", function () {
    for (const key of Object.keys(SANDBOX_CONFIG_OPTIONS) as (keyof typeof SANDBOX_CONFIG_OPTIONS)[]) {
      expect(oracleConfig.spec[key], key).to.equal(SANDBOX_CONFIG_OPTIONS[key]);
      expect(agentConfig.spec[key], key).to.equal(SANDBOX_CONFIG_OPTIONS[key]);
    }
    const oracle = sandboxSettingsFromConfig(oracleConfig.load({ env: {} }));
    const agent = sandboxSettingsFromConfig(agentConfig.load({ env: {} }));
    expect(oracle).to.deep.equal(agent);
    expect(oracle.ceilings.networks).to.deep.equal(["none"]);
    expect(oracle.ceilings.registries, "default: only images already on this host").to.deep.equal([]);
    expect(oracle.user).to.equal("65534:65534");
  });

  it("reads RIGEL_ORACLE_SANDBOX_* and refuses bad values, every problem at once", function () {
    const loaded = oracleConfig.load({
      env: {
        RIGEL_ORACLE_SANDBOX_PIDS: "64",
        RIGEL_ORACLE_SANDBOX_NETWORKS: "none,bridge",
        RIGEL_ORACLE_SANDBOX_REGISTRIES: "Docker.io,ghcr.io",
      },
    });
    const settings = sandboxSettingsFromConfig(loaded);
    expect(settings.ceilings).to.deep.include({ pids: 64, networks: ["none", "bridge"] });
    expect(settings.ceilings.registries).to.deep.equal(["docker.io", "ghcr.io"]);
    const bad = oracleConfig.load({
      env: {
        RIGEL_ORACLE_SANDBOX_USER: "0:0",
        RIGEL_ORACLE_SANDBOX_NETWORKS: "host",
        RIGEL_ORACLE_SANDBOX_REGISTRIES: "https://ghcr.io",
      },
    });
    let err: unknown;
    try {
      sandboxSettingsFromConfig(bad);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).problems).to.deep.equal([
      "sandbox user must not be root (uid or gid 0)",
      "sandboxNetworks: unknown network(s) host (none, bridge)",
      'sandboxRegistries: not a registry host[:port]: "https://ghcr.io"',
    ]);
  });

  it("sets up the public bridge when bridge is allowed: bridge re-runs get the filtered network", async function () {
    const config = oracleConfig.load({ env: { RIGEL_ORACLE_SANDBOX_NETWORKS: "bridge" } });
    const rules: string[] = [];
    const prepared = await prepareOracleSandbox(config, fakeDocker(), logger, async (args) => {
      if (args[0] === "-C") throw new Error("no such rule");
      rules.push(args.join(" "));
    });
    expect(prepared.executor).to.deep.equal({
      user: "65534:65534",
      runtime: "runc",
      logBytes: 4 * 1024 * 1024,
      registries: [],
      bridgeNetwork: PUBLIC_BRIDGE.name,
    });
    expect(prepared.ceilings.bridgeUnavailable).to.equal(undefined);
    expect(rules).to.include(`-I DOCKER-USER 1 -i ${PUBLIC_BRIDGE.iface} -d 169.254.0.0/16 -j DROP`);
    expect(rules).to.include(`-I INPUT 1 -i ${PUBLIC_BRIDGE.iface} -j DROP`);
  });

  it("when the bridge's rules cannot be installed, says why (bridge re-runs are answered 422 with it)", async function () {
    const config = oracleConfig.load({ env: { RIGEL_ORACLE_SANDBOX_NETWORKS: "none,bridge" } });
    const prepared = await prepareOracleSandbox(config, fakeDocker(), logger, async () => {
      throw Object.assign(new Error("exit 4"), { stderr: "iptables: Permission denied (you must be root)." });
    });
    expect(prepared.executor.bridgeNetwork).to.equal(undefined);
    expect(prepared.ceilings.bridgeUnavailable).to.match(/iptables: Permission denied/);
    // Without bridge in sandboxNetworks no rule is even tried.
    let tried = false;
    const none = await prepareOracleSandbox(oracleConfig.load({ env: {} }), fakeDocker(), logger, async () => {
      tried = true;
    });
    expect(none.executor.bridgeNetwork).to.equal(undefined);
    expect(tried).to.equal(false);
  });

  it("refuses to start with a runtime the engine does not list", async function () {
    const config = oracleConfig.load({ env: { RIGEL_ORACLE_SANDBOX_RUNTIME: "runsc" } });
    const err = await prepareOracleSandbox(config, fakeDocker(["runc"]), logger).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SandboxRuntimeError);
    expect((err as Error).message).to.match(/sandboxRuntime is "runsc" but this Docker engine offers runc/);
  });
});

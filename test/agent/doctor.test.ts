// `rigel agent doctor`'s checks (agent/doctor/checks.ts) over fake probes: each failure names its fix,
// dependent checks are skipped (not failed twice), and the exit code is 0 only when every required
// check passes.
import { expect } from "chai";
import { parseEther } from "viem";
import {
  doctorExitCode,
  formatDoctor,
  runDoctor,
  type DoctorProbes,
  type DoctorSettings,
} from "../../agent/doctor/checks";

const OPERATOR = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";
const GWEI = 10n ** 9n;

function healthy(): DoctorProbes {
  return {
    openKey: async () => OPERATOR,
    chainId: async () => 31337,
    deployment: async () => ({ chainId: 31337, file: "deployments/31337.json", marketHasCode: true }),
    ethBalance: async () => parseEther("1"),
    maxFeePerGas: async () => 2n * GWEI,
    rglBalance: async () => parseEther("10"),
    collateralRatioBps: async () => 15_000n,
    operator: async () => ({ registered: true, jailedUntil: 0n, selfStake: parseEther("200"), locked: 0n }),
    now: async () => 1_800_000_000n,
    dockerInfo: async () => ({ version: "27.0", runtimes: ["runc"] }),
    gpus: async () => [],
    numpyVersion: async () => "2.1.0",
    oracleHealth: async () => ({ ok: true, status: 200 }),
    port: async () => "free",
  };
}

const SETTINGS: DoctorSettings = {
  rpcUrl: "http://127.0.0.1:8545",
  host: "127.0.0.1",
  port: 8651,
  oracleUrls: ["http://o1", "http://o2"],
  kinds: ["matmul-int8", "container"],
  device: "auto",
  pythonPath: "python3",
  sandboxRuntime: "runc",
  shardValue: parseEther("100"),
};

const byName = (results: Awaited<ReturnType<typeof runDoctor>>, name: string) => results.find((r) => r.name === name)!;

describe("agent doctor checks", () => {
  it("passes every check on a healthy node and exits 0", async () => {
    const results = await runDoctor(healthy(), SETTINGS);
    expect(results.filter((r) => !r.ok)).to.deep.equal([]);
    expect(results.map((r) => r.name)).to.deep.equal([
      "keystore",
      "chain",
      "gas",
      "stake",
      "operator",
      "docker",
      "gpu",
      "python",
      "oracle http://o1",
      "oracle http://o2",
      "port",
    ]);
    expect(doctorExitCode(results)).to.equal(0);
    expect(formatDoctor(results))
      .to.match(/^✓ keystore/)
      .and.to.contain("all required checks pass");
  });

  it("a wrong chain id, low gas, too little stake, unregistered: each failed with its fix", async () => {
    const chain = await runDoctor({ ...healthy(), chainId: async () => 1 }, SETTINGS);
    expect(byName(chain, "chain").ok).to.equal(false);
    expect(byName(chain, "chain").detail).to.contain(
      "is chain 1, the deployment deployments/31337.json is chain 31337",
    );
    // Gas, stake and operator are not checked against the wrong chain: skipped, not failed again.
    expect(byName(chain, "gas").required).to.equal(false);
    expect(doctorExitCode(chain)).to.equal(1);

    // 5 shards × 500,000 gas × 2 gwei = 0.005 ETH is the floor; 0.004 ETH is below it.
    const poor = await runDoctor({ ...healthy(), ethBalance: async () => parseEther("0.004") }, SETTINGS);
    expect(byName(poor, "gas").ok).to.equal(false);
    expect(byName(poor, "gas").fix).to.contain(`send ETH to ${OPERATOR}`);

    // A 100 RGL shard at 150 % locks 150 RGL: 100 staked + 60 in the wallet → stake 50 more.
    const unstaked = await runDoctor(
      {
        ...healthy(),
        rglBalance: async () => parseEther("60"),
        operator: async () => ({ registered: false, jailedUntil: 0n, selfStake: parseEther("100"), locked: 0n }),
      },
      SETTINGS,
    );
    expect(byName(unstaked, "stake").fix).to.equal("rigel agent stake --amount 50");
    expect(byName(unstaked, "operator").fix).to.equal("rigel agent register");
    expect(doctorExitCode(unstaked)).to.equal(1);
  });

  it("a jailed operator, no Docker, a GPU without the nvidia runtime, an oracle down, the port taken", async () => {
    const results = await runDoctor(
      {
        ...healthy(),
        operator: async () => ({
          registered: true,
          jailedUntil: 1_800_000_600n,
          selfStake: parseEther("200"),
          locked: 0n,
        }),
        gpus: async () => [{ index: 0, model: "NVIDIA H100", vramMiB: 81559, uuid: "GPU-1" } as never],
        oracleHealth: async (url) => {
          if (url === "http://o2") throw Object.assign(new Error("fetch failed"), { cause: { code: "ECONNREFUSED" } });
          return { ok: true, status: 200 };
        },
        port: async () => "taken",
      },
      SETTINGS,
    );
    expect(byName(results, "operator").detail).to.equal("jailed for 600 s more (until unix 1800000600)");
    expect(byName(results, "gpu").ok).to.equal(false);
    expect(byName(results, "gpu").fix).to.contain("nvidia-ctk runtime configure --runtime=docker");
    expect(byName(results, "oracle http://o1").ok).to.equal(true);
    expect(byName(results, "oracle http://o2").detail).to.equal("unreachable (connection refused)");
    expect(byName(results, "port").fix).to.contain("RIGEL_AGENT_PORT");

    const noDocker = await runDoctor(
      {
        ...healthy(),
        dockerInfo: async () => {
          throw new Error("connect ENOENT /var/run/docker.sock");
        },
      },
      SETTINGS,
    );
    expect(byName(noDocker, "docker").ok).to.equal(false);
    expect(byName(noDocker, "docker").required).to.equal(true);
  });

  it("Python without numpy only warns when no configured work needs it; a port held by our agent passes", async () => {
    const results = await runDoctor(
      {
        ...healthy(),
        numpyVersion: async () => {
          throw new Error("ModuleNotFoundError: No module named 'numpy'");
        },
        port: async () => "agent",
      },
      SETTINGS,
    );
    expect(byName(results, "python").ok).to.equal(false);
    expect(byName(results, "python").required).to.equal(false);
    expect(byName(results, "port").ok).to.equal(true);
    expect(doctorExitCode(results)).to.equal(0);
    expect(formatDoctor(results)).to.match(/^! python/m);

    const llm = await runDoctor(
      { ...healthy(), numpyVersion: async () => Promise.reject(new Error("no numpy")) },
      { ...SETTINGS, kinds: ["llm-inference"] },
    );
    expect(doctorExitCode(llm)).to.equal(1);
  });

  it("a keystore that does not open fails with the fix, and the chain checks that need it are skipped", async () => {
    const results = await runDoctor(
      {
        ...healthy(),
        openKey: async () => {
          throw new Error("wrong password for this keystore");
        },
      },
      SETTINGS,
    );
    expect(byName(results, "keystore").ok).to.equal(false);
    expect(byName(results, "keystore").fix).to.contain("RIGEL_AGENT_KEYSTORE_PASSWORD");
    expect(byName(results, "stake").detail).to.equal("not checked (no key)");
    expect(doctorExitCode(results)).to.equal(1);
  });
});

// `rigel job plan` reads the operators' liveness from the oracles (PROTOCOL §12.6, §15.1): `--oracle
// URL` (repeatable) or RIGEL_ORACLE_URLS; operators not heard from are left out with the reason;
// without an oracle the plan says liveness is unknown.
import { formatAddress } from "../../sdk/cli/humanFormat";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { custom } from "viem";
import { main } from "../../developer/cli";
import { signRequest } from "../../sdk/auth/signRequest";
import type { Heartbeat } from "../../sdk/liveness/heartbeat";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { accountOf, startOracle, tempDir } from "../../fixtures/oracleHarness";
import { capture, deploymentOfProtocol, hardhatKey } from "./helpers/jobCliHarness";

async function beat(url: string, op: { address: string }): Promise<void> {
  const account = accountOf(op);
  const heartbeat: Heartbeat = {
    operator: account.address,
    agentVersion: "test",
    sentAt: Math.floor(Date.now() / 1000),
    online: true,
    gpus: [],
    shardsInFlight: [],
    recentFailures: [],
    acceptingWork: true,
  };
  const body = JSON.stringify(heartbeat);
  const headers = await signRequest(account, { method: "POST", path: "/v1/heartbeats", body });
  const response = await fetch(`${url}/v1/heartbeats`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body,
  });
  expect(response.status).to.equal(204);
}

describe("rigel job plan: operators' liveness from the oracles", function () {
  let p: Protocol;
  let oracle: OracleNode;
  let specFile: string;

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    oracle = await startOracle(p, p.oracles[0], tempDir("plan-liveness"));
    specFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-plan-liveness-")), "spec.json");
    fs.writeFileSync(
      specFile,
      JSON.stringify({ kind: "matmul-int8", seed: `0x${"44".repeat(32)}`, m: 400, n: 256, k: 256 }),
    );
    await beat(oracle.url, p.ops[0]);
    await beat(oracle.url, p.ops[1]);
  });

  afterEach(async function () {
    await oracle.shutdown();
  });

  async function plan(argv: string[], env: Record<string, string> = {}) {
    const deps = {
      transport: custom(hre.network.provider),
      deployment: await deploymentOfProtocol(p),
      env,
      sleep: async () => undefined,
    };
    const out = capture();
    const code = await main(
      ["plan", specFile, "--budget", "1000000000", "--max-price", "1000", ...argv, "--key", hardhatKey(2)],
      deps,
      out,
    );
    return { code, out };
  }

  it("--oracle (given twice, one down): the two operators never seen are left out with the reason", async function () {
    const { code, out } = await plan(["--oracle", oracle.url, "--oracle", "http://127.0.0.1:9", "--json"]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const { plan: planned } = JSON.parse(out.results[0]!);
    expect(planned.liveness).to.equal("checked");
    expect(planned.shards.map((s: { operator: string }) => s.operator)).to.have.members([
      p.ops[0].address,
      p.ops[1].address,
    ]);
    const left = planned.decisions.filter((d: { code: string }) => d.code === "offline");
    expect(left.map((d: { address: string; reason: string }) => [d.address, d.reason])).to.deep.equal([
      [p.ops[2].address, "never seen by the oracles"],
      [p.ops[3].address, "never seen by the oracles"],
    ]);
  });

  it("RIGEL_ORACLE_URLS (comma-separated) works the same; the text says why each is left out", async function () {
    const { code, out } = await plan([], { RIGEL_ORACLE_URLS: `${oracle.url}, http://127.0.0.1:9` });
    expect(code, out.errors.join("\n")).to.equal(0);
    expect(out.results[0]).to.include(
      `${formatAddress(p.ops[2].address)} left out (offline): never seen by the oracles`,
    );
    expect(out.results[0]).to.not.include("liveness: unknown");
  });

  it("no oracle: every operator planned as before, and the text says liveness is unknown", async function () {
    const { code, out } = await plan([]);
    expect(code, out.errors.join("\n")).to.equal(0);
    expect(out.results[0]).to.match(/4 shard\(s\) from 4 operator\(s\) read/);
    expect(out.results[0]).to.include("liveness: unknown");
  });

  it("no oracle answers: fails with the cause and what to do", async function () {
    const { code, out } = await plan(["--oracle", "http://127.0.0.1:9"]);
    expect(code).to.equal(1);
    expect(out.errors[0]).to.include("no oracle answered for operator liveness (http://127.0.0.1:9)");
  });
});

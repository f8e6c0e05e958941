// A running agent's heartbeats reach a real oracle (PROTOCOL §12.6): signed with the operator key,
// stored by the oracle, served by GET /v1/heartbeats; an oracle that is down costs a log line, never
// the daemon.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { validateHeartbeatsResponse } from "../../sdk/liveness/validateHeartbeat";
import { livenessOf } from "../../sdk/liveness/liveness";
import type { HeartbeatsResponse } from "../../sdk/liveness/heartbeat";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol } from "../../fixtures/protocolFixture";
import { startOracle, tempDir } from "../../fixtures/oracleHarness";
import { testDaemon } from "../../fixtures/agentHarness";

async function heartbeatsAt(url: string): Promise<HeartbeatsResponse> {
  return validateHeartbeatsResponse(await (await fetch(`${url}/v1/heartbeats`)).json());
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("agent: heartbeats to the oracles", function () {
  let oracle: OracleNode | undefined;
  afterEach(async () => {
    await oracle?.shutdown();
    oracle = undefined;
  });

  it("a running daemon's heartbeats reach the oracle, keep coming every interval, and stop at shutdown", async function () {
    const p = await loadFixture(deployProtocol);
    oracle = await startOracle(p, p.oracles[0], tempDir("agent-heartbeat"));
    const { daemon, chain, logs } = await testDaemon(p, {
      port: 0,
      heartbeats: { oracleUrls: [oracle.url, "http://127.0.0.1:9"], intervalMs: 1000, agentVersion: "9.9.9" },
    });
    const me = chain.account.address;
    await daemon.init();
    try {
      await waitFor("the first heartbeat", async () => (await heartbeatsAt(oracle!.url)).operators[me] !== undefined);
      const first = (await heartbeatsAt(oracle.url)).operators[me]!;
      expect(first.operator).to.equal(me);
      expect(first.agentVersion).to.equal("9.9.9");
      expect(first.acceptingWork).to.equal(true);
      expect(first.gpus).to.deep.equal([]);
      expect(first.shardsInFlight).to.deep.equal([]);
      expect(first.recentFailures).to.deep.equal([]);
      const { now } = await heartbeatsAt(oracle.url);
      expect(livenessOf(first, now).online).to.equal(true);
      // The next beats replace it (later sentAt), without a daemon pass in between.
      await waitFor(
        "a later heartbeat",
        async () => (await heartbeatsAt(oracle!.url)).operators[me]!.sentAt > first.sentAt,
      );
      // The oracle that is down: one warning, the daemon still up, and the other oracle still served.
      const warnings = logs.filter((l) => l.includes("heartbeat not delivered") && l.includes("127.0.0.1:9"));
      expect(warnings.filter((l) => l.includes('"level":40'))).to.have.length(1);
      expect(daemon.heartbeat!.last.map((d) => d.ok)).to.deep.equal([true, false]);
    } finally {
      await daemon.shutdown();
    }
    const sentAtStop = daemon.heartbeat!.sent;
    const lastStored = (await heartbeatsAt(oracle.url)).operators[me]!.sentAt;
    await new Promise((r) => setTimeout(r, 2500));
    expect(daemon.heartbeat!.sent).to.equal(sentAtStop);
    expect((await heartbeatsAt(oracle.url)).operators[me]!.sentAt).to.equal(lastStored);
  });
});

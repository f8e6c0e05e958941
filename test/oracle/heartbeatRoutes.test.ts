// Operator heartbeats at the oracle (PROTOCOL §12.6): POST /v1/heartbeats signed by a registered
// operator, latest per operator stored; GET /v1/heartbeats and /v1/heartbeats/:operator open (CORS).
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { LocalAccount } from "viem";
import { signRequest } from "../../sdk/auth/signRequest";
import { openDatabase } from "../../sdk/db/openDatabase";
import { MAX_HEARTBEAT_BYTES, type Heartbeat, type ReceivedHeartbeat } from "../../sdk/liveness/heartbeat";
import { validateHeartbeatsResponse } from "../../sdk/liveness/validateHeartbeat";
import type { OracleNode } from "../../oracle/oracleNode";
import { HeartbeatStore } from "../../oracle/store/heartbeatStore";
import { ORACLE_MIGRATIONS } from "../../oracle/store/oracleDatabase";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { accountOf, hardhatAccount, startOracle, tempDir } from "../../fixtures/oracleHarness";

const nowSec = () => Math.floor(Date.now() / 1000);

function heartbeatOf(account: LocalAccount, over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    operator: account.address,
    agentVersion: "0.1.0",
    sentAt: nowSec(),
    online: true,
    gpus: [{ index: 0, model: "NVIDIA H100 80GB HBM3", vramMiB: 81_559, utilisationPct: 37 }],
    shardsInFlight: [{ jobId: "7", shard: 1, phase: "running" }],
    recentFailures: [{ jobId: "5", shard: 0, at: nowSec() - 30, code: "EXPIRED", reason: "the shard ended expired" }],
    acceptingWork: true,
    ...over,
  };
}

async function post(url: string, signer: LocalAccount, body: string): Promise<{ status: number; json: unknown }> {
  const headers = await signRequest(signer, { method: "POST", path: "/v1/heartbeats", body });
  const response = await fetch(`${url}/v1/heartbeats`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? undefined : JSON.parse(text) };
}

const codeOf = (json: unknown) => (json as { error: { code: string } }).error.code;

describe("oracle: heartbeats (PROTOCOL §12.6)", function () {
  let p: Protocol;
  let node: OracleNode;
  let operator: LocalAccount;

  beforeEach(async function () {
    p = await loadFixture(deployProtocol);
    node = await startOracle(p, p.oracles[0], tempDir("heartbeats"), { heartbeatsPerMinute: 3 });
    operator = accountOf(p.ops[0]);
  });

  afterEach(async function () {
    await node.shutdown();
  });

  const counted = async (result: string) =>
    (await node.metrics!.heartbeats.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  const stored = async () => validateHeartbeatsResponse(await (await fetch(`${node.url}/v1/heartbeats`)).json());

  it("a registered operator's heartbeat: 204, then served by both GET routes with CORS open and receivedAt on the oracle's clock", async function () {
    const sent = heartbeatOf(operator);
    const before = nowSec();
    expect((await post(node.url, operator, JSON.stringify(sent))).status).to.equal(204);

    const all = await fetch(`${node.url}/v1/heartbeats`);
    expect(all.headers.get("access-control-allow-origin")).to.equal("*");
    const body = (await all.json()) as { now: number; operators: Record<string, ReceivedHeartbeat> };
    expect(Object.keys(body.operators)).to.deep.equal([operator.address]);
    const got = body.operators[operator.address]!;
    expect(got.receivedAt).to.be.within(before, body.now);
    const { receivedAt: _r, ...rest } = got;
    expect(rest).to.deep.equal(sent);

    const one = await fetch(`${node.url}/v1/heartbeats/${operator.address.toLowerCase()}`);
    expect(one.status).to.equal(200);
    expect(one.headers.get("access-control-allow-origin")).to.equal("*");
    expect(((await one.json()) as { heartbeat: ReceivedHeartbeat }).heartbeat).to.deep.equal(got);
    expect(await counted("accepted")).to.equal(1);
  });

  it("the latest heartbeat replaces the one before (one row per operator)", async function () {
    await post(node.url, operator, JSON.stringify(heartbeatOf(operator, { acceptingWork: true })));
    const second = heartbeatOf(operator, {
      acceptingWork: false,
      declineReasons: ["all 1 work slots are busy"],
      sentAt: nowSec() + 1,
    });
    expect((await post(node.url, operator, JSON.stringify(second))).status).to.equal(204);
    const { operators } = await stored();
    expect(Object.keys(operators)).to.have.length(1);
    expect(operators[operator.address]!.acceptingWork).to.equal(false);
    expect(operators[operator.address]!.declineReasons).to.deep.equal(["all 1 work slots are busy"]);
  });

  it("an unregistered signer (a developer key) is refused 403 ORACLE_NOT_AN_OPERATOR and nothing is stored", async function () {
    const developer = accountOf(p.devs[0]);
    const answer = await post(node.url, developer, JSON.stringify(heartbeatOf(developer)));
    expect(answer.status).to.equal(403);
    expect(codeOf(answer.json)).to.equal("ORACLE_NOT_AN_OPERATOR");
    expect((await stored()).operators).to.deep.equal({});
    expect(await counted("unregistered")).to.equal(1);
  });

  it("a heartbeat naming another operator than its signer: 403 ORACLE_WRONG_OPERATOR", async function () {
    const other = accountOf(p.ops[1]);
    const answer = await post(node.url, operator, JSON.stringify(heartbeatOf(other)));
    expect(answer.status).to.equal(403);
    expect(codeOf(answer.json)).to.equal("ORACLE_WRONG_OPERATOR");
    expect((await stored()).operators).to.deep.equal({});
  });

  it("a signature by another key than the claimed operator: 401, nothing stored", async function () {
    const body = JSON.stringify(heartbeatOf(operator));
    const headers = await signRequest(accountOf(p.ops[1]), { method: "POST", path: "/v1/heartbeats", body });
    const response = await fetch(`${node.url}/v1/heartbeats`, {
      method: "POST",
      headers: { ...headers, "x-rigel-address": operator.address, "content-type": "application/json" },
      body,
    });
    expect(response.status).to.equal(401);
    expect((await stored()).operators).to.deep.equal({});
    expect(await counted("bad_signature")).to.equal(1);
  });

  it("sentAt more than 120 s from the oracle's clock, either way: 400 HEARTBEAT_CLOCK_SKEW; 100 s off is accepted", async function () {
    for (const sentAt of [nowSec() - 130, nowSec() + 130]) {
      const answer = await post(node.url, operator, JSON.stringify(heartbeatOf(operator, { sentAt })));
      expect(answer.status).to.equal(400);
      expect(codeOf(answer.json)).to.equal("HEARTBEAT_CLOCK_SKEW");
    }
    expect((await stored()).operators).to.deep.equal({});
    expect(await counted("clock_skew")).to.equal(2);
    const late = await post(node.url, operator, JSON.stringify(heartbeatOf(operator, { sentAt: nowSec() - 100 })));
    expect(late.status).to.equal(204);
  });

  it("a body over 64 KiB is refused 413 before it is read; a malformed heartbeat 400 naming the field", async function () {
    const big = heartbeatOf(operator, { agentVersion: "x".repeat(MAX_HEARTBEAT_BYTES) });
    const answer = await post(node.url, operator, JSON.stringify(big));
    expect(answer.status).to.equal(413);
    expect(await counted("too_large")).to.equal(1);
    const bad = await post(node.url, operator, JSON.stringify({ ...heartbeatOf(operator), gpus: "many" }));
    expect(bad.status).to.equal(400);
    expect((bad.json as { error: { message: string } }).error.message).to.match(/^gpus: /);
    expect((await stored()).operators).to.deep.equal({});
  });

  it("heartbeats have their own rate limit per operator (3 a minute here): the 4th is 429", async function () {
    for (let i = 0; i < 3; i++)
      expect(
        (await post(node.url, operator, JSON.stringify(heartbeatOf(operator, { sentAt: nowSec() + i })))).status,
      ).to.equal(204);
    const fourth = await post(node.url, operator, JSON.stringify(heartbeatOf(operator, { sentAt: nowSec() + 3 })));
    expect(fourth.status).to.equal(429);
    expect(await counted("rate_limited")).to.equal(1);
  });

  it("GET /v1/heartbeats/:operator: 404 when never seen, 400 for a non-address", async function () {
    const never = await fetch(`${node.url}/v1/heartbeats/${p.ops[2].address}`);
    expect(never.status).to.equal(404);
    expect(never.headers.get("access-control-allow-origin")).to.equal("*");
    expect(codeOf(await never.json())).to.equal("ORACLE_NO_HEARTBEAT");
    expect((await fetch(`${node.url}/v1/heartbeats/nobody`)).status).to.equal(400);
  });
});

describe("oracle: HeartbeatStore", function () {
  it("keeps at most maxRows operators: the one heard from longest ago goes first", function () {
    const db = openDatabase({ file: ":memory:", migrations: ORACLE_MIGRATIONS });
    const store = new HeartbeatStore(db, 2);
    const accounts = [16, 17, 18].map(hardhatAccount);
    store.put(heartbeatOf(accounts[0]!), 100);
    store.put(heartbeatOf(accounts[1]!), 200);
    store.put(heartbeatOf(accounts[0]!), 300); // refreshed: now the newest
    store.put(heartbeatOf(accounts[2]!), 400);
    expect(store.all().map((h) => [h.operator, h.receivedAt])).to.have.deep.members([
      [accounts[0]!.address, 300],
      [accounts[2]!.address, 400],
    ]);
    expect(store.get(accounts[1]!.address)).to.equal(undefined);
  });
});

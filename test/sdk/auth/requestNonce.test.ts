// Version-2 request signatures (PROTOCOL §4.2): a nonce in the digest, each request good once.
// Old rule (the agent's results endpoint): a signed GET was answered again for its whole ±60 s
// window (RepeatableReadGuard), so anyone who saw it once could replay it 60 s long.
import { expect } from "chai";
import { privateKeyToAccount } from "viem/accounts";
import { MemoryReplayGuard } from "../../../sdk/auth/replayGuard";
import { requestDigest } from "../../../sdk/auth/requestDigest";
import { requestNonce } from "../../../sdk/auth/requestNonce";
import { signRequest } from "../../../sdk/auth/signRequest";
import { REPLAY_GUARD_MIGRATIONS, ReplayMemoryFullError, SqliteReplayGuard } from "../../../sdk/auth/sqliteReplayGuard";
import { RequestAuthError, verifyRequest } from "../../../sdk/auth/verifyRequest";
import { openDatabase } from "../../../sdk/db/openDatabase";

const account = privateKeyToAccount(`0x${"61".repeat(32)}`);
const request = { method: "GET", path: "/v1/results/1/0", body: "" };
const NOW = 1_700_000_000;

async function refusal(p: Promise<unknown>): Promise<RequestAuthError> {
  const err = await p.then(
    () => expect.fail("accepted"),
    (e) => e,
  );
  expect(err).to.be.instanceOf(RequestAuthError);
  return err as RequestAuthError;
}

describe("sdk/auth request nonce (v2 digest)", () => {
  it("binds the nonce: v1 and v2 digests differ, and two nonces give two digests", () => {
    const n1 = requestNonce();
    const n2 = requestNonce();
    expect(n1).to.match(/^0x[0-9a-f]{64}$/);
    expect(n1).to.not.equal(n2);
    const v1 = requestDigest({ ...request, timestamp: NOW });
    expect(requestDigest({ ...request, timestamp: NOW, nonce: n1 })).to.not.equal(v1);
    expect(requestDigest({ ...request, timestamp: NOW, nonce: n1 })).to.not.equal(
      requestDigest({ ...request, timestamp: NOW, nonce: n2 }),
    );
  });

  it("accepts each nonce once; two requests in the same second with their own nonces are both answered", async () => {
    const guard = new MemoryReplayGuard();
    const a = await signRequest(account, { ...request, timestamp: NOW, nonce: requestNonce() });
    const b = await signRequest(account, { ...request, timestamp: NOW, nonce: requestNonce() });
    const params = { ...request, replayGuard: guard, now: NOW, requireNonce: true };
    expect(await verifyRequest({ ...params, headers: a })).to.equal(account.address);
    expect(await verifyRequest({ ...params, headers: b })).to.equal(account.address);
    expect((await refusal(verifyRequest({ ...params, headers: a }))).fault).to.equal("replayed");
  });

  it("refuses a swapped, malformed or missing nonce; the oracle's v1 requests still verify without one", async () => {
    const guard = new MemoryReplayGuard();
    const headers = await signRequest(account, { ...request, timestamp: NOW, nonce: requestNonce() });
    const params = { ...request, replayGuard: guard, now: NOW, requireNonce: true };
    const swapped = { ...headers, "x-rigel-nonce": requestNonce() };
    expect((await refusal(verifyRequest({ ...params, headers: swapped }))).fault).to.equal("wrong-signer");
    const malformed = { ...headers, "x-rigel-nonce": "0x1234" };
    expect((await refusal(verifyRequest({ ...params, headers: malformed }))).fault).to.equal("bad-header");
    const v1 = await signRequest(account, { ...request, timestamp: NOW });
    expect((await refusal(verifyRequest({ ...params, headers: v1 }))).fault).to.equal("missing-header");
    expect(await verifyRequest({ ...request, headers: v1, replayGuard: guard, now: NOW })).to.equal(account.address);
  });

  it("runs beforeClaim after the signature and before the claim: a refused signer is not remembered", async () => {
    const guard = new SqliteReplayGuard(openDatabase({ file: ":memory:", migrations: REPLAY_GUARD_MIGRATIONS }));
    const headers = await signRequest(account, { ...request, timestamp: NOW, nonce: requestNonce() });
    const refuse = () => {
      throw new Error("not the developer");
    };
    const params = { ...request, headers, replayGuard: guard, now: NOW, requireNonce: true };
    await verifyRequest({ ...params, beforeClaim: refuse }).then(
      () => expect.fail("accepted"),
      (e) => expect(e.message).to.equal("not the developer"),
    );
    expect(guard.size).to.equal(0);
    expect(await verifyRequest(params)).to.equal(account.address);
    expect(guard.size).to.equal(1);
  });
});

describe("sdk/auth SqliteReplayGuard", () => {
  it("is bounded: a full memory of live entries throws, stale entries make room, a replay is never let through", () => {
    const guard = new SqliteReplayGuard(openDatabase({ file: ":memory:", migrations: REPLAY_GUARD_MIGRATIONS }), 2);
    expect(guard.claim("a", 160, 100)).to.equal(true);
    expect(guard.claim("b", 170, 100)).to.equal(true);
    expect(guard.claim("a", 160, 101)).to.equal(false);
    expect(() => guard.claim("c", 180, 101)).to.throw(ReplayMemoryFullError);
    // At 161 "a" is stale: swept, room for "c"; "b" is still refused.
    expect(guard.claim("c", 221, 161)).to.equal(true);
    expect(guard.claim("b", 170, 161)).to.equal(false);
    expect(guard.size).to.equal(2);
  });
});

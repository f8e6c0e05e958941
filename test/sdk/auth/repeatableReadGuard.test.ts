// Regression: the agent's results refused an identical signed GET within the same second as a
// replay, so `rigel job results` run twice in a second (or the page, then the sdk) failed.
import { expect } from "chai";
import { privateKeyToAccount } from "viem/accounts";
import { MemoryReplayGuard, RepeatableReadGuard } from "../../../sdk/auth/replayGuard";
import { signRequest } from "../../../sdk/auth/signRequest";
import { RequestAuthError, verifyRequest } from "../../../sdk/auth/verifyRequest";

describe("sdk/auth RepeatableReadGuard", function () {
  it("answers the same signed read twice, where the replay memory refuses the second", async function () {
    const account = privateKeyToAccount(`0x${"11".repeat(32)}`);
    const request = { method: "GET", path: "/v1/results/1/0", body: "" };
    const headers = await signRequest(account, { ...request, timestamp: 1_000 });
    const reads = new RepeatableReadGuard();
    for (let i = 0; i < 2; i++) {
      expect(await verifyRequest({ ...request, headers, replayGuard: reads, now: 1_000 })).to.equal(account.address);
    }
    const memory = new MemoryReplayGuard();
    await verifyRequest({ ...request, headers, replayGuard: memory, now: 1_000 });
    let err: unknown;
    try {
      await verifyRequest({ ...request, headers, replayGuard: memory, now: 1_000 });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RequestAuthError);
    // Staleness still applies.
    err = undefined;
    try {
      await verifyRequest({ ...request, headers, replayGuard: reads, now: 1_061 });
    } catch (e) {
      err = e;
    }
    expect((err as RequestAuthError).message).to.match(/stale/);
  });
});

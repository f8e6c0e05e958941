import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { watchJob, WatchJobTimeoutError, type WatchJobProgress } from "../../../sdk/market/watchJob";
import { MarketUnknownJobError } from "../../../sdk/market/readJob";
import { deployProtocol, jobParamsFor } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient } from "./helpers/marketClients";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("watchJob (sdk/market)", function () {
  it("reports the first status and each change only, and resolves when every shard is final", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shards: 2 }));
    const jobId = await p.market.jobCount();
    const seen: string[][] = [];
    let cancel: Promise<unknown> | undefined;
    const done = await watchJob(publicClient, {
      market,
      jobId,
      pollIntervalMs: 10,
      timeoutMs: 60_000,
      onProgress: (progress: WatchJobProgress) => {
        seen.push(progress.status.shards.map((s) => s.stateName));
        cancel ??= p.market.connect(p.devs[0]).cancel(jobId);
      },
    });
    await cancel;
    // Polled many times while the cancel was pending; called once per distinct set of states.
    expect(seen).to.deep.equal([
      ["Open", "Open"],
      ["Cancelled", "Cancelled"],
    ]);
    expect(done).to.include({ ok: false, final: 2, settled: 0, unsuccessful: 2, shards: 2 });
    expect(done.status.escrow).to.equal(0n);
  });

  it("a job that is not final by timeoutMs throws WatchJobTimeoutError with how far it got", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shards: 1 }));
    const jobId = await p.market.jobCount();
    const err = await rejection(watchJob(publicClient, { market, jobId, pollIntervalMs: 10, timeoutMs: 50 }));
    expect(err).to.be.instanceOf(WatchJobTimeoutError);
    expect((err as WatchJobTimeoutError).code).to.equal("WATCH_JOB_TIMEOUT");
    expect((err as WatchJobTimeoutError).details).to.deep.equal({ jobId: String(jobId), final: 0, shards: 1 });
  });

  it("an aborted signal rejects with its reason; an unknown job throws MarketUnknownJobError", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shards: 1 }));
    const jobId = await p.market.jobCount();
    const controller = new AbortController();
    const reason = new Error("stop watching");
    const aborted = watchJob(publicClient, {
      market,
      jobId,
      pollIntervalMs: 60_000,
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    expect(await rejection(aborted)).to.equal(reason);
    expect(await rejection(watchJob(publicClient, { market, jobId: 99n }))).to.be.instanceOf(MarketUnknownJobError);
  });
});

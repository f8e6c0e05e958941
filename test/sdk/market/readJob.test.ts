import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { JobKind } from "../../../sdk/market/enums";
import { MarketUnknownJobError, readJob } from "../../../sdk/market/readJob";
import { deployProtocol, jobParamsFor, type Protocol } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient } from "./helpers/marketClients";

async function withJob(): Promise<{ p: Protocol; jobId: bigint }> {
  const p = await deployProtocol();
  await p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress(), { shards: 3 }));
  return { p, jobId: await p.market.jobCount() };
}

describe("readJob (sdk/market)", function () {
  it("reads a job as JobMarket stores it, typed from the ABI", async function () {
    const { p, jobId } = await loadFixture(withJob);
    const { market, usd } = await addressesOf(p);
    const job = await readJob(publicClient, { market, jobId });
    const stored = await p.market.getJob(jobId);
    expect(job.developer).to.equal(p.devs[0].address);
    expect(job.paymentToken).to.equal(usd);
    expect(job.kind).to.equal(JobKind.MatmulInt8);
    expect(job.shards).to.equal(3);
    expect(job.deadline).to.equal(stored.deadline);
    expect(job.maxUnitsPerShard).to.equal(stored.maxUnitsPerShard);
    expect(job.maxPricePerUnit).to.equal(stored.maxPricePerUnit);
    // The spec hash is emitted in JobCreated, not stored (PROTOCOL §20.3).
    expect(job).to.not.have.property("specHash");
    expect(job.escrow).to.equal(3n * stored.maxUnitsPerShard * stored.maxPricePerUnit);
  });

  it("reads at a given block: the escrow before a cancel", async function () {
    const { p, jobId } = await loadFixture(withJob);
    const { market } = await addressesOf(p);
    const block = await publicClient.getBlockNumber();
    const escrow = (await p.market.getJob(jobId)).escrow;
    await p.market.connect(p.devs[0]).cancel(jobId);
    expect((await readJob(publicClient, { market, jobId })).escrow).to.equal(0n);
    expect((await readJob(publicClient, { market, jobId, blockNumber: block })).escrow).to.equal(escrow);
  });

  it("an id the market never issued throws MarketUnknownJobError", async function () {
    const { p, jobId } = await loadFixture(withJob);
    const { market } = await addressesOf(p);
    let error: unknown;
    try {
      await readJob(publicClient, { market, jobId: jobId + 1n });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(MarketUnknownJobError);
    expect((error as MarketUnknownJobError).code).to.equal("MARKET_UNKNOWN_JOB");
    expect((error as MarketUnknownJobError).details).to.deep.equal({ market, jobId: jobId + 1n });
  });
});

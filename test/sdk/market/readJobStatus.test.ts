import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { zeroAddress } from "viem";
import { ShardState } from "../../../sdk/market/enums";
import { MarketUnknownJobError } from "../../../sdk/market/readJob";
import { readJobStatus } from "../../../sdk/market/readJobStatus";
import { deployProtocol, jobParamsFor } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient, chainNow } from "./helpers/marketClients";

const VERIFY_WINDOW = 3_600n; // the fixture's PARAMS.verifyWindow

describe("readJobStatus (sdk/market)", function () {
  it("a gang job: the job, its gang, the verify window and each shard with its assigned operator, at one block", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    const now = await chainNow();
    const params = await jobParamsFor(usd, { shards: 2, shardOperators: [p.ops[1].address, zeroAddress] });
    await p.market.connect(p.devs[0]).createGangJob(params, now + 600n);
    const jobId = await p.market.jobCount();
    await p.market.connect(p.ops[1]).accept(jobId, 0);

    const s = await readJobStatus(publicClient, { market, jobId });
    const latest = await publicClient.getBlock();
    expect(s.blockNumber).to.equal(latest.number);
    expect(s.timestamp).to.equal(latest.timestamp);
    expect(s.jobId).to.equal(jobId);
    expect(s.developer).to.equal(p.devs[0].address);
    expect(s.verifyWindow).to.equal(VERIFY_WINDOW);
    expect(s.shardValue).to.equal(100n * 1_000_000n);
    expect(s.escrow).to.equal(2n * s.shardValue);
    expect(s.gang).to.deep.equal({ acceptDeadline: now + 600n, startedAt: 0n, accepted: 1, released: false });
    // A reservation is an Open shard's (PROTOCOL §20.10): once accepted, the shard has its operator.
    expect(s.shards.map((x) => [x.shard, x.state, x.stateName, x.operator, x.assigned])).to.deep.equal([
      [0, ShardState.Accepted, "Accepted", p.ops[1].address, zeroAddress],
      [1, ShardState.Open, "Open", zeroAddress, zeroAddress],
    ]);
    expect(s.shards[0].collateral).to.equal((await p.market.getShard(jobId, 0)).collateral);
    // Each shard carries the window it was accepted under (0 while Open): what decides its expiry.
    expect(s.shards.map((x) => x.verifyWindow)).to.deep.equal([VERIFY_WINDOW, 0n]);
  });

  it("a plain job has no gang; a past block reads the past", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shards: 1 }));
    const jobId = await p.market.jobCount();
    const openAt = await publicClient.getBlockNumber();
    await p.market.connect(p.devs[0]).cancel(jobId);
    const now = await readJobStatus(publicClient, { market, jobId });
    expect(now.gang).to.equal(undefined);
    expect(now.shards[0].stateName).to.equal("Cancelled");
    expect(now.escrow).to.equal(0n);
    const then = await readJobStatus(publicClient, { market, jobId, blockNumber: openAt });
    expect(then.blockNumber).to.equal(openAt);
    expect(then.shards[0].stateName).to.equal("Open");
    expect(then.escrow).to.equal(then.shardValue);
  });

  it("an unknown job throws MarketUnknownJobError", async function () {
    const p = await loadFixture(deployProtocol);
    const { market } = await addressesOf(p);
    let error: unknown;
    try {
      await readJobStatus(publicClient, { market, jobId: 99n });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(MarketUnknownJobError);
  });
});

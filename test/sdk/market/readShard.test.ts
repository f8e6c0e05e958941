import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { zeroAddress } from "viem";
import { ShardState } from "../../../sdk/market/enums";
import { readShard } from "../../../sdk/market/readShard";
import { deployProtocol, jobParamsFor, type Protocol } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient } from "./helpers/marketClients";

async function withJob(): Promise<{ p: Protocol; jobId: bigint }> {
  const p = await deployProtocol();
  await p.market.connect(p.devs[0]).createJob(await jobParamsFor(await p.usd.getAddress(), { shards: 2 }));
  return { p, jobId: await p.market.jobCount() };
}

describe("readShard (sdk/market)", function () {
  it("follows a shard from Open through Accepted to Submitted", async function () {
    const { p, jobId } = await loadFixture(withJob);
    const { market } = await addressesOf(p);
    const open = await readShard(publicClient, { market, jobId, shard: 0 });
    expect(open.state).to.equal(ShardState.Open);
    expect(open.operator).to.equal(zeroAddress);

    await p.market.connect(p.ops[1]).accept(jobId, 0);
    const accepted = await readShard(publicClient, { market, jobId, shard: 0 });
    const stored = await p.market.getShard(jobId, 0);
    expect(accepted.state).to.equal(ShardState.Accepted);
    expect(accepted.operator).to.equal(p.ops[1].address);
    expect(accepted.acceptedAt).to.equal(stored.acceptedAt);
    expect(accepted.collateral).to.equal(stored.collateral).and.be.greaterThan(0n);

    const root = ethers.id("root");
    await p.market.connect(p.ops[1]).submit(jobId, 0, root, 7, "http://127.0.0.1:1/r");
    const submitted = await readShard(publicClient, { market, jobId, shard: 0 });
    expect(submitted.state).to.equal(ShardState.Submitted);
    expect(submitted.units).to.equal(7n);
    expect(submitted.resultRoot).to.equal(root);
    // The result URI is emitted (ShardSubmitted), not stored (PROTOCOL §20.3); the verify window is the
    // one snapshotted at accept.
    expect(submitted).to.not.have.property("resultURI");
    expect(submitted.verifyWindow).to.equal(3_600n);
    expect(submitted.submittedBlock).to.equal(await publicClient.getBlockNumber());
    // The other shard is untouched.
    expect((await readShard(publicClient, { market, jobId, shard: 1 })).state).to.equal(ShardState.Open);
  });

  it("an index beyond the job's shards reads as an Open shard of nobody, as the contract stores it", async function () {
    const { p, jobId } = await loadFixture(withJob);
    const { market } = await addressesOf(p);
    const beyond = await readShard(publicClient, { market, jobId, shard: 5 });
    expect(beyond.state).to.equal(ShardState.Open);
    expect(beyond.operator).to.equal(zeroAddress);
  });
});

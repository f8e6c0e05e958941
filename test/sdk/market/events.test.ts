import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { toEventSignature } from "viem";
import * as events from "../../../sdk/market/events";
import { deployProtocol, jobParamsFor } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient } from "./helpers/marketClients";

describe("events (sdk/market)", function () {
  it("are the contracts' own events, taken from the generated ABI", () => {
    expect(Object.values(events).map((e) => toEventSignature(e))).to.deep.equal([
      "JobCreated(uint256,address,address,(address,uint64,uint32,address,uint64,uint32,uint128,uint64,uint8,uint8,uint256),bytes32,string)",
      "ShardSubmitted(uint256,uint32,address,bytes32,uint64,uint64,string)",
      "ShardSettled(uint256,uint32,address,uint64,uint256,uint256,uint256,uint256)",
      "ShardFailed(uint256,uint32,address,uint256,uint256)",
      "ShardDeveloperFault(uint256,uint32,address,uint64,uint256,uint256,uint256)",
      "ShardExpired(uint256,uint32,address,bool,uint256,uint256)",
      "FeeCollected(address,address,uint256,bool)",
      "VerdictSkipped(uint256,uint32,uint8)",
      "VerdictsSettled(bytes32,uint256,uint256)",
      "Withdrawn(address,address,address,uint256)",
      "Transfer(address,address,uint256)",
      "OperatorRegistered(address,string,uint16)",
      "Slashed(address,uint256,uint256,address,uint256,uint256,uint64)",
      "VestingForfeited(address,uint256)",
      "SignerBonded(address,uint256,uint256)",
      "EquivocationReported(address,address,bytes32,uint256,uint256)",
    ]);
  });

  it("find and decode the chain's logs: a job's spec URI, every registered operator", async function () {
    const p = await loadFixture(deployProtocol);
    const { market } = await addressesOf(p);
    const params = await jobParamsFor(await p.usd.getAddress(), { specURI: "ipfs://the-spec" });
    await p.market.connect(p.devs[0]).createJob(params);
    const jobId = await p.market.jobCount();
    const created = await publicClient.getLogs({
      address: market,
      event: events.jobCreatedEvent,
      args: { jobId },
      fromBlock: 0n,
      strict: true,
    });
    expect(created).to.have.length(1);
    expect(created[0].args.specURI).to.equal("ipfs://the-spec");
    expect(created[0].args.specHash).to.equal(params.specHash);
    expect(created[0].args.developer).to.equal(p.devs[0].address);
    const registered = await publicClient.getLogs({
      address: (await p.staking.getAddress()) as `0x${string}`,
      event: events.operatorRegisteredEvent,
      fromBlock: 0n,
      strict: true,
    });
    expect(registered.map((l) => l.args.operator)).to.deep.equal(p.ops.map((o) => o.address));
  });
});

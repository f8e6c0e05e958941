// Chain reads (PROTOCOL §18.4): the oracle's log followers stay `confirmations` blocks behind the head.
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { agentConfig } from "../../agent/config";
import { oracleConfig } from "../../oracle/config";
import type { OracleNode } from "../../oracle/oracleNode";
import { deployProtocol } from "../../fixtures/protocolFixture";
import { startOracle, tempDir } from "../../fixtures/oracleHarness";

describe("oracle chain reads: confirmations", function () {
  let node: OracleNode | undefined;
  afterEach(async () => {
    await node?.shutdown();
    node = undefined;
  });

  async function lag(confirmations?: bigint): Promise<bigint> {
    const p = await loadFixture(deployProtocol);
    node = await startOracle(p, p.oracles[0], tempDir("oracle-confirmations"), { confirmations });
    await network.provider.request({ method: "hardhat_mine", params: ["0x5"] });
    await node.tick();
    const health = (await (await fetch(`${node.url}/healthz`)).json()) as { lastBlock: string; head: string };
    return BigInt(health.head) - BigInt(health.lastBlock);
  }

  it("the config default is auto (-1) for oracle and agent: 0 on chain 31337, as the node runs without the option", async () => {
    expect(oracleConfig.load({ env: {} }).confirmations).to.equal(-1);
    expect(agentConfig.load({ env: {} }).confirmations).to.equal(-1);
    expect(await lag()).to.equal(0n);
  });

  it("regression (followers read to the head whatever was configured): with confirmations 2 the node's watcher stays 2 blocks behind", async () => {
    expect(await lag(2n)).to.equal(2n);
  });
});

// The in-process protocol (fixtures/protocolFixture.ts) with its `Deployment` record, for the
// scripts/ code that reads a deployment from the chain (conservation, the demo summary).
import { ethers } from "hardhat";
import { getAddress, zeroAddress, type Address } from "viem";
import type { Deployment } from "../../../sdk/contracts/deployments";
import { deployProtocol, type Protocol } from "../../../fixtures/protocolFixture";

const at = async (c: { getAddress(): Promise<string> }) => getAddress(await c.getAddress()) as Address;

/** A fixture for `loadFixture`: the protocol and a deployment record whose logs start at its first block. */
export async function deployedProtocol(): Promise<{ p: Protocol; deployment: Deployment }> {
  const block = BigInt(await ethers.provider.getBlockNumber()) + 1n;
  const p = await deployProtocol();
  const deployment: Deployment = {
    chainId: 31337,
    network: "hardhat",
    deployer: getAddress(p.admin.address),
    block,
    contracts: {
      ComputeToken: await at(p.rgl),
      OracleCommittee: await at(p.committee),
      OperatorStaking: await at(p.staking),
      RewardsDistributor: await at(p.rewards),
      JobMarket: await at(p.market),
      TimelockController: zeroAddress,
    },
    parameters: {},
  };
  return { p, deployment };
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createPublicClient, custom, type EIP1193RequestFn } from "viem";
import hre from "hardhat";
import { jobMarketAbi, computeTokenAbi } from "../../../sdk/contracts/abis";
import { loadDeployment, parseDeployment, DeploymentError } from "../../../sdk/contracts/deployments";

const A = "0x00000000000000000000000000000000000000aa";
const record = {
  chainId: 31337,
  network: "localhost",
  deployer: A,
  block: 1,
  contracts: {
    ComputeToken: A,
    OracleCommittee: A,
    OperatorStaking: A,
    RewardsDistributor: A,
    JobMarket: A,
    TimelockController: A,
  },
  parameters: { epochLength: 3600 },
};

describe("sdk/contracts", () => {
  it("parses a deployment record and checksums its addresses", () => {
    const d = parseDeployment(record);
    expect(d.block).to.equal(1n);
    expect(d.contracts.JobMarket).to.equal("0x00000000000000000000000000000000000000AA");
    expect(d.parameters.epochLength).to.equal("3600");
  });

  it("names the field that is wrong", () => {
    const bad = { ...record, contracts: { ...record.contracts, JobMarket: "0x12" } };
    expect(() => parseDeployment(bad)).to.throw(DeploymentError, /contracts\.JobMarket/);
    expect(() => parseDeployment({ ...record, chainId: -1 })).to.throw(/chainId/);
    expect(() => parseDeployment("x")).to.throw(/not a JSON object/);
  });

  it("loads a file, and explains a missing one or a chain mismatch", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-deploy-"));
    fs.writeFileSync(path.join(dir, "31337.json"), JSON.stringify(record));
    expect(loadDeployment({ chainId: 31337, dir }).chainId).to.equal(31337);
    expect(() => loadDeployment({ chainId: 5, dir })).to.throw(DeploymentError, /no deployment/);
    fs.writeFileSync(path.join(dir, "7.json"), JSON.stringify(record));
    expect(() => loadDeployment({ chainId: 7, dir })).to.throw(/expected 7/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the generated ABIs match the compiled contracts and work with viem", async () => {
    const artifact = await hre.artifacts.readArtifact("JobMarket");
    expect(jobMarketAbi).to.deep.equal(artifact.abi);
    const [admin] = await hre.ethers.getSigners();
    const token = await hre.ethers.deployContract("ComputeToken", [admin.address, admin.address, 1n, 10n ** 27n]);
    const client = createPublicClient({
      transport: custom({ request: hre.network.provider.request.bind(hre.network.provider) as EIP1193RequestFn }),
    });
    const symbol = await client.readContract({
      address: (await token.getAddress()) as `0x${string}`,
      abi: computeTokenAbi,
      functionName: "symbol",
    });
    expect(symbol).to.equal("RGL");
  });
});

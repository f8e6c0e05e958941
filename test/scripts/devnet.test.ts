import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { computeTokenAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { startDevnet, type Devnet } from "../../scripts/lib/devnet";

describe("scripts/lib/devnet (a real hardhat node with the protocol deployed)", function () {
  this.timeout(180_000);
  let net: Devnet | undefined;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-devnet-"));

  after(async () => {
    await net?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("deploys, bonds a 2-of-3 committee and funds the accounts", async () => {
    net = await startDevnet({ port: 8622, workDir, operators: 2, developers: 1, delegators: 1 });
    const { client, deployment } = net;
    expect(deployment.chainId).to.equal(31337);
    const committee = deployment.contracts.OracleCommittee;
    expect(
      await client.readContract({ address: committee, abi: oracleCommitteeAbi, functionName: "activeSigners" }),
    ).to.equal(3n);
    for (const o of net.oracles) {
      expect(
        await client.readContract({
          address: committee,
          abi: oracleCommitteeAbi,
          functionName: "isActiveSigner",
          args: [o.address],
        }),
      ).to.equal(true);
    }
    for (const a of [...net.operators, ...net.developers, ...net.delegators]) {
      expect(
        await client.readContract({
          address: deployment.contracts.ComputeToken,
          abi: computeTokenAbi,
          functionName: "balanceOf",
          args: [a.address],
        }),
      ).to.equal(10n ** 23n);
    }
    const addresses = [net.deployer, ...net.oracles, ...net.operators, ...net.developers, ...net.delegators].map(
      (a) => a.address,
    );
    expect(new Set(addresses).size).to.equal(addresses.length);
  });
});

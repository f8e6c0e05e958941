import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { computeTokenAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { createWalletClient, http, parseEther } from "viem";
import { operatorStakingAbi } from "../../sdk/contracts/abis";
import { checkConservation } from "../../scripts/lib/conservation";
import { startDevnet, type Devnet } from "../../scripts/lib/devnet";

describe("scripts/lib/devnet (a real hardhat node with the protocol deployed)", function () {
  this.timeout(600_000);
  let net: Devnet | undefined;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-devnet-"));

  after(async () => {
    await net?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("deploys, bonds a 2-of-3 committee and funds the accounts", async () => {
    net = await startDevnet({ port: 8592, workDir, operators: 2, developers: 1, delegators: 1 });
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

  it("conservation holds after staking, and a log gap is reported", async () => {
    if (!net) throw new Error("the devnet did not start");
    const { client, deployment, chain } = net;
    const op = net.operators[0];
    const wallet = createWalletClient({ account: op.account, chain, transport: http(net.rpcUrl) });
    const staking = deployment.contracts.OperatorStaking;
    const send = async (hash: `0x${string}`) => void (await client.waitForTransactionReceipt({ hash }));
    await send(
      await wallet.writeContract({
        address: deployment.contracts.ComputeToken,
        abi: computeTokenAbi,
        functionName: "approve",
        args: [staking, parseEther("500")],
      }),
    );
    await send(
      await wallet.writeContract({
        address: staking,
        abi: operatorStakingAbi,
        functionName: "register",
        args: ["data:,op", 1000],
      }),
    );
    await send(
      await wallet.writeContract({
        address: staking,
        abi: operatorStakingAbi,
        functionName: "stake",
        args: [parseEther("500")],
      }),
    );
    const report = await checkConservation(client, deployment);
    expect(report.problems).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.facts.join("\n")).to.match(/staking holds 500000000000000000000 = Σ at stake of 1 operators/);
    // Starting the replay after the genesis mint misses transfers: reported, not hidden.
    const late = await checkConservation(client, { ...deployment, block: (await client.getBlockNumber()) - 1n });
    expect(late.ok).to.equal(false);
    expect(late.problems.length).to.be.greaterThan(0);
  });
  // Regression: the check took its block number from viem's 4 s cache, so a transfer mined just
  // after a cached read was missing from the replayed logs but present in the balances it read.
  it("conservation reads logs and balances at one block, even right after a cached block number", async () => {
    if (!net) throw new Error("the devnet did not start");
    const { client, deployment, chain } = net;
    const dev = net.developers[0];
    const wallet = createWalletClient({ account: dev.account, chain, transport: http(net.rpcUrl) });
    await client.getBlockNumber(); // warms the cache
    const hash = await wallet.writeContract({
      address: deployment.contracts.ComputeToken,
      abi: computeTokenAbi,
      functionName: "transfer",
      args: [net.operators[1].address, parseEther("1")],
    });
    await client.waitForTransactionReceipt({ hash });
    const report = await checkConservation(client, deployment);
    expect(report.problems).to.deep.equal([]);
    expect(report.ok).to.equal(true);
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createPublicClient, createWalletClient, http, parseEther } from "viem";
import { hardhat } from "viem/chains";
import { parseLoadArgs } from "../../scripts/load";
import { startDevnet, devAccount } from "../../scripts/lib/devnet";
import { startLocalNode } from "../../scripts/lib/localNode";
import { oracleCommitteeAbi } from "../../sdk/contracts/abis";

// The load run's chain (`npm run load -- --chain anvil`, the default; PROTOCOL §20.8): Foundry's
// anvil from npm, with Hardhat's chain id, accounts and automine, its clock at the wall clock, and
// the protocol deployed on it by the same Ignition module as on `hardhat node`.
describe("scripts/lib/anvilNode (the load run's chain)", function () {
  this.timeout(300_000);

  it("starts anvil on 127.0.0.1 with Hardhat's chain id and accounts, refuses a second one, and stops its group", async () => {
    const node = await startLocalNode({ chain: "anvil", port: 8593 });
    try {
      expect(node.kind).to.equal("anvil");
      const chain = { ...hardhat, rpcUrls: { default: { http: [node.url] } } };
      const client = createPublicClient({ chain, transport: http(node.url) });
      expect(await client.getChainId()).to.equal(31337);
      const first = devAccount(0);
      expect(await client.getBalance({ address: devAccount(19).address })).to.equal(parseEther("10000"));
      let refused: unknown;
      await startLocalNode({ chain: "anvil", port: 8593 }).catch((e) => (refused = e));
      expect(String(refused)).to.contain("already serves");

      // Automine, and blocks that share a second: the chain clock stays at the wall clock.
      const wallet = createWalletClient({ account: first.account, chain, transport: http(node.url) });
      const before = await client.getBlockNumber();
      for (let i = 0; i < 5; i++) {
        const hash = await wallet.sendTransaction({ to: devAccount(1).address, value: 1n });
        expect((await client.waitForTransactionReceipt({ hash })).status).to.equal("success");
      }
      const head = await client.getBlock();
      expect(head.number).to.equal(before + 5n);
      expect(Math.abs(Number(head.timestamp) - Date.now() / 1000)).to.be.below(5);
    } finally {
      await node.stop();
    }
    expect(() => process.kill(-node.pid, 0)).to.throw();
    expect(await fetch(node.url).catch((e) => e)).to.be.instanceOf(Error);
  });

  it("refuses the one-second-per-block clock, which only Hardhat's node has", async () => {
    let err: unknown;
    await startLocalNode({ chain: "anvil", port: 8593, wallClock: false }).catch((e) => (err = e));
    expect(String(err)).to.contain("anvil always keeps the chain clock at the wall clock");
    expect(() => parseLoadArgs(["--block-clock"])).to.throw("--block-clock needs --chain hardhat");
    expect(() => parseLoadArgs(["--chain", "geth"])).to.throw('--chain must be one of hardhat, anvil, not "geth"');
    const hardhatClock = parseLoadArgs(["--chain", "hardhat", "--block-clock"]);
    expect(hardhatClock !== "help" && [hardhatClock.chain, hardhatClock.wallClock]).to.deep.equal(["hardhat", false]);
    // Anvil's interval mining is in whole seconds (an interval of 200 ms once became 200 s).
    expect(() => parseLoadArgs(["--mining", "200"])).to.throw("--mining with --chain anvil takes whole seconds");
    const anvilInterval = parseLoadArgs(["--mining", "2000"]);
    expect(anvilInterval !== "help" && anvilInterval.miningIntervalMs).to.equal(2000);
    const hardhatInterval = parseLoadArgs(["--chain", "hardhat", "--mining", "200"]);
    expect(hardhatInterval !== "help" && hardhatInterval.miningIntervalMs).to.equal(200);
    const defaults = parseLoadArgs([]);
    expect(defaults !== "help" && defaults.chain).to.equal("anvil");
  });

  it("takes the protocol's deployment and the committee's bonds as `hardhat node` does", async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-anvil-devnet-"));
    const net = await startDevnet({ chain: "anvil", port: 8594, workDir, operators: 1 });
    try {
      expect(net.node.kind).to.equal("anvil");
      expect(
        await net.client.readContract({
          address: net.deployment.contracts.OracleCommittee,
          abi: oracleCommitteeAbi,
          functionName: "activeSigners",
        }),
      ).to.equal(3n);
    } finally {
      await net.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
});

import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { Address } from "viem";
import { readOwed } from "../../../sdk/market/readOwed";
import { withdraw } from "../../../sdk/market/withdraw";
import { deployProtocol, jobParamsFor, shardAttestation } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient, walletClient } from "./helpers/marketClients";

const PRICE = 1_000_000n;
const V = 100n * PRICE;

/** A settled one-shard job: the operator (ops[1]) and the developer (devs[0]) are owed tUSD. */
async function settled() {
  const p = await deployProtocol();
  const { usd } = await addressesOf(p);
  await p.market.connect(p.devs[0]).createJob(await jobParamsFor(usd, { shards: 1 }));
  const jobId = await p.market.jobCount();
  await p.market.connect(p.ops[1]).accept(jobId, 0);
  await p.market.connect(p.ops[1]).submit(jobId, 0, ethers.id("root"), 10, "http://127.0.0.1:1/r");
  const { att, sigs } = await shardAttestation(p, jobId, 0);
  await p.market.settle(att, sigs);
  return { p, jobId };
}

describe("readOwed and withdraw (sdk/market, pull payments)", function () {
  it("a settlement credits the operator and the developer; withdraw pays each exactly what it is owed, once", async function () {
    const { p } = await loadFixture(settled);
    const { market, usd } = await addressesOf(p);
    const op = p.ops[1].address as Address;
    const dev = p.devs[0].address as Address;
    const pay = 10n * PRICE;
    const fee = (pay * 250n) / 10_000n;
    expect(await readOwed(publicClient, { market, token: usd, account: op })).to.equal(pay - fee);
    expect(await readOwed(publicClient, { market, token: usd, account: dev })).to.equal(V - pay);

    // ops[1] is Hardhat account 6 (protocolFixture: ops = accounts 5..8).
    const opWallet = walletClient(6);
    expect(opWallet.account.address).to.equal(op);
    const before = { op: await p.usd.balanceOf(op), market: await p.usd.balanceOf(market) };
    const r = await withdraw({ publicClient, walletClient: opWallet }, { market, token: usd });
    expect(r.amount).to.equal(pay - fee);
    expect(r.hash).to.match(/^0x[0-9a-f]{64}$/);
    expect((await p.usd.balanceOf(op)) - before.op).to.equal(pay - fee);
    expect(before.market - (await p.usd.balanceOf(market))).to.equal(pay - fee);
    expect(await readOwed(publicClient, { market, token: usd, account: op })).to.equal(0n);
    // Nothing owed any more: no transaction at all.
    expect(await withdraw({ publicClient, walletClient: opWallet }, { market, token: usd })).to.deep.equal({
      amount: 0n,
    });

    // The developer's refund, paid to another address.
    const to = p.ops[3].address as Address;
    const toBefore = await p.usd.balanceOf(to);
    const d = await withdraw({ publicClient, walletClient: walletClient(2) }, { market, token: usd, to });
    expect(d.amount).to.equal(V - pay);
    expect((await p.usd.balanceOf(to)) - toBefore).to.equal(V - pay);
    expect(await readOwed(publicClient, { market, token: usd, account: dev })).to.equal(0n);
  });
});

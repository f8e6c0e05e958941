import { expect } from "chai";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import hre, { ethers } from "hardhat";
import { custom } from "viem";
import { deployProtocol, jobParamsFor, shardAttestation, type Protocol } from "../../fixtures/protocolFixture";
import { formatAddress } from "../../sdk/cli/humanFormat";
import { jobCli } from "./helpers/jobCliHarness";

const DEV = 2; // devs[0], the jobs' developer
const OTHER = 3; // devs[1]
const OP0 = 5; // ops[0]
const MAX_UNITS = 100n;
const MAX_PRICE = 1_000_000n; // tUSD has 6 decimals: 1 tUSD per unit
const V = MAX_UNITS * MAX_PRICE; // each shard's escrow: 100 tUSD

async function createJob(p: Protocol, shards: number): Promise<bigint> {
  await mine();
  const params = await jobParamsFor(await p.usd.getAddress(), {
    shards,
    maxUnitsPerShard: MAX_UNITS,
    maxPricePerUnit: MAX_PRICE,
    deadline: BigInt(await time.latest()) + 5_000n,
  });
  await p.market.connect(p.devs[0]).createJob(params);
  return p.market.jobCount();
}

/** A 3-shard job: shard 0 settled Valid for 40 of 100 units, shard 1 cancelled, shard 2 accepted. */
async function settledJob(p: Protocol): Promise<bigint> {
  const jobId = await createJob(p, 3);
  await p.market.connect(p.ops[0]).accept(jobId, 0);
  await p.market.connect(p.ops[0]).accept(jobId, 2);
  await p.market.connect(p.ops[0]).submit(jobId, 0, ethers.id("root-0"), 40, "http://127.0.0.1:8939/x/0");
  const { att, sigs } = await shardAttestation(p, jobId, 0);
  await p.market.settle(att, sigs);
  await p.market.connect(p.devs[0]).cancel(jobId);
  return jobId;
}

describe("rigel job withdraw, list and status: what the market owes the developer (pull payments)", function () {
  it("status and list show the credits; withdraw pays exactly what is owed and nothing twice", async function () {
    const p = await loadFixture(deployProtocol);
    const jobId = await settledJob(p);
    const run = await jobCli(p);
    const dev = p.devs[0].address;
    const usd = await p.usd.getAddress();
    const market = await p.market.getAddress();
    // 40 units × 1 tUSD paid (fee feeBps of it), 60 tUSD refunded on shard 0; shard 1's 100 tUSD refunded.
    const pay = 40n * MAX_PRICE;
    const fee = (pay * BigInt((await p.market.params()).feeBps)) / 10_000n;
    const refund = V - pay + V;
    expect(await p.market.owedOf(usd, dev)).to.equal(refund);
    expect(await p.market.owedOf(usd, p.ops[0].address)).to.equal(pay - fee);

    const st = await run(["status", String(jobId)], DEV);
    expect(st.code, st.out.errors.join("\n")).to.equal(0);
    const text = st.out.results[0];
    expect(text).to.include("escrow left 100 tUSD");
    expect(text).to.match(/shard 0: Settled \(40 units\)/);
    expect(text).to.include(`credited: ${(Number(pay - fee) / 1e6).toString()} tUSD to the operator`);
    expect(text).to.include("refund 60 tUSD to the developer");
    expect(text).to.include("refund 100 tUSD to the developer");
    expect(text).to.include(`owed to the developer ${formatAddress(dev)} on this market (all jobs): 160 tUSD`);
    expect(text).to.include(`rigel job withdraw --token ${usd}`);
    const json = JSON.parse((await run(["status", String(jobId), "--json"], DEV)).out.results[0]);
    expect(json.developerOwed).to.equal(refund.toString());
    expect(json.token).to.deep.equal({ address: usd, symbol: "tUSD", decimals: 6 });
    expect(json.shards[0].credit).to.include({ outcome: "settled", paid: (pay - fee).toString(), refund: "60000000" });
    expect(json.shards[1].credit).to.include({ outcome: "cancelled", refund: V.toString() });
    expect(json.shards[2].credit).to.equal(null);

    const list = await run(["list", "--json"], DEV);
    expect(list.code, list.out.errors.join("\n")).to.equal(0);
    const l = JSON.parse(list.out.results[0]);
    expect(l.developer).to.equal(dev);
    expect(l.jobs.map((j: { jobId: string }) => j.jobId)).to.deep.equal([jobId.toString()]);
    expect(l.jobs[0]).to.include({ final: 2, shards: 3, refunded: refund.toString(), paid: (pay - fee).toString() });
    const owedUsd = l.owed.find((t: { address: string }) => t.address === usd);
    expect(owedUsd).to.include({ symbol: "tUSD", owed: refund.toString(), owedText: "160 tUSD" });
    const listText = (await run(["list"], DEV)).out.results[0];
    expect(listText).to.include(`job ${jobId}: matmul-int8, 2/3 shard(s) final, escrow left 100 tUSD`);
    expect(listText).to.include(`160 tUSD (160000000 base units) of ${usd}`);

    // A dry run moves nothing.
    const before = { dev: await p.usd.balanceOf(dev), market: await p.usd.balanceOf(market) };
    const dry = await run(["withdraw", "--dry-run", "--json"], DEV);
    expect(JSON.parse(dry.out.results[0]).withdrawn.map((w: { amount: string }) => w.amount)).to.deep.equal([
      refund.toString(),
    ]);
    expect(await p.usd.balanceOf(dev)).to.equal(before.dev);

    const w = await run(["withdraw", "--json"], DEV);
    expect(w.code, w.out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(w.out.results[0]);
    expect(r.to).to.equal(dev);
    expect(r.withdrawn).to.have.length(1);
    expect(r.withdrawn[0]).to.include({
      address: usd,
      symbol: "tUSD",
      amount: refund.toString(),
      amountText: "160 tUSD",
    });
    expect(r.withdrawn[0].transaction).to.match(/^0x[0-9a-f]{64}$/);
    expect(r.failed).to.deep.equal([]);
    // Every balance the withdrawal touches: the developer +160, the market −160, the credit 0, the
    // operator's credit untouched, and the market still holds escrow + everything owed.
    expect((await p.usd.balanceOf(dev)) - before.dev).to.equal(refund);
    expect(before.market - (await p.usd.balanceOf(market))).to.equal(refund);
    expect(await p.market.owedOf(usd, dev)).to.equal(0n);
    expect(await p.market.owedOf(usd, p.ops[0].address)).to.equal(pay - fee);
    expect(await p.usd.balanceOf(market)).to.equal((await p.market.escrowOf(usd)) + (await p.market.owedTotal(usd)));

    const again = await run(["withdraw"], DEV);
    expect(again.code, again.out.errors.join("\n")).to.equal(0);
    expect(again.out.results[0]).to.equal(`nothing owed to ${dev} on this market`);
    expect(await p.usd.balanceOf(dev)).to.equal(before.dev + refund);
  });

  it("--token and --to: the operator's earnings in one token, paid to another address", async function () {
    const p = await loadFixture(deployProtocol);
    await settledJob(p);
    const run = await jobCli(p);
    const usd = await p.usd.getAddress();
    const op = p.ops[0].address;
    const to = p.devs[1].address;
    const owed = await p.market.owedOf(usd, op);
    expect(owed).to.be.greaterThan(0n);
    const before = { op: await p.usd.balanceOf(op), to: await p.usd.balanceOf(to) };
    // Nothing owed in RGL: no transaction.
    const rgl = await run(["withdraw", "--token", "RGL"], OP0);
    expect(rgl.code).to.equal(0);
    expect(rgl.out.results[0]).to.equal(`nothing owed to ${op} on this market`);
    const { code, out } = await run(["withdraw", "--token", usd, "--to", to], OP0);
    expect(code, out.errors.join("\n")).to.equal(0);
    expect(out.results[0]).to.match(new RegExp(`^withdrew to ${to} in 1 transaction\\(s\\):`));
    expect(out.results[0]).to.include(`(${owed} base units) of ${usd}`);
    expect((await p.usd.balanceOf(to)) - before.to).to.equal(owed);
    expect(await p.usd.balanceOf(op)).to.equal(before.op);
    expect(await p.market.owedOf(usd, op)).to.equal(0n);
  });

  it("refuses a malformed or zero --to and a malformed --token (usage errors), sending nothing", async function () {
    const p = await loadFixture(deployProtocol);
    await settledJob(p);
    const run = await jobCli(p);
    const usd = await p.usd.getAddress();
    const owed = await p.market.owedOf(usd, p.devs[0].address);
    for (const argv of [
      ["withdraw", "--to", ethers.ZeroAddress],
      ["withdraw", "--to", "0x1234"],
      ["withdraw", "--token", "USDC"],
    ]) {
      const { code, out } = await run(argv, DEV);
      expect(code, argv.join(" ")).to.equal(2);
      expect(out.errors.join("\n")).to.match(/--to must be a non-zero address|--token must be an address or RGL/);
    }
    expect(await p.market.owedOf(usd, p.devs[0].address)).to.equal(owed);
    const other = await run(["list"], OTHER);
    expect(other.out.results[0]).to.include(`no jobs of ${p.devs[1].address} on this market`);
    expect(other.out.results[0]).to.include("on this market: nothing");
  });

  it("a failed withdrawal is reported, the other token still goes, and its credit stays (exit 1)", async function () {
    const p = await loadFixture(deployProtocol);
    const dev = p.devs[0].address;
    const usd = await p.usd.getAddress();
    const rgl = await p.rgl.getAddress();
    // A refund in each token: a cancelled tUSD job and a cancelled RGL job.
    await p.market.connect(p.devs[0]).cancel(await createJob(p, 1));
    await mine();
    const rglParams = await jobParamsFor(rgl, { shards: 1, deadline: BigInt(await time.latest()) + 5_000n });
    await p.market.connect(p.devs[0]).createJob(rglParams);
    await p.market.connect(p.devs[0]).cancel(await p.market.jobCount());
    const owed = { usd: await p.market.owedOf(usd, dev), rgl: await p.market.owedOf(rgl, dev) };
    expect(owed.usd).to.equal(V);
    expect(owed.rgl).to.equal(V);
    // The first transaction sent (RGL's: RGL is listed first) never reaches the chain.
    let failNext = true;
    const provider = hre.network.provider;
    const flaky = custom({
      async request(args: { method: string; params?: unknown }) {
        if (args.method === "eth_sendRawTransaction" && failNext) {
          failNext = false;
          throw new Error("injected: node refused the transaction");
        }
        return provider.request(args as { method: string; params?: unknown[] });
      },
    });
    const run = await jobCli(p, flaky);
    const before = { usd: await p.usd.balanceOf(dev), rgl: await p.rgl.balanceOf(dev) };
    const { code, out } = await run(["withdraw", "--json"], DEV);
    expect(code).to.equal(1);
    expect(out.errors.join("\n")).to.include("1 transaction(s) failed");
    const r = JSON.parse(out.results[0]);
    expect(r.failed).to.have.length(1);
    expect(r.failed[0]).to.include({ token: rgl, symbol: "RGL" });
    expect(r.failed[0].error).to.include("injected");
    expect(r.withdrawn.map((w: { address: string; amount: string }) => [w.address, w.amount])).to.deep.equal([
      [usd, V.toString()],
    ]);
    expect(r.owed.find((t: { address: string }) => t.address === rgl).owed).to.equal(V.toString());
    expect((await p.usd.balanceOf(dev)) - before.usd).to.equal(V);
    expect(await p.rgl.balanceOf(dev)).to.equal(before.rgl);
    expect(await p.market.owedOf(usd, dev)).to.equal(0n);
    expect(await p.market.owedOf(rgl, dev)).to.equal(V);
  });

  it("answers --help for withdraw and list", async function () {
    const p = await loadFixture(deployProtocol);
    const run = await jobCli(p);
    const w = await run(["withdraw", "--help"], DEV);
    expect(w.code).to.equal(0);
    expect(w.out.results[0]).to.include("Usage: rigel job withdraw [flags]");
    expect(w.out.results[0]).to.include("--token ADDR");
    expect(w.out.results[0]).to.include("--to ADDR");
    const l = await run(["list", "--help"], DEV);
    expect(l.out.results[0]).to.include("Usage: rigel job list [flags]");
  });
});

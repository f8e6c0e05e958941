import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { maxUint256, parseEventLogs, type Address, type TransactionReceipt } from "viem";
import { jobCreatedEvent } from "../../../sdk/market/events";
import { createJob, type CreateJobStep } from "../../../sdk/market/createJob";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { matmulUnits } from "../../../sdk/spec/shardWork";
import { deployProtocol, type Protocol } from "../../../fixtures/protocolFixture";
import { addressesOf, publicClient, walletClient, chainNow } from "./helpers/marketClients";

const DEV = 2; // devs[0]
const SPEC = parseJobSpec({ kind: "matmul-int8", seed: `0x${"42".repeat(32)}`, m: 100, n: 64, k: 64 });
const PRICE = 1_000_000n;

/** The protocol with devs[0]'s allowances to the market taken back, so creating needs approve or permit. */
async function noAllowance(): Promise<Protocol> {
  const p = await deployProtocol();
  const market = await p.market.getAddress();
  await p.rgl.connect(p.devs[0]).approve(market, 0);
  await p.usd.connect(p.devs[0]).approve(market, 0);
  return p;
}

/** The spec hash lives in `JobCreated` only, not in storage (PROTOCOL §20.3). */
function specHashOf(receipt: TransactionReceipt) {
  return parseEventLogs({ abi: [jobCreatedEvent], logs: receipt.logs })[0].args.specHash;
}

async function balances(p: Protocol, token: "rgl" | "usd") {
  const t = p[token];
  return { dev: await t.balanceOf(p.devs[0].address), market: await t.balanceOf(await p.market.getAddress()) };
}

describe("createJob (sdk/market)", function () {
  it("approve: approves the escrow, creates the job and pulls exactly the escrow", async function () {
    const p = await loadFixture(noAllowance);
    const { market, usd } = await addressesOf(p);
    const deadline = (await chainNow()) + 3_600n;
    const before = await balances(p, "usd");
    const steps: CreateJobStep[] = [];
    const r = await createJob(
      { publicClient, walletClient: walletClient(DEV) },
      {
        market,
        spec: SPEC,
        shards: 2,
        paymentToken: usd,
        maxPricePerUnit: PRICE,
        deadline,
        onStep: (s) => steps.push(s),
      },
    );
    const units = matmulUnits(50, 64, 64);
    const escrow = 2n * units * PRICE;
    expect(r.approval).to.equal("approve");
    expect(r.escrow).to.equal(escrow);
    expect(r.jobId).to.equal(await p.market.jobCount());
    expect(steps.map((s) => `${s.step}:${s.status}`)).to.deep.equal([
      "approve:wallet",
      "approve:pending",
      "create:wallet",
      "create:pending",
    ]);
    const job = await p.market.getJob(r.jobId);
    expect(job.developer).to.equal(p.devs[0].address);
    expect(job.shards).to.equal(2n);
    expect(job.maxUnitsPerShard).to.equal(units);
    expect(specHashOf(r.receipt)).to.equal(hashJobSpec(SPEC).hash);
    expect(job.escrow).to.equal(escrow);
    const after = await balances(p, "usd");
    expect(before.dev - after.dev).to.equal(escrow);
    expect(after.market - before.market).to.equal(escrow);
    // Exactly the escrow was approved, and all of it was pulled.
    expect(await p.usd.allowance(p.devs[0].address, market)).to.equal(0n);
  });

  it("permit: one transaction creates with an EIP-2612 permit signed for 2^256 − 1", async function () {
    const p = await loadFixture(noAllowance);
    const { market, rgl } = await addressesOf(p);
    const deadline = (await chainNow()) + 3_600n;
    const before = await balances(p, "rgl");
    const nonce = await p.rgl.nonces(p.devs[0].address);
    const steps: CreateJobStep[] = [];
    const r = await createJob(
      { publicClient, walletClient: walletClient(DEV) },
      {
        market,
        spec: SPEC,
        paymentToken: rgl,
        maxPricePerUnit: PRICE,
        deadline,
        approval: "permit",
        onStep: (s) => steps.push(s),
      },
    );
    expect(r.approval).to.equal("permit");
    expect(r.approveHash).to.equal(undefined);
    expect(steps.map((s) => `${s.step}:${s.status}`)).to.deep.equal([
      "permit:wallet",
      "createWithPermit:wallet",
      "createWithPermit:pending",
    ]);
    expect(await p.rgl.nonces(p.devs[0].address)).to.equal(nonce + 1n);
    expect(await p.rgl.allowance(p.devs[0].address, market)).to.equal(maxUint256);
    const after = await balances(p, "rgl");
    expect(before.dev - after.dev).to.equal(r.escrow);
    expect(after.market - before.market).to.equal(r.escrow);
    expect((await p.market.getJob(r.jobId)).escrow).to.equal(r.escrow);
  });

  it("an allowance that covers the escrow: no approve, no permit", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    const before = await balances(p, "usd");
    const r = await createJob(
      { publicClient, walletClient: walletClient(DEV) },
      {
        market,
        spec: SPEC,
        paymentToken: usd,
        maxPricePerUnit: PRICE,
        deadline: (await chainNow()) + 3_600n,
        approval: "permit",
      },
    );
    expect(r.approval).to.equal("allowance");
    const after = await balances(p, "usd");
    expect(before.dev - after.dev).to.equal(r.escrow);
    expect(after.market - before.market).to.equal(r.escrow);
  });

  it("gang and plan: createGangJob with the plan's operators and split (a gang approves: there is no gang permit)", async function () {
    const p = await loadFixture(noAllowance);
    const { market, usd } = await addressesOf(p);
    const now = await chainNow();
    const ops = [p.ops[2].address, p.ops[0].address] as Address[];
    const plan = { split: [70, 30], maxUnitsPerShard: 5n, shards: ops.map((operator) => ({ operator })) as never };
    const before = await balances(p, "usd");
    const r = await createJob(
      { publicClient, walletClient: walletClient(DEV) },
      {
        market,
        spec: SPEC,
        plan,
        paymentToken: usd,
        maxPricePerUnit: PRICE,
        deadline: now + 3_600n,
        gang: { acceptDeadline: now + 600n },
        approval: "permit",
      },
    );
    expect(r.approval).to.equal("approve");
    expect(r.spec).to.deep.equal({ ...SPEC, split: [70, 30] });
    const gang = await p.market.gangOf(r.jobId);
    expect(gang.acceptDeadline).to.equal(now + 600n);
    expect(gang.startedAt).to.equal(0n);
    const job = await p.market.getJob(r.jobId);
    expect(job.shards).to.equal(2n);
    expect(job.maxUnitsPerShard).to.equal(5n);
    expect(specHashOf(r.receipt)).to.equal(hashJobSpec(r.spec).hash);
    expect(await p.market.assignedOperator(r.jobId, 0)).to.equal(ops[0]);
    expect(await p.market.assignedOperator(r.jobId, 1)).to.equal(ops[1]);
    const after = await balances(p, "usd");
    expect(r.escrow).to.equal(2n * 5n * PRICE);
    expect(before.dev - after.dev).to.equal(r.escrow);
    expect(after.market - before.market).to.equal(r.escrow);
  });

  it("a call the market refuses fails in simulation, before anything is sent", async function () {
    const p = await loadFixture(deployProtocol);
    const { market, usd } = await addressesOf(p);
    const count = await p.market.jobCount();
    const before = await balances(p, "usd");
    const past = (await chainNow()) - 1n;
    let error: unknown;
    try {
      await createJob(
        { publicClient, walletClient: walletClient(DEV) },
        { market, spec: SPEC, paymentToken: usd, maxPricePerUnit: PRICE, deadline: past },
      );
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/MarketBadDeadline/);
    expect(await p.market.jobCount()).to.equal(count);
    expect(await balances(p, "usd")).to.deep.equal(before);
  });
});

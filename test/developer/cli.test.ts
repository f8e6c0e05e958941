import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { custom, formatUnits, type Address } from "viem";
import { main } from "../../developer/cli";
import type { JobCliDeps } from "../../developer/connect";
import type { CliOutput } from "../../sdk/cli/commands";
import { formatAddress } from "../../sdk/cli/humanFormat";
import type { Deployment } from "../../sdk/contracts/deployments";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import { matmulShardRows, matmulUnits } from "../../sdk/spec/shardWork";
import type { MatmulInt8Spec } from "../../sdk/spec/jobSpecTypes";
import { CAPACITY_TYPES } from "../../fixtures/stakingFixture";
import { deployProtocol, shardAttestation, signWith, type Protocol } from "../../fixtures/protocolFixture";
import { Verdict } from "../../sdk/market/enums";

const SEED = `0x${"33".repeat(32)}`;
/** Attested ops/s in the ratio 4 : 2 : 1 : 1. */
const SPEEDS = [40_000_000_000_000n, 20_000_000_000_000n, 10_000_000_000_000n, 10_000_000_000_000n];

async function fleet(): Promise<Protocol> {
  const p = await deployProtocol();
  for (let i = 0; i < p.ops.length; i++) {
    const att = {
      operator: p.ops[i].address,
      challengeId: ethers.id(`cli-${i}`),
      opsPerSec: SPEEDS[i],
      vramMiB: 24_576,
      gpuModel: ethers.encodeBytes32String("GPU"),
      validUntil: BigInt(await time.latest()) + 7n * 86_400n, // the oracles' capacity validity; the committee refuses longer (PROTOCOL §7.2)
    };
    await p.staking.recordCapacity(att, await signWith(p, CAPACITY_TYPES, att, 2));
  }
  return p;
}

function capture(): CliOutput & { results: string[]; errors: string[] } {
  const results: string[] = [];
  const errors: string[] = [];
  return { results, errors, result: (t) => results.push(t), info: () => undefined, error: (t) => errors.push(t) };
}

describe("rigel job (developer/cli)", () => {
  let dir: string;
  let specFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-job-cli-"));
    specFile = path.join(dir, "spec.json");
    fs.writeFileSync(specFile, JSON.stringify({ kind: "matmul-int8", seed: SEED, m: 800, n: 4096, k: 4096 }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function setup(): Promise<{
    p: Protocol;
    deps: JobCliDeps;
    run: (argv: string[]) => Promise<{ code: number; out: ReturnType<typeof capture> }>;
  }> {
    const p = await loadFixture(fleet);
    const deployment: Deployment = {
      chainId: 31337,
      network: "hardhat",
      deployer: p.admin.address as Address,
      block: 0n,
      contracts: {
        ComputeToken: (await p.rgl.getAddress()) as Address,
        OracleCommittee: (await p.committee.getAddress()) as Address,
        OperatorStaking: (await p.staking.getAddress()) as Address,
        RewardsDistributor: (await p.rewards.getAddress()) as Address,
        JobMarket: (await p.market.getAddress()) as Address,
        TimelockController: p.admin.address as Address,
      },
      parameters: {},
    };
    // No key given: on chain 31337 the CLI uses Hardhat's first dev account (the fixture's admin).
    const deps: JobCliDeps = {
      transport: custom(hre.network.provider),
      deployment,
      env: {},
      sleep: async () => undefined,
    };
    const run = async (argv: string[]) => {
      const out = capture();
      const code = await main(argv, deps, out);
      return { code, out };
    };
    return { p, deps, run };
  }

  it("plan: splits the rows in proportion to attested speed and explains every operator", async () => {
    const { p, run } = await setup();
    const { code, out } = await run(["plan", specFile, "--budget", "1000000wei", "--max-price", "1000wei", "--json"]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const { plan } = JSON.parse(out.results[0]);
    expect(plan.split).to.deep.equal([400, 200, 100, 100]);
    expect(plan.shards.map((s: { operator: string }) => s.operator)).to.deep.equal(p.ops.map((o) => o.address));
    expect(plan.decisions).to.have.length(4);
    expect(plan.decisions.every((d: { code: string }) => d.code === "taken")).to.equal(true);
    const text = await run(["plan", specFile, "--within", "3600", "--max-price", "1000wei"]);
    expect(text.code).to.equal(0);
    expect(text.out.results[0]).to.match(/^cheapest plan: 4 shard\(s\) from 4 operator\(s\) read/);
    expect(text.out.results[0]).to.include("TAKEN (taken)");
  });

  it("plan: an infeasible job fails with the constraint named", async () => {
    const { run } = await setup();
    const { code, out } = await run(["plan", specFile, "--budget", "1wei", "--max-price", "1000wei"]);
    expect(code).to.equal(1);
    expect(out.errors[0]).to.match(
      /^error: --budget 0\.000000000000000001 RGL is below the least this job can cost: about [\d.]+ RGL/,
    );
    expect(out.errors[0]).to.match(/\nhint: raise --budget to at least [\d.]+ RGL, or plan with --within SECONDS/);
    const usage = await run(["plan", specFile, "--max-price", "1000wei"]);
    expect(usage.code).to.equal(2);
    expect(usage.out.errors[0]).to.match(/exactly one of --budget/);
  });

  it("submit --plan: assigns operators and uneven ranges in the spec the chain hashes; status; cancel", async () => {
    const { p, run } = await setup();
    const rgl = p.rgl;
    const balB = await rgl.balanceOf(p.admin.address);
    const { code, out } = await run([
      "submit",
      specFile,
      "--plan",
      "--budget",
      "1000000wei",
      "--max-price",
      "1000wei",
      "--yes",
      "--json",
    ]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(out.results[0]);
    const jobId = BigInt(r.jobId);
    expect(r.split).to.deep.equal([400, 200, 100, 100]);
    const job = await p.market.getJob(jobId);
    expect(job.shards).to.equal(4n);
    // The spec at the emitted URI carries the split and hashes to the emitted spec hash.
    const ev = (await p.market.queryFilter(p.market.filters.JobCreated(jobId)))[0];
    expect(ev.args.specHash).to.equal(r.specHash);
    const spec = (await fetchJobSpec(ev.args.specURI, ev.args.specHash as `0x${string}`)).spec as MatmulInt8Spec;
    expect(spec.split).to.deep.equal([400, 200, 100, 100]);
    const units = [0, 1, 2, 3].map((i) => {
      const rows = matmulShardRows(spec, 4, i);
      return matmulUnits(rows.end - rows.start, spec.n, spec.k);
    });
    expect(job.maxUnitsPerShard).to.equal(units[0]);
    for (let i = 0; i < 4; i++) expect(await p.market.assignedOperator(jobId, i)).to.equal(p.ops[i].address);
    const escrow = 4n * units[0] * 1000n;
    expect(job.escrow).to.equal(escrow);
    expect(balB - (await rgl.balanceOf(p.admin.address))).to.equal(escrow);

    await p.market.connect(p.ops[0]).accept(jobId, 0);
    const st = await run(["status", String(jobId), "--json"]);
    const s = JSON.parse(st.out.results[0]);
    expect(s.shards.map((x: { stateName: string }) => x.stateName)).to.deep.equal(["Accepted", "Open", "Open", "Open"]);
    const cancelled = await run(["cancel", String(jobId)]);
    expect(cancelled.code).to.equal(0);
    // The three open shards' escrow is credited to the developer in the market, not sent (pull payments).
    const refund = escrow - units[0] * 1000n;
    expect(balB - (await rgl.balanceOf(p.admin.address))).to.equal(escrow);
    expect(await p.market.owedOf(await rgl.getAddress(), p.admin.address)).to.equal(refund);
    const withdrawn = await run(["withdraw", "--token", "RGL", "--json"]);
    expect(withdrawn.code, withdrawn.out.errors.join("\n")).to.equal(0);
    expect(JSON.parse(withdrawn.out.results[0]).withdrawn[0].amount).to.equal(refund.toString());
    expect(balB - (await rgl.balanceOf(p.admin.address))).to.equal(units[0] * 1000n);
    expect(await p.market.owedOf(await rgl.getAddress(), p.admin.address)).to.equal(0n);
    const text = await run(["status", String(jobId)]);
    expect(text.out.results[0]).to.match(/job \d+: 3\/4 shard\(s\) final/);
  });

  it("submit without --plan asks for confirmation and creates an even job; expire refunds a no-show", async () => {
    const { p, deps, run } = await setup();
    deps.confirm = async () => false;
    const declined = await run(["submit", specFile, "--shards", "2", "--max-price", "1000wei"]);
    expect(declined.code).to.equal(1);
    expect(await p.market.jobCount()).to.equal(0n);
    deps.confirm = async () => true;
    const { code, out } = await run([
      "submit",
      specFile,
      "--shards",
      "2",
      "--max-price",
      "1000wei",
      "--deadline",
      "100",
      "--json",
    ]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const jobId = BigInt(JSON.parse(out.results[0]).jobId);
    expect((await p.market.getJob(jobId)).maxUnitsPerShard).to.equal(matmulUnits(400, 4096, 4096));
    await p.market.connect(p.ops[1]).accept(jobId, 0);
    await time.increase(200);
    const ex = await run(["expire", String(jobId), "--json"]);
    expect(JSON.parse(ex.out.results[0]).expired.map((e: { shard: number }) => e.shard)).to.deep.equal([0]);
    expect((await p.market.getShard(jobId, 0)).state).to.equal(6n);
  });

  it("submit --gang, then release after the accept deadline; status --watch stops when every shard is final", async () => {
    const { p, run } = await setup();
    const { code, out } = await run([
      "submit",
      specFile,
      "--shards",
      "2",
      "--max-price",
      "1000wei",
      "--gang",
      "60",
      "--yes",
      "--json",
    ]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const jobId = BigInt(JSON.parse(out.results[0]).jobId);
    expect((await p.market.gangOf(jobId)).acceptDeadline).to.be.greaterThan(0n);
    await p.market.connect(p.ops[0]).accept(jobId, 0);
    expect((await run(["status", String(jobId)])).out.results[0]).to.include("gang: 1/2 accepted");
    await time.increase(61);
    const rel = await run(["release", String(jobId)]);
    expect(rel.code, rel.out.errors.join("\n")).to.equal(0);
    expect((await p.staking.operatorInfo(p.ops[0].address)).lockedStake).to.equal(0n);
    const watch = await run(["status", String(jobId), "--watch"]);
    expect(watch.code).to.equal(0);
    expect(watch.out.results[0]).to.include("2/2 shard(s) final");
  });

  it("status explains a DeveloperFault shard: final, the operator paid for the units used, the rest refunded", async () => {
    const { p, run } = await setup();
    const { code, out } = await run(["submit", specFile, "--shards", "2", "--max-price", "1000wei", "--yes", "--json"]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const jobId = BigInt(JSON.parse(out.results[0]).jobId);
    await p.market.connect(p.ops[0]).accept(jobId, 0);
    await p.market.connect(p.ops[0]).submit(jobId, 0, ethers.id("failed-run"), 3n, "");
    const { att, sigs } = await shardAttestation(p, jobId, 0, Verdict.DeveloperFault);
    await p.market.settle(att, sigs);
    const text = (await run(["status", String(jobId)])).out.results[0];
    expect(text).to.include("1/2 shard(s) final");
    expect(text).to.include(`shard 0: DeveloperFault (3 units) by ${formatAddress(p.ops[0].address)}`);
    expect(text).to.include("developer's code failed: the operator was paid for the units used");
    // 3 units × 1000 paid less the fee (burned: RGL) credited to the operator; the rest refunded.
    const units = (await p.market.getJob(jobId)).maxUnitsPerShard;
    const pay = 3n * 1000n;
    const fee = (pay * BigInt((await p.market.params()).feeBps)) / 10_000n;
    const json = JSON.parse((await run(["status", String(jobId), "--json"])).out.results[0]);
    expect(json.shards[0].stateName).to.equal("DeveloperFault");
    expect(json.shards[0].credit).to.deep.equal({
      shard: 0,
      outcome: "developer-fault",
      operator: p.ops[0].address,
      paid: (pay - fee).toString(),
      fee: fee.toString(),
      refund: (units * 1000n - pay).toString(),
    });
    expect(json.shards[1].credit).to.equal(null);
    expect(json.developerOwed).to.equal((await p.market.owedOf(await p.rgl.getAddress(), p.admin.address)).toString());
    // Wei-sized amounts are written out in full, never rounded to nothing.
    expect(text).to.include(
      `credited: ${formatUnits(pay - fee, 18)} RGL to the operator, fee ${formatUnits(fee, 18)} RGL, refund ${formatUnits(units * 1000n - pay, 18)} RGL to the developer`,
    );
  });

  it("submit --operators assigns an even split's shards in order; a count that does not match is refused", async () => {
    const { p, run } = await setup();
    const ops = [p.ops[1].address, p.ops[0].address];
    const bad = await run([
      "submit",
      specFile,
      "--shards",
      "2",
      "--operators",
      ops[0],
      "--max-price",
      "1000wei",
      "--yes",
    ]);
    expect(bad.code).to.not.equal(0);
    expect(bad.out.errors.join("\n")).to.include("1 operator(s) for 2 shard(s)");
    expect(await p.market.jobCount()).to.equal(0n);
    const { code, out } = await run([
      "submit",
      specFile,
      "--shards",
      "2",
      "--operators",
      ops.join(","),
      "--max-price",
      "1000wei",
      "--yes",
      "--json",
    ]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const jobId = BigInt(JSON.parse(out.results[0]).jobId);
    expect(await p.market.assignedOperator(jobId, 0)).to.equal(ops[0]);
    expect(await p.market.assignedOperator(jobId, 1)).to.equal(ops[1]);
    expect((await p.market.getJob(jobId)).maxUnitsPerShard).to.equal(matmulUnits(400, 4096, 4096));
  });

  it("answers --help for every command", async () => {
    const { run } = await setup();
    for (const cmd of [
      "plan",
      "submit",
      "status",
      "list",
      "results",
      "cancel",
      "expire",
      "refund",
      "withdraw",
      "release",
    ]) {
      const { code, out } = await run([cmd, "--help"]);
      expect(code).to.equal(0);
      expect(out.results[0]).to.include(`Usage: rigel job ${cmd}`);
    }
  });
});

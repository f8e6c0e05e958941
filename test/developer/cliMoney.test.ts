// `rigel job`: money in tokens by default (wei only with the unit), human output, --json for
// scripts, and errors as one sentence with a hint (issue 22, points 5 and 6).
import { expect } from "chai";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployProtocol, signWith, type Protocol } from "../../fixtures/protocolFixture";
import { CAPACITY_TYPES } from "../../fixtures/stakingFixture";
import { main } from "../../developer/cli";
import { capture, deploymentOfProtocol, jobCli } from "./helpers/jobCliHarness";

const E18 = 10n ** 18n;
const SEED = `0x${"44".repeat(32)}`;

async function fleet(): Promise<Protocol> {
  const p = await deployProtocol();
  for (let i = 0; i < 2; i++) {
    const att = {
      operator: p.ops[i].address,
      challengeId: ethers.id(`cli-money-${i}`),
      opsPerSec: 10_000_000_000_000n,
      vramMiB: 24_576,
      gpuModel: ethers.encodeBytes32String("GPU"),
      validUntil: BigInt(await time.latest()) + 7n * 86_400n,
    };
    await p.staking.recordCapacity(att, await signWith(p, CAPACITY_TYPES, att, 2));
  }
  return p;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("rigel job: amounts in tokens, human output, errors in a sentence", () => {
  let dir: string;
  let specFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-job-money-"));
    specFile = path.join(dir, "spec.json");
    // 64 rows of 64×64: a small job (units are counted per row of work, sdk/spec/shardWork).
    fs.writeFileSync(specFile, JSON.stringify({ kind: "matmul-int8", seed: SEED, m: 64, n: 64, k: 64 }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("--budget 100 --max-price 1 are 100 RGL and 1 RGL per unit, not wei (the issue's silent trap)", async () => {
    const p = await loadFixture(fleet);
    const run = await jobCli(p);
    const planned = await run(["plan", specFile, "--budget", "100", "--max-price", "1", "--json"], 2);
    expect(planned.code, planned.out.errors.join("\n")).to.equal(0);
    const { plan, token } = JSON.parse(planned.out.results[0]);
    expect(token).to.deep.include({ symbol: "RGL", decimals: 18 });
    // Every shard is priced at 1 RGL per unit: cost = units × 10^18 wei.
    for (const s of plan.shards) expect(BigInt(s.cost)).to.equal(BigInt(s.units) * E18);
    expect(BigInt(plan.cost) <= 100n * E18).to.equal(true);

    const before = await p.rgl.balanceOf(p.devs[0].address);
    const created = await run(["submit", specFile, "--shards", "1", "--max-price", "1", "--yes", "--json"], 2);
    expect(created.code, created.out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(created.out.results[0]);
    expect(r.maxPricePerUnit).to.equal(E18.toString()); // bigints are decimal strings in --json
    const job = await p.market.getJob(BigInt(r.jobId));
    expect(job.maxPricePerUnit).to.equal(E18);
    expect(before - (await p.rgl.balanceOf(p.devs[0].address))).to.equal(job.escrow);
    expect(r.escrow).to.equal(job.escrow.toString());

    // The same price in wei must be said so: 1wei is one base unit.
    const wei = await run(["submit", specFile, "--max-price", "1000wei", "--yes", "--json"], 2);
    expect(wei.code, wei.out.errors.join("\n")).to.equal(0);
    expect((await p.market.getJob(BigInt(JSON.parse(wei.out.results[0]).jobId))).maxPricePerUnit).to.equal(1000n);
  });

  it("refuses a price that rounds to nothing, a zero price, a malformed amount and a budget below the least cost", async () => {
    const p = await loadFixture(fleet);
    const run = await jobCli(p);
    const cases: [string[], RegExp][] = [
      [
        ["--max-price", "0.0000000000000000001"],
        /--max-price "0\.0000000000000000001" has more decimals than RGL has \(18\)/,
      ],
      [["--max-price", "0"], /--max-price must be above zero/],
      [["--max-price", "1 USDC"], /names USDC, but this amount is in RGL/],
      [["--max-price", "lots"], /--max-price "lots" is not an amount/],
    ];
    for (const [flags, message] of cases) {
      const r = await run(["submit", specFile, ...flags, "--yes"], 2);
      expect(r.code, flags.join(" ")).to.equal(2);
      expect(r.out.errors.join("\n"), flags.join(" ")).to.match(message);
      expect(r.out.errors.join("\n")).to.match(/\nhint: run 'rigel job submit --help' for the flags/);
    }
    const low = await run(["plan", specFile, "--budget", "1wei", "--max-price", "1"], 2);
    expect(low.code, low.out.errors.join("\n")).to.equal(1);
    expect(low.out.errors[0]).to.match(
      /^error: --budget 0\.000000000000000001 RGL is below the least this job can cost: about [\d,.]+ RGL/,
    );
    expect(low.out.errors[0]).to.include("hint: raise --budget to at least");
    expect(await p.market.jobCount()).to.equal(0n);
  });

  it("prints amounts, dates and durations for people: no raw wei, no unix times", async () => {
    const p = await loadFixture(fleet);
    const run = await jobCli(p);
    const planned = await run(["plan", specFile, "--within", "3600", "--max-price", "0.5"], 2);
    expect(planned.code, planned.out.errors.join("\n")).to.equal(0);
    expect(planned.out.results[0]).to.match(/estimated cost [\d,.]+ RGL, done in about/);
    expect(planned.out.results[0]).to.match(
      /0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4} TAKEN \(taken\): shard \d: \d+ items \([\d.]+ %\), done in ~[\d.]+ s for [\d,.]+ RGL/,
    );
    expect(planned.out.results[0]).to.not.match(/\d{9,}/); // no wei, no unix time
    const created = await run(["submit", specFile, "--shards", "2", "--max-price", "0.5", "--yes"], 2);
    expect(created.code, created.out.errors.join("\n")).to.equal(0);
    expect(created.out.infos.join("\n")).to.match(
      /× 0\.5 RGL per unit, escrow [\d,.]+ RGL .* deadline \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    expect(created.out.results[0]).to.match(/^created job 1: escrow [\d,.]+ RGL/);
    const status = await run(["status", "1"], 2);
    expect(status.out.results[0]).to.match(/deadline \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in (23 h 59 min|1 d)\)/);
    expect(status.out.results[0]).to.not.match(/\d{10}/); // no unix time nor wei count
  });

  it("errors: the issue's 'Unable to decode signature 0xe450d38c' is now 'not enough RGL', with a hint", async () => {
    const p = await loadFixture(fleet);
    const run = await jobCli(p);
    // Account 16 holds ETH and no RGL.
    const broke = await run(["submit", specFile, "--max-price", "1", "--yes"], 16);
    expect(broke.code).to.equal(1);
    const text = broke.out.errors.join("\n");
    expect(text).to.match(
      /^error: not enough RGL: 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4} has 0 RGL, needs [\d,.]+ RGL\nhint: /,
    );
    expect(text).to.not.contain("    at "); // no stack without --verbose
    const verbose = await run(["submit", specFile, "--max-price", "1", "--yes", "--verbose"], 16);
    expect(verbose.out.errors.join("\n")).to.contain("    at ");
    const json = await run(["submit", specFile, "--max-price", "1", "--yes", "--json"], 16);
    expect(JSON.parse(json.out.results[0]).error.code).to.equal("ERC20InsufficientBalance");
  });

  it("errors: a wrong RPC URL says no chain answers there, and how to fix it", async () => {
    const p = await loadFixture(fleet);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = capture();
    const code = await main(["status", "1", "--rpc", url], { deployment: await deploymentOfProtocol(p), env: {} }, out);
    expect(code).to.equal(1);
    expect(out.errors[0]).to.equal(
      `error: no chain answers at ${url}\nhint: start one (npx hardhat node, or npm run demo -- --keep) or pass --rpc URL (env RIGEL_RPC_URL)\n(run again with --verbose for the details)`,
    );
  });
});

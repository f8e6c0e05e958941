import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { custom } from "viem";
import { main } from "../../developer/cli";
import type { JobCliDeps } from "../../developer/connect";
import { JobKind, VerificationMode } from "../../sdk/market/enums";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import type { LlmInferenceSpec } from "../../sdk/spec/jobSpecTypes";
import { llmItemMaxUnits, llmRangeMaxUnits, llmShardItems } from "../../sdk/spec/shardWork";
import { CAPACITY_TYPES } from "../../fixtures/stakingFixture";
import { deployProtocol, signWith, type Protocol } from "../../fixtures/protocolFixture";
import { capture, deploymentOfProtocol } from "./helpers/jobCliHarness";

/** Attested ops/s in the ratio 4 : 2 : 1 : 1. */
const SPEEDS = [40_000_000_000_000n, 20_000_000_000_000n, 10_000_000_000_000n, 10_000_000_000_000n];
/** Prompts of different lengths: 1, 30, 2 and 3 UTF-8 bytes ("é" is two). */
const PROMPTS = ["a", "a much longer prompt than most", "é", "xyz"];
const MAX_NEW = 4;
/** 2 RGL per 1,000 tokens = 2·10^15 wei per token. */
const PER_1K = 2n * 10n ** 18n;

async function fleet(): Promise<Protocol> {
  const p = await deployProtocol();
  for (let i = 0; i < p.ops.length; i++) {
    const att = {
      operator: p.ops[i].address,
      challengeId: ethers.id(`llm-cli-${i}`),
      opsPerSec: SPEEDS[i],
      vramMiB: 24_576,
      gpuModel: ethers.encodeBytes32String("GPU"),
      validUntil: BigInt(await time.latest()) + 7n * 86_400n, // the oracles' capacity validity; the committee refuses longer (PROTOCOL §7.2)
    };
    await p.staking.recordCapacity(att, await signWith(p, CAPACITY_TYPES, att, 2));
  }
  return p;
}

describe("rigel job: llm-inference jobs (developer/cli)", () => {
  let dir: string;
  let modelDir: string;
  let promptsFile: string;
  const files = { config: "config.json", weights: "model.safetensors", vocab: "vocab.json", merges: "merges.txt" };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-job-llm-"));
    modelDir = path.join(dir, "model");
    fs.mkdirSync(modelDir);
    // The CLI only hashes the files; the bytes need not be a runnable model here.
    for (const name of Object.values(files)) fs.writeFileSync(path.join(modelDir, name), `bytes of ${name}`);
    promptsFile = path.join(dir, "prompts.txt");
    fs.writeFileSync(promptsFile, PROMPTS.join("\r\n") + "\r\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function setup() {
    const p = await loadFixture(fleet);
    const deployment = await deploymentOfProtocol(p);
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
    return { p, run };
  }
  const llmFlags = () => ["--prompts", promptsFile, "--model", modelDir, "--max-new-tokens", String(MAX_NEW)];
  const sha = (name: string) =>
    `0x${createHash("sha256")
      .update(fs.readFileSync(path.join(modelDir, name)))
      .digest("hex")}`;

  it("spec: builds the spec from flags (plain-line prompts, file:// URIs and sha256 of each model file)", async () => {
    const { run } = await setup();
    const { code, out } = await run(["spec", ...llmFlags()]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const spec = JSON.parse(out.results[0]) as LlmInferenceSpec;
    expect(spec.items).to.deep.equal(PROMPTS);
    expect(spec.maxNewTokens).to.equal(MAX_NEW);
    expect(spec.decoding).to.deep.equal({ mode: "greedy" });
    for (const [key, name] of Object.entries(files)) {
      expect(spec.model[key as keyof typeof files]).to.deep.equal({
        uri: pathToFileURL(path.join(modelDir, name)).toString(),
        sha256: sha(name),
      });
    }
    const served = await run([
      "spec",
      ...llmFlags(),
      "--model-url",
      "https://models.example/gpt2",
      "--sample",
      "--temperature",
      "0.7",
      "--top-p",
      "0.9",
    ]);
    const s2 = JSON.parse(served.out.results[0]) as LlmInferenceSpec;
    expect(s2.model.weights).to.deep.equal({
      uri: "https://models.example/gpt2/model.safetensors",
      sha256: sha("model.safetensors"),
    });
    expect(s2.decoding).to.include({ mode: "sample", temperatureMilli: 700, topPMilli: 900 });
  });

  it("submit: 2 RGL per 1,000 tokens is 2·10^15 wei per token on-chain, units per shard are the token bound", async () => {
    const { p, run } = await setup();
    const before = await p.rgl.balanceOf(p.admin.address);
    const { code, out } = await run([
      "submit",
      ...llmFlags(),
      "--shards",
      "2",
      "--max-price-per-1k-tokens",
      "2", // RGL: amounts are whole tokens by default
      "--yes",
      "--json",
    ]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(out.results[0]);
    expect(r.maxPricePerUnit).to.equal(String(2n * 10n ** 15n));
    expect(r.maxPricePer1kTokens).to.equal(String(PER_1K));
    const job = await p.market.getJob(BigInt(r.jobId));
    expect(job.kind).to.equal(BigInt(JobKind.LlmInference));
    expect(job.verificationMode).to.equal(BigInt(VerificationMode.Activations));
    expect(job.maxPricePerUnit).to.equal(2n * 10n ** 15n);
    // Shard 0: "a" (1 + 4) + the long prompt (30 + 4) = 39; shard 1: "é" (2 + 4) + "xyz" (3 + 4) = 13.
    expect(job.maxUnitsPerShard).to.equal(39n);
    expect(job.escrow).to.equal(2n * 39n * 2n * 10n ** 15n);
    expect(before - (await p.rgl.balanceOf(p.admin.address))).to.equal(job.escrow);
    const status = await run(["status", String(r.jobId)]);
    expect(status.out.results[0]).to.include("max 39 tokens per shard at 2 RGL per 1,000 tokens");
  });

  it("submit --plan: each planned shard escrows its own prompts' token bound, not the heaviest prompt's repeated", async () => {
    const { p, run } = await setup();
    const { code, out } = await run([
      "submit",
      ...llmFlags(),
      "--plan",
      "--budget",
      "1",
      "--max-price-per-1k-tokens",
      "2", // RGL: amounts are whole tokens by default
      "--yes",
      "--json",
    ]);
    expect(code, out.errors.join("\n")).to.equal(0);
    const r = JSON.parse(out.results[0]);
    const jobId = BigInt(r.jobId);
    const job = await p.market.getJob(jobId);
    const ev = (await p.market.queryFilter(p.market.filters.JobCreated(jobId)))[0];
    const spec = (await fetchJobSpec(ev.args.specURI, ev.args.specHash as `0x${string}`)).spec as LlmInferenceSpec;
    const shards = Number(job.shards);
    const bounds = Array.from({ length: shards }, (_, s) => llmRangeMaxUnits(spec, llmShardItems(spec, shards, s)));
    const largest = bounds.reduce((m, b) => (b > m ? b : m), 0n);
    expect(job.maxUnitsPerShard).to.equal(largest);
    // The planner weighs every prompt as the heaviest (34 tokens): its largest shard would escrow more.
    const heaviest = llmItemMaxUnits(PROMPTS[1], MAX_NEW);
    const mostItems = Math.max(...(spec.split ?? [PROMPTS.length]));
    expect(largest < heaviest * BigInt(mostItems) || mostItems === 1).to.equal(true);
    expect(job.escrow).to.equal(BigInt(shards) * largest * 2n * 10n ** 15n);
  });

  it("refuses a price per 1,000 tokens that is not whole wei per token, or on a job that is not llm-inference", async () => {
    const { p, run } = await setup();
    const bad = await run(["submit", ...llmFlags(), "--max-price-per-1k-tokens", "1001wei", "--yes"]);
    expect(bad.code).to.equal(2);
    expect(bad.out.errors.join("\n")).to.match(/not a whole number of base units per token/);
    const specFile = path.join(dir, "matmul.json");
    fs.writeFileSync(specFile, JSON.stringify({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 8, n: 8, k: 8 }));
    const wrongKind = await run(["submit", specFile, "--max-price-per-1k-tokens", "1000wei", "--yes"]);
    expect(wrongKind.code).to.equal(2);
    expect(wrongKind.out.errors.join("\n")).to.match(/for llm-inference jobs/);
    const both = await run(["submit", specFile, ...llmFlags(), "--max-price", "1", "--yes"]);
    expect(both.code).to.equal(2);
    expect(await p.market.jobCount()).to.equal(0n);
  });
});

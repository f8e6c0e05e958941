import { expect } from "chai";
import { ethers } from "ethers";
import { jobParamsForSpec } from "../../../sdk/market/jobParamsForSpec";
import { JobKind, VerificationMode } from "../../../sdk/market/enums";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import type { LlmInferenceSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { llmItemMaxUnits, llmRangeMaxUnits, llmShardItems, shardWorkRange } from "../../../sdk/spec/shardWork";
import { validateJobSpec } from "../../../sdk/spec/validateJobSpec";

const HASH = `0x${"ab".repeat(32)}` as const;
const file = (name: string, byte: string) => ({ uri: `file:///models/tiny/${name}`, sha256: byte.repeat(32) });
const MODEL = {
  config: file("config.json", "01"),
  weights: file("model.safetensors", "02"),
  vocab: file("vocab.json", "03"),
  merges: file("merges.txt", "04"),
};
const hex = (byte: string) => `0x${byte.repeat(32)}`;

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = validateJobSpec(input);
  if (result.ok) throw new Error("expected the spec to be invalid");
  return result.issues;
}

describe("sdk/spec: llm-inference specs (PROTOCOL §19.1)", () => {
  it("fills in the defaults (gpt2, greedy, activations) and normalises the model hashes", () => {
    expect(parseJobSpec({ kind: "llm-inference", model: MODEL, items: ["Hello"], maxNewTokens: 8 })).to.deep.equal({
      kind: "llm-inference",
      version: 1,
      model: {
        architecture: "gpt2",
        config: { uri: MODEL.config.uri, sha256: hex("01") },
        weights: { uri: MODEL.weights.uri, sha256: hex("02") },
        vocab: { uri: MODEL.vocab.uri, sha256: hex("03") },
        merges: { uri: MODEL.merges.uri, sha256: hex("04") },
      },
      items: ["Hello"],
      maxNewTokens: 8,
      decoding: { mode: "greedy" },
      verification: "activations",
    });
  });

  it("keeps sampling settings, split and uploadUrl", () => {
    const spec = parseJobSpec({
      kind: "llm-inference",
      model: { architecture: "gpt2", ...MODEL },
      items: ["a", "b", "c"],
      maxNewTokens: 4096,
      decoding: { mode: "sample", temperatureMilli: 700, topPMilli: 950, seed: "AB".repeat(32) },
      verification: "activations",
      split: [1, 2],
      uploadUrl: "http://127.0.0.1:9000/up",
    }) as LlmInferenceSpec;
    expect(spec.decoding).to.deep.equal({ mode: "sample", temperatureMilli: 700, topPMilli: 950, seed: HASH });
    expect(spec.split).to.deep.equal([1, 2]);
    expect(spec.uploadUrl).to.equal("http://127.0.0.1:9000/up");
  });

  it("reports every problem at once, each with its path", () => {
    const issues = issuesOf({
      kind: "llm-inference",
      model: {
        architecture: "llama",
        config: { uri: "ftp://x/config.json", sha256: "zz" },
        weights: "w",
        vocab: { uri: "file:///v", sha256: HASH, size: 3 },
        extra: 1,
      },
      items: ["ok", "", 7, "é".repeat(8 * 1024 + 1)],
      maxNewTokens: 4097,
      decoding: { mode: "sample", temperatureMilli: 0, topPMilli: 1001, top: 1 },
      verification: "sampled",
      split: [1, 1],
      colour: "blue",
    });
    expect(issues.map((i) => i.path)).to.have.members([
      "colour",
      "model.extra",
      "model.architecture",
      "model.config.uri",
      "model.config.sha256",
      "model.weights",
      "model.vocab.size",
      "model.merges",
      "items[1]",
      "items[2]",
      "items[3]",
      "maxNewTokens",
      "decoding.top",
      "decoding.temperatureMilli",
      "decoding.topPMilli",
      "decoding.seed",
      "verification",
      "split",
    ]);
    expect(issues).to.deep.include({ path: "items[3]", message: "must be at most 16384 bytes of UTF-8" });
    expect(issues).to.deep.include({ path: "model.merges", message: "is required" });
    expect(issues).to.deep.include({ path: "verification", message: 'must be one of "activations"' });
  });

  it("counts a prompt's size in UTF-8 bytes: 16 KiB exactly passes, one byte more does not", () => {
    const base = { kind: "llm-inference", model: MODEL, maxNewTokens: 1 };
    expect(() => parseJobSpec({ ...base, items: ["é".repeat(8 * 1024)] })).to.not.throw();
    expect(issuesOf({ ...base, items: ["é".repeat(8 * 1024) + "x"] })).to.deep.equal([
      { path: "items[0]", message: "must be at most 16384 bytes of UTF-8" },
    ]);
  });

  it("requires model, items and maxNewTokens; refuses greedy with sampling fields and empty or oversized item lists", () => {
    expect(issuesOf({ kind: "llm-inference" })).to.deep.equal([
      { path: "model", message: "is required" },
      { path: "items", message: "is required" },
      { path: "maxNewTokens", message: "is required" },
    ]);
    const base = { kind: "llm-inference", model: MODEL, maxNewTokens: 1 };
    expect(issuesOf({ ...base, items: [] })[0].path).to.equal("items");
    expect(issuesOf({ ...base, items: new Array(4097).fill("x") })[0].path).to.equal("items");
    expect(issuesOf({ ...base, items: ["x"], decoding: { mode: "greedy", seed: HASH } })).to.deep.equal([
      { path: "decoding.seed", message: "is not a known field" },
    ]);
    expect(issuesOf({ ...base, items: ["x"], decoding: { mode: "beam" } })).to.deep.equal([
      { path: "decoding.mode", message: 'must be one of "greedy", "sample"' },
    ]);
  });

  it("has one canonical form and hash whatever the key order, hex case or defaults left implicit", () => {
    const a = parseJobSpec({ kind: "llm-inference", model: MODEL, items: ["Hi", "there"], maxNewTokens: 3 });
    const b = parseJobSpec({
      verification: "activations",
      decoding: { mode: "greedy" },
      maxNewTokens: 3,
      items: ["Hi", "there"],
      model: {
        merges: { sha256: hex("04"), uri: MODEL.merges.uri },
        vocab: MODEL.vocab,
        weights: { sha256: `0x${"02".repeat(32)}`, uri: MODEL.weights.uri },
        config: MODEL.config,
        architecture: "gpt2",
      },
      version: 1,
      kind: "llm-inference",
    });
    const { canonical, hash } = hashJobSpec(a);
    expect(hashJobSpec(b).hash).to.equal(hash);
    expect(hash).to.equal(ethers.keccak256(ethers.toUtf8Bytes(canonical)));
    expect(canonical).to.equal(
      `{"decoding":{"mode":"greedy"},"items":["Hi","there"],"kind":"llm-inference","maxNewTokens":3,"model":{` +
        `"architecture":"gpt2","config":{"sha256":"${hex("01")}","uri":"${MODEL.config.uri}"},` +
        `"merges":{"sha256":"${hex("04")}","uri":"${MODEL.merges.uri}"},` +
        `"vocab":{"sha256":"${hex("03")}","uri":"${MODEL.vocab.uri}"},` +
        `"weights":{"sha256":"${hex("02")}","uri":"${MODEL.weights.uri}"}},"verification":"activations","version":1}`,
    );
    expect(parseJobSpec(canonical)).to.deep.equal(a);
    const other = parseJobSpec({ kind: "llm-inference", model: MODEL, items: ["Hi", "there"], maxNewTokens: 4 });
    expect(hashJobSpec(other).hash).to.not.equal(hash);
  });

  describe("shards and units", () => {
    const spec = parseJobSpec({
      kind: "llm-inference",
      model: MODEL,
      items: ["a", "héllo", "xyz", "12345678"],
      maxNewTokens: 10,
    }) as LlmInferenceSpec;

    it("splits items like a container job: even, or by the spec's split", () => {
      expect(llmShardItems(spec, 2, 0)).to.deep.equal({ start: 0, end: 2 });
      expect(shardWorkRange(spec, 2, 1)).to.deep.equal({ start: 2, end: 4 });
      const uneven = { ...spec, split: [3, 1] };
      expect(llmShardItems(uneven, 2, 0)).to.deep.equal({ start: 0, end: 3 });
      expect(() => llmShardItems(uneven, 3, 0)).to.throw("splits its work into 2 shards");
    });

    it("bounds a prompt's tokens by its UTF-8 bytes (a byte-level BPE token is at least one byte)", () => {
      expect(llmItemMaxUnits("héllo", 10)).to.equal(16n); // 6 bytes + 10
      expect(llmRangeMaxUnits(spec, { start: 0, end: 2 })).to.equal(1n + 10n + 6n + 10n);
      expect(llmRangeMaxUnits(spec, { start: 2, end: 4 })).to.equal(3n + 10n + 8n + 10n);
    });

    it("jobParamsForSpec: kind LlmInference, mode Activations, maxUnitsPerShard = the largest shard's bound", () => {
      const { params, escrow } = jobParamsForSpec({
        spec,
        shards: 2,
        paymentToken: "0x0000000000000000000000000000000000000001",
        maxPricePerUnit: 5n,
        deadline: 1000n,
      });
      expect(params.kind).to.equal(JobKind.LlmInference);
      expect(params.verificationMode).to.equal(VerificationMode.Activations);
      expect(params.maxUnitsPerShard).to.equal(31n);
      expect(escrow).to.equal(2n * 31n * 5n);
      expect(params.specHash).to.equal(hashJobSpec(spec).hash);
    });
  });
});

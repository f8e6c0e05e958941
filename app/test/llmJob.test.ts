import { describe, expect, it } from "vitest";
import { JobKind, VerificationMode } from "../../sdk/market/enums";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { buildJob, JobFormError, type JobForm } from "../src/lib/buildJob";
import { EMPTY_MODEL, pricePerTokenOfForm, type LlmForm } from "../src/lib/llmJobForm";
import { modelFromFolder } from "../src/lib/modelFromFolder";
import { plannedJob } from "../src/lib/plannedJob";
import { specOfJob } from "../src/lib/specOfJob";

const H = (c: string) => `0x${c.repeat(64)}`;
const LLM: LlmForm = {
  prompts: "Hello\nThe cat",
  model: {
    config: { uri: "http://models.test/m/config.json", sha256: H("1") },
    weights: { uri: "http://models.test/m/model.safetensors", sha256: H("2") },
    vocab: { uri: "http://models.test/m/vocab.json", sha256: H("3") },
    merges: { uri: "http://models.test/m/merges.txt", sha256: H("4") },
  },
  maxNewTokens: "8",
  decoding: "greedy",
  temperature: "0.8",
  topP: "0.95",
  sampleSeed: H("a"),
  pricePer1kTokens: "2",
};
const FORM: JobForm = {
  kind: "llm-inference",
  seed: "",
  m: "",
  n: "",
  k: "",
  image: "",
  command: "",
  items: "",
  gpuSecondsPerShard: "",
  shards: "2",
  maxPricePerUnit: "",
  deadlineMinutes: "10",
  minVramMiB: "0",
  minOpsPerSec: "0",
  llm: LLM,
};
const TOKEN = "0x0000000000000000000000000000000000000001";

describe("llm-inference job form", () => {
  it("builds the spec, prices 2 RGL per 1,000 tokens at 2·10^15 wei per token, and bounds tokens per shard", () => {
    const job = buildJob(FORM, 100n);
    expect(job.spec).toMatchObject({
      kind: "llm-inference",
      items: ["Hello", "The cat"],
      maxNewTokens: 8,
      decoding: { mode: "greedy" },
      verification: "activations",
    });
    expect(job.promptsFormat).toBe("plain-lines");
    expect(job.maxPricePerUnit).toBe(2_000_000_000_000_000n);
    // Shard 0 holds "Hello" (5 bytes + 8), shard 1 "The cat" (7 bytes + 8): the largest is 15 tokens.
    expect(job.shards).toBe(2);
    expect(job.unitsPerShard).toBe(15n);
    expect(job.escrow).toBe(2n * 15n * 2_000_000_000_000_000n);
    expect(job.specHash).toBe(hashJobSpec(job.spec).hash);
  });

  it("reads JSON-string prompts, keeps sampling settings in thousandths, and round-trips through the data: URI", () => {
    const job = buildJob(
      {
        ...FORM,
        llm: { ...LLM, prompts: '"naïve\\nline"\n"🚀"', decoding: "sample", temperature: "0.8", topP: "0.95" },
      },
      0n,
    );
    expect(job.promptsFormat).toBe("json-lines");
    expect(job.spec.kind === "llm-inference" && job.spec.items).toEqual(["naïve\nline", "🚀"]);
    expect(job.spec.kind === "llm-inference" && job.spec.decoding).toEqual({
      mode: "sample",
      temperatureMilli: 800,
      topPMilli: 950,
      seed: H("a"),
    });
    // "naïve\nline" is 11 UTF-8 bytes, "🚀" 4: bounds 19 and 12 tokens.
    expect(job.unitsPerShard).toBe(19n);
    expect(specOfJob(job.specURI)).toEqual(job.spec);
  });

  it("makes the on-chain job: kind LlmInference, Activations, the planned split's exact token bound", () => {
    const built = buildJob(FORM, 0n);
    // A plan that weighs items the same (mean bound 15 → 15 units per item) still gets the exact bound per shard.
    const plan = {
      split: [1, 1],
      maxUnitsPerShard: 14n,
      shards: [
        { operator: "0x0000000000000000000000000000000000000a0a" },
        { operator: "0x0000000000000000000000000000000000000b0b" },
      ],
    } as never;
    const job = plannedJob(built, plan, TOKEN);
    expect(job.params).toMatchObject({
      kind: JobKind.LlmInference,
      verificationMode: VerificationMode.Activations,
      shards: 2,
      maxUnitsPerShard: 15n,
      maxPricePerUnit: 2_000_000_000_000_000n,
    });
    expect(job.escrow).toBe(2n * 15n * 2_000_000_000_000_000n);
  });

  it("reports every problem at once, a price that is not whole wei per token included", () => {
    try {
      buildJob(
        { ...FORM, llm: { ...LLM, prompts: " \n", maxNewTokens: "0", pricePer1kTokens: "0.0000000000000001" } },
        0n,
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JobFormError);
      expect((err as JobFormError).problems).toEqual(
        expect.arrayContaining([
          "prompts: give at least one",
          "max new tokens must be a whole number ≥ 1",
          "price per 1,000 tokens must have at most 15 decimals (a whole number of wei per token)",
        ]),
      );
    }
    try {
      buildJob({ ...FORM, llm: { ...LLM, model: EMPTY_MODEL } }, 0n);
      expect.unreachable();
    } catch (err) {
      expect((err as JobFormError).problems.some((p) => p.includes("model"))).toBe(true);
    }
  });

  it("converts prices per 1,000 tokens exactly", () => {
    const problems: string[] = [];
    expect(pricePerTokenOfForm("1.1", problems)).toBe(1_100_000_000_000_000n);
    expect(pricePerTokenOfForm("0.000000000000001", problems)).toBe(1n);
    expect(pricePerTokenOfForm("123456789.123456789", problems)).toBe(123_456_789_123_456_789_000_000n);
    expect(problems).toEqual([]);
    pricePerTokenOfForm("abc", problems);
    pricePerTokenOfForm("0", problems);
    expect(problems).toEqual([
      "price per 1,000 tokens must be a number of RGL",
      "price per 1,000 tokens must be above 0",
    ]);
  });

  it("fills the four model inputs from a served folder, hashing each file with WebCrypto", async () => {
    const served: Record<string, string> = {
      "http://models.test/m/config.json": "{}",
      "http://models.test/m/model.safetensors": "weights",
      "http://models.test/m/vocab.json": "{}",
      "http://models.test/m/merges.txt": "#version: 0.2\n",
    };
    const fetchFn = (async (uri: string) =>
      served[uri] !== undefined ? new Response(served[uri]) : new Response("", { status: 404 })) as typeof fetch;
    const model = await modelFromFolder("http://models.test/m", fetchFn);
    expect(model.weights).toEqual({
      uri: "http://models.test/m/model.safetensors",
      // sha256("weights")
      sha256: "0x9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c",
    });
    expect(Object.keys(model)).toEqual(["config", "weights", "vocab", "merges"]);
    await expect(modelFromFolder("http://models.test/other/", fetchFn)).rejects.toThrow(/answered HTTP 404/);
  });
});

import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { keccak256, toHex, type Hex } from "viem";
import { runLlmShard } from "../../agent/work/llmShard";
import { ExecutorUnavailableError } from "../../oracle/verify/executorUnavailableError";
import { verifyLlmItems, type VerifyLlmItemsParameters } from "../../oracle/verify/verifyLlmItems";
import { HttpError } from "../../sdk/errors/HttpError";
import { revealItemSample } from "../../sdk/itemSample/revealItemSample";
import { LLM_OUTPUT_FILE } from "../../sdk/llm/llmItemHash";
import type { RevealedLlmItemJson } from "../../sdk/oracleApi/types";
import type { LlmInferenceSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { llmRangeMaxUnits } from "../../sdk/spec/shardWork";
import { makeTestModel } from "../sdk/llm/makeTestModel";

const PROMPTS = ["Hello world", "The quick brown fox", "abc", "Rigel verifies inference", "one two three"];
const BEACON = keccak256(toHex("beacon"));

/** A fake runtime for the outcomes the real one only gives on a broken host: exit code and stdout from env. */
const FAKE = `import os, sys, time
time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
sys.stdout.write(os.environ.get("FAKE_STDOUT", ""))
sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
`;

describe("oracle/verify/verifyLlmItems (PROTOCOL §19.6)", function () {
  this.timeout(120_000);
  let dir: string;
  let spec: LlmInferenceSpec;
  let honest: { itemHashes: Hex[]; root: Hex; outDir: string };
  let cheat: { itemHashes: Hex[]; root: Hex; outDir: string };
  let fake: string;

  async function generate(name: string, cheaperModel: boolean) {
    const work = path.join(dir, name);
    const out = path.join(work, "items");
    const r = await runLlmShard({
      spec,
      items: { start: 0, end: PROMPTS.length },
      workDir: work,
      cacheDir: path.join(dir, "agent-cache"),
      itemOutputDir: (i) => path.join(out, String(i)),
      timeoutMs: 60_000,
      cheaperModel,
    });
    return { itemHashes: r.itemHashes, root: r.root, outDir: out, units: r.units };
  }

  const revealed = (shard: { itemHashes: Hex[]; outDir: string }): RevealedLlmItemJson[] =>
    revealItemSample({ itemHashes: shard.itemHashes, beacon: BEACON }).map((item) => ({
      ...item,
      output: fs.readFileSync(path.join(shard.outDir, String(item.index), LLM_OUTPUT_FILE)).toString("base64"),
    }));

  const params = (over: Partial<VerifyLlmItemsParameters> = {}): VerifyLlmItemsParameters => {
    const work = fs.mkdtempSync(path.join(dir, "verify-"));
    return {
      spec,
      shards: 1,
      shard: 0,
      root: honest.root,
      beacon: BEACON,
      items: revealed(honest),
      workDir: work,
      cacheDir: path.join(dir, "oracle-cache"),
      timeoutMs: 60_000,
      gate: (work) => work(),
      ...over,
    };
  };

  const unavailable = async (p: VerifyLlmItemsParameters, message: RegExp) => {
    let err: unknown;
    try {
      await verifyLlmItems(p);
    } catch (e) {
      err = e;
    }
    expect(err, String(err)).to.be.instanceOf(ExecutorUnavailableError);
    expect((err as ExecutorUnavailableError).status).to.equal(503);
    expect((err as ExecutorUnavailableError).code).to.equal("ORACLE_EXECUTOR_UNAVAILABLE");
    expect((err as Error).message).to.match(message);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-llm-verify-"));
    const model = makeTestModel(path.join(dir, "model"));
    spec = parseJobSpec({ kind: "llm-inference", model, items: PROMPTS, maxNewTokens: 6 }) as LlmInferenceSpec;
    honest = await generate("honest", false);
    cheat = await generate("cheat", true);
    fake = path.join(dir, "fake_infer.py");
    fs.writeFileSync(fake, FAKE);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("Valid for an honest shard, worth at most its token bound", async () => {
    const finding = await verifyLlmItems(params());
    expect(finding).to.deep.equal({
      verdict: "valid",
      reason: "verified",
      verified: true,
      workUnits: llmRangeMaxUnits(spec, { start: 0, end: PROMPTS.length }),
    });
  });

  it("sampled decoding: the spec's temperature, top-p and seed reach both runtimes (Valid), and a shard generated from another seed is Invalid", async () => {
    const sample = (seed: string) =>
      ({
        ...spec,
        decoding: { mode: "sample", temperatureMilli: 800, topPMilli: 900, seed: `0x${seed.repeat(64)}` },
      }) as LlmInferenceSpec;
    const generated = async (s: LlmInferenceSpec, name: string) => {
      const work = path.join(dir, name);
      const out = path.join(work, "items");
      const r = await runLlmShard({
        spec: s,
        items: { start: 0, end: PROMPTS.length },
        workDir: work,
        cacheDir: path.join(dir, "agent-cache"),
        itemOutputDir: (i) => path.join(out, String(i)),
        timeoutMs: 60_000,
      });
      return { itemHashes: r.itemHashes, root: r.root, outDir: out };
    };
    const honestSample = await generated(sample("5"), "sample-5");
    const ok = await verifyLlmItems(
      params({ spec: sample("5"), root: honestSample.root, items: revealed(honestSample) }),
    );
    expect(ok.verdict, ok.reason).to.equal("valid");
    const otherSeed = await generated(sample("6"), "sample-6");
    const bad = await verifyLlmItems(params({ spec: sample("5"), root: otherSeed.root, items: revealed(otherSeed) }));
    expect(bad.verdict).to.equal("invalid");
    expect(bad.reason).to.match(/^ACTIVATIONS_MISMATCH: item \d+: /);
  });

  it("Invalid for a shard generated with half the layers (devCheat cheaper-model): the runtime's reason", async () => {
    const finding = await verifyLlmItems(params({ root: cheat.root, items: revealed(cheat) }));
    expect(finding.verdict).to.equal("invalid");
    expect(finding.reason).to.match(/^ACTIVATIONS_MISMATCH: item \d+: /);
  });

  it("Invalid when a revealed output.json does not hash to its leaf (the operator cannot open its own root)", async () => {
    const items = revealed(honest);
    items[1] = { ...items[1], output: Buffer.from('{"version":1}').toString("base64") };
    const finding = await verifyLlmItems(params({ items }));
    expect(finding.verdict).to.equal("invalid");
    expect(finding.reason).to.match(
      new RegExp(`^ITEM_OUTPUT_MISMATCH: the revealed output.json of item ${items[1].index} `),
    );
  });

  it("Invalid when a leaf is not in the submitted root; 400 (nothing signed) when the items are not the beacon's sample", async () => {
    const finding = await verifyLlmItems(params({ root: cheat.root }));
    expect(finding.verdict).to.equal("invalid");
    expect(finding.reason).to.match(/^ITEM_BAD_PROOF/);
    let err: unknown;
    try {
      await verifyLlmItems(params({ items: revealed(honest).slice(1) }));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(HttpError);
    expect((err as HttpError).status).to.equal(400);
    expect((err as HttpError).code).to.equal("ORACLE_SAMPLE_MISMATCH");
  });

  it("defers (503, never Invalid) when the runtime cannot run: no such python, exit 2, a timeout, a kill", async () => {
    await unavailable(params({ pythonPath: path.join(dir, "no-python") }), /cannot start here/);
    const withEnv = (env: Record<string, string>, over: Partial<VerifyLlmItemsParameters> = {}) =>
      params({
        script: fake,
        run: (p) => {
          Object.assign(process.env, env);
          return import("../../sdk/llm/runInfer")
            .then((m) => m.runInfer(p))
            .finally(() => {
              for (const k of Object.keys(env)) delete process.env[k];
            });
        },
        ...over,
      });
    await unavailable(
      withEnv({ FAKE_EXIT: "2", FAKE_STDOUT: '{"valid": false, "reason": "could not verify: x", "items": []}' }),
      /exit 2/,
    );
    await unavailable(withEnv({ FAKE_SLEEP: "5" }, { timeoutMs: 300 }), /timed out after 300 ms/);
    await unavailable(withEnv({ FAKE_EXIT: "137" }), /exit 137/);
  });

  it("defers when exit code and answer disagree or the answer is not the runtime's JSON (not evidence)", async () => {
    const run =
      (exit: string, stdout: string): VerifyLlmItemsParameters["run"] =>
      (p) => {
        process.env.FAKE_EXIT = exit;
        process.env.FAKE_STDOUT = stdout;
        return import("../../sdk/llm/runInfer")
          .then((m) => m.runInfer(p))
          .finally(() => {
            delete process.env.FAKE_EXIT;
            delete process.env.FAKE_STDOUT;
          });
      };
    await unavailable(
      params({ script: fake, run: run("1", '{"valid": true, "reason": null, "items": []}') }),
      /not the runtime's JSON/,
    );
    await unavailable(params({ script: fake, run: run("0", "garbage") }), /not the runtime's JSON/);
    const invalid = await verifyLlmItems(
      params({
        script: fake,
        run: run(
          "1",
          '{"valid": false, "reason": "r", "items": [{"index": 2, "valid": false, "reason": "fingerprint top-k overlap 0.1 < 0.75"}]}',
        ),
      }),
    );
    expect(invalid).to.deep.equal({
      verdict: "invalid",
      reason: "ACTIVATIONS_MISMATCH: item 2: fingerprint top-k overlap 0.1 < 0.75",
      verified: true,
    });
  });

  it("defers when a model file cannot be fetched or does not match its hash", async () => {
    const bad = {
      ...spec,
      model: { ...spec.model, weights: { ...spec.model.weights, sha256: `0x${"00".repeat(32)}` as Hex } },
    };
    await unavailable(
      params({ spec: bad, cacheDir: path.join(dir, "fresh-cache") }),
      /the model cannot be fetched here/,
    );
  });
});

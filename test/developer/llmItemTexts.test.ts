import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DownloadJobResultsReturnType } from "../../developer/downloadJobResults";
import { llmItemTexts } from "../../developer/llmItemTexts";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import type { LlmInferenceSpec } from "../../sdk/spec/jobSpecTypes";

const H = (c: string) => `0x${c.repeat(64)}`;
const file = (name: string, c: string) => ({ uri: `file:///m/${name}`, sha256: H(c) });

describe("rigel job results: llm-inference item texts (developer/llmItemTexts)", () => {
  it("reads each downloaded shard's output.json by local index, pairs it with its prompt and writes texts.jsonl", async () => {
    const spec = parseJobSpec({
      kind: "llm-inference",
      model: {
        architecture: "gpt2",
        config: file("config.json", "1"),
        weights: file("model.safetensors", "2"),
        vocab: file("vocab.json", "3"),
        merges: file("merges.txt", "4"),
      },
      items: ["p0", "p1", "p2"],
      maxNewTokens: 4,
      decoding: { mode: "greedy" },
      split: [1, 2],
    }) as LlmInferenceSpec;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-llm-texts-"));
    try {
      const write = (shard: number, local: number, text: string) => {
        const d = path.join(dir, `shard-${shard}`, "items", String(local));
        fs.mkdirSync(d, { recursive: true });
        const out = { version: 1, promptTokens: [1, 2], generatedTokens: [3, 4, 5], text, finishReason: "length" };
        fs.writeFileSync(path.join(d, "output.json"), JSON.stringify(out));
      };
      write(0, 0, "zero");
      write(1, 0, "one");
      write(1, 1, "two");
      const ok = (shard: number) => ({
        shard,
        state: "Settled",
        ok: true as const,
        operator: H("a").slice(0, 42) as `0x${string}`,
        resultURI: "http://agent/v1/results/1/" + shard,
        root: H("b") as `0x${string}`,
        rootOk: true as const,
        source: "operator" as const,
        sourceUri: "http://agent/v1/results/1/" + shard,
        dir: path.join(dir, `shard-${shard}`),
        files: [],
        bytes: 0,
      });
      const results: DownloadJobResultsReturnType = { jobId: 1n, dir, ok: true, shards: [ok(1), ok(0)] };
      const items = await llmItemTexts(spec, 2, results);
      expect(items.map((i) => [i.index, i.shard, i.prompt, i.text])).to.deep.equal([
        [0, 0, "p0", "zero"],
        [1, 1, "p1", "one"],
        [2, 1, "p2", "two"],
      ]);
      expect(items[0]).to.include({ promptTokens: 2, generatedTokens: 3, finishReason: "length" });
      const lines = fs
        .readFileSync(path.join(dir, "texts.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).to.deep.equal(JSON.parse(JSON.stringify(items)));
      // A shard that failed to download contributes nothing.
      const partial = await llmItemTexts(spec, 2, {
        ...results,
        shards: [
          ok(0),
          { shard: 1, state: "Failed", ok: false, error: { code: "RIGEL_RESULTS_FAILED", message: "x" } },
        ],
      });
      expect(partial.map((i) => i.index)).to.deep.equal([0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

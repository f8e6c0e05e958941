import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { PlannerInputError } from "../../../sdk/planner/errors";
import { plannerJobForSpec, specWithPlan } from "../../../sdk/planner/plannerJobForSpec";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

const SEED = `0x${"55".repeat(32)}`;
const BASE = { objective: "fastest" as const, budget: 10n, maxPricePerUnit: 1n, maxShards: 4, vramMiB: 0, now: 0 };

describe("sdk/planner/plannerJobForSpec", () => {
  it("matmul: rows of the spec's range, 2·n·k ops per row, metered in 10^9 multiply-adds", () => {
    const spec = parseJobSpec({ kind: "matmul-int8", seed: SEED, m: 100, n: 8, k: 16, rowStart: 10, rowEnd: 40 });
    const job = plannerJobForSpec({ ...BASE, spec });
    expect(job.totalWork).to.equal(30);
    expect(job.opsPerItem).to.equal(256);
    expect(job.metering).to.deep.equal({ kind: "work", workPerItem: 128n, workPerUnit: 10n ** 9n });
  });

  it("container: items, seconds per item on a reference GPU, metered in GPU-seconds", () => {
    const spec = parseJobSpec({ kind: "container", image: "rigel/busybox:test", items: [1, 2, 3] });
    const job = plannerJobForSpec({ ...BASE, spec, itemSeconds: 2, referenceOpsPerSec: 1e12 });
    expect([job.totalWork, job.opsPerItem, job.metering.kind]).to.deep.equal([3, 2e12, "time"]);
    expect(() => plannerJobForSpec({ ...BASE, spec })).to.throw(PlannerInputError, /itemSeconds/);
    const single = parseJobSpec({ kind: "container", image: "rigel/busybox:test" });
    expect(() => plannerJobForSpec({ ...BASE, spec: single })).to.throw(PlannerInputError, /nothing to split/);
  });

  it("llm-inference: prompts, each weighted as the heaviest item's token bound, metered in tokens", () => {
    const file = { uri: "file:///m/x", sha256: SEED };
    const spec = parseJobSpec({
      kind: "llm-inference",
      model: { config: file, weights: file, vocab: file, merges: file },
      items: ["a", "héllo", "xyz"],
      maxNewTokens: 10,
    });
    const job = plannerJobForSpec({ ...BASE, spec, opsPerToken: 1000 });
    // The heaviest item is "héllo": 6 UTF-8 bytes + 10 new tokens = 16 tokens at most.
    expect(job.totalWork).to.equal(3);
    expect(job.opsPerItem).to.equal(16_000);
    expect(job.metering).to.deep.equal({ kind: "work", workPerItem: 16n, workPerUnit: 1n });
    expect(plannerJobForSpec({ ...BASE, spec }).opsPerItem).to.equal(16 * 2.5e8);
  });

  it("the spec's requirements.gpuModels become the planner's hard filter; the caller's list wins", () => {
    const spec = parseJobSpec({
      kind: "container",
      image: "rigel/busybox:test",
      items: [1, 2],
      requirements: { gpuModels: ["H100"] },
    });
    const job = plannerJobForSpec({ ...BASE, spec, itemSeconds: 1, referenceOpsPerSec: 1e12 });
    expect(job.gpuModels).to.deep.equal(["H100"]);
    expect(
      plannerJobForSpec({ ...BASE, spec, itemSeconds: 1, referenceOpsPerSec: 1e12, gpuModels: ["A100"] }).gpuModels,
    ).to.deep.equal(["A100"]);
    const plain = parseJobSpec({ kind: "container", image: "rigel/busybox:test", items: [1] });
    expect(plannerJobForSpec({ ...BASE, spec: plain, itemSeconds: 1, referenceOpsPerSec: 1e12 })).to.not.have.property(
      "gpuModels",
    );
  });

  it("specWithPlan writes the split (a new spec hash) and drops it for one shard", () => {
    const spec = parseJobSpec({ kind: "matmul-int8", seed: SEED, m: 10, n: 2, k: 2 });
    const split = parseJobSpec(specWithPlan(spec, { split: [7, 3] }));
    expect(split).to.deep.include({ split: [7, 3] });
    expect(hashJobSpec(split).hash).to.not.equal(hashJobSpec(spec).hash);
    expect(specWithPlan(split, { split: [10] })).to.deep.equal(spec);
  });

  it("imports nothing Node-only, so the app can plan in the browser", () => {
    const dir = path.join(__dirname, "..", "..", "..", "sdk", "planner");
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      expect(text, file).to.not.match(/from "node:|require\(|from "(fs|path|os|crypto)"/);
      expect(text, file).to.not.match(/contracts\/deployments|contracts"/);
    }
  });
});

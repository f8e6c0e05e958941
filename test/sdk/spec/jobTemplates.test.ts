import { expect } from "chai";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { findJobTemplate, JOB_TEMPLATES } from "../../../sdk/spec/templates/jobTemplates";

describe("sdk/spec/templates", () => {
  it("has a batch container job over items and a model inference job, each a spec that parses", () => {
    expect(JOB_TEMPLATES.map((t) => [t.name, t.spec.kind])).to.deep.equal([
      ["batch-container", "container"],
      ["model-inference", "llm-inference"],
    ]);
    for (const t of JOB_TEMPLATES) {
      const spec = parseJobSpec(t.spec);
      expect(hashJobSpec(spec).hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(t.plan.maxShards).to.be.within(1, 64);
    }
    const batch = parseJobSpec(findJobTemplate("batch-container")!.spec);
    expect(batch.kind === "container" && [batch.image, batch.items?.length, batch.verification]).to.deep.equal([
      "rigel/busybox:test",
      4,
      "sampled",
    ]);
  });

  it("finds a template by name, case and spaces aside", () => {
    expect(findJobTemplate(" Model-Inference ")?.name).to.equal("model-inference");
    expect(findJobTemplate("nope")).to.equal(undefined);
  });
});

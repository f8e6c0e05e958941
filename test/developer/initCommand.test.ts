import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../developer/cli";
import type { CliOutput } from "../../sdk/cli/commands";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";

function capture(): CliOutput & { results: string[]; infos: string[]; errors: string[] } {
  const results: string[] = [];
  const infos: string[] = [];
  const errors: string[] = [];
  return {
    results,
    infos,
    errors,
    result: (t) => results.push(t),
    info: (t) => infos.push(t),
    error: (t) => errors.push(t),
  };
}

describe("rigel job init (developer/initCommand)", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-job-init-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("--list names every template with its kind", async () => {
    const out = capture();
    expect(await main(["init", "--list"], {}, out)).to.equal(0);
    expect(out.results[0]).to.match(/batch-container\s+container\s+Batch container job over items/);
    expect(out.results[0]).to.match(/model-inference\s+llm-inference\s+Model inference/);
    const json = capture();
    await main(["init", "--list", "--json"], {}, json);
    expect(JSON.parse(json.results[0]).map((t: { name: string }) => t.name)).to.deep.equal([
      "batch-container",
      "model-inference",
    ]);
  });

  it("--template NAME --out FILE writes a spec that parses, and says what to do next", async () => {
    const file = path.join(dir, "spec.json");
    const out = capture();
    expect(await main(["init", "--template", "batch-container", "--out", file], {}, out)).to.equal(0);
    const spec = parseJobSpec(fs.readFileSync(file, "utf8"));
    expect(spec.kind === "container" && [spec.image, spec.items]).to.deep.equal([
      "rigel/busybox:test",
      ["alpha", "beta", "gamma", "delta"],
    ]);
    expect(out.results).to.deep.equal([`wrote ${file} (batch-container)`]);
    expect(out.infos.join("\n")).to.contain(
      `next: rigel job plan ${file} --budget 100 --max-price 1 --max-shards 2 --item-seconds 1 --reference-ops 1000000000000`,
    );
    // Never overwritten without --force.
    const again = capture();
    expect(await main(["init", "--template", "batch-container", "--out", file], {}, again)).to.not.equal(0);
    expect(again.errors.join("\n")).to.contain("exists; add --force to overwrite it");
    expect(await main(["init", "--template", "model-inference", "--out", file, "--force"], {}, capture())).to.equal(0);
    expect(parseJobSpec(fs.readFileSync(file, "utf8")).kind).to.equal("llm-inference");
  });

  it("prints the spec without --out, and names the templates when the name is unknown", async () => {
    const out = capture();
    expect(await main(["init", "--template", "model-inference"], {}, out)).to.equal(0);
    expect(parseJobSpec(out.results[0]).kind).to.equal("llm-inference");
    expect(out.infos.join("\n")).to.contain("replace model:");
    const bad = capture();
    expect(await main(["init", "--template", "nope"], {}, bad)).to.not.equal(0);
    expect(bad.errors.join("\n")).to.contain('no template "nope"; there are batch-container, model-inference');
  });
});

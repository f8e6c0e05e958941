import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../../sdk/llm/inferCli";
import { INFER_SCRIPT } from "../../../sdk/llm/runInfer";
import { makeTestModel } from "./makeTestModel";

function capture() {
  const lines = { result: [] as string[], info: [] as string[], error: [] as string[] };
  return {
    lines,
    out: {
      result: (t: string) => lines.result.push(t),
      info: (t: string) => lines.info.push(t),
      error: (t: string) => lines.error.push(t),
    },
  };
}

describe("rigel infer verify (PROTOCOL §19.8)", function () {
  this.timeout(120_000);
  let dir: string;
  const run = async (args: string[]) => {
    const c = capture();
    const code = await main(["verify", ...args], {}, c.out);
    return { code, ...c.lines };
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-infer-cli-"));
    makeTestModel(path.join(dir, "model"));
    fs.writeFileSync(path.join(dir, "prompts.jsonl"), '"Hello world"\n"The quick brown fox"\n');
    const generate = (out: string, extra: string[] = []) =>
      execFileSync(
        "python3",
        [
          INFER_SCRIPT,
          "generate",
          "--model",
          path.join(dir, "model"),
          "--prompts",
          path.join(dir, "prompts.jsonl"),
          "--out",
          path.join(dir, out),
          "--max-new-tokens",
          "6",
          ...extra,
        ],
        { stdio: "pipe" },
      );
    generate("honest");
    generate("cheat", ["--layers", "1"]);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const common = (result: string) => [
    "--model",
    path.join(dir, "model"),
    "--prompts",
    path.join(dir, "prompts.jsonl"),
    "--result",
    path.join(dir, result),
    "--max-new-tokens",
    "6",
  ];

  it("prints the runtime's JSON and exits 0 for an honest generation", async () => {
    const r = await run(common("honest"));
    expect(r.code).to.equal(0);
    const answer = JSON.parse(r.result.join("\n")) as { valid: boolean; items: { valid: boolean }[] };
    expect(answer.valid).to.equal(true);
    expect(answer.items.map((i) => i.valid)).to.deep.equal([true, true]);
  });

  it("exits 1 with the reason for a generation by a cheaper model", async () => {
    const r = await run(common("cheat"));
    expect(r.code).to.equal(1);
    const answer = JSON.parse(r.result.join("\n")) as { valid: boolean; reason: string };
    expect(answer.valid).to.equal(false);
    expect(answer.reason).to.match(/^item \d+: /);
  });

  it("exits 2 when it could not verify (no such python), and on missing flags", async () => {
    const r = await run([...common("honest"), "--python", path.join(dir, "no-python")]);
    expect(r.code).to.equal(2);
    expect(JSON.parse(r.result.join("\n"))).to.include({ valid: false, couldNotVerify: true });
    expect((await run(["--model", "x"])).code).to.equal(2);
  });
});

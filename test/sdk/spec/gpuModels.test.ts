import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { stringToHex } from "viem";
import { gpuModelMatches, gpuModelMismatch, gpuModelName, withArticle } from "../../../sdk/spec/gpuModels";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { isNormalisedAbsolutePath, validateJobSpec } from "../../../sdk/spec/validateJobSpec";

const container = { kind: "container", image: "rigel/busybox:test" };
const matmul = { kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 8, n: 8, k: 8 };

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = validateJobSpec(input);
  if (result.ok) throw new Error("expected the spec to be invalid");
  return result.issues;
}

describe("sdk/spec: requirements.gpuModels", () => {
  it("matches case-insensitively, as whole consecutive words of the attested model", () => {
    expect(gpuModelMatches("H100", "NVIDIA H100 80GB HBM3")).to.equal(true);
    expect(gpuModelMatches("h100", "NVIDIA H100 80GB HBM3")).to.equal(true);
    expect(gpuModelMatches("RTX 4090", "NVIDIA GeForce RTX 4090")).to.equal(true);
    expect(gpuModelMatches("rtx  4090", "NVIDIA GeForce RTX 4090")).to.equal(true);
    // A prefix of a word is not the word: an H10 is not an H100, a 4090 not a 40900.
    expect(gpuModelMatches("H10", "NVIDIA H100 80GB HBM3")).to.equal(false);
    expect(gpuModelMatches("4090", "RTX 40900")).to.equal(false);
    expect(gpuModelMatches("GeForce 4090", "NVIDIA GeForce RTX 4090")).to.equal(false);
    expect(gpuModelMatches("H100", "")).to.equal(false);
  });

  it("says what the job needs and what the operator has", () => {
    expect(gpuModelMismatch(["H100"], "RTX 4090")).to.equal("needs an H100; has an RTX 4090");
    expect(gpuModelMismatch(["H100", "A100"], "")).to.equal("needs an H100 or an A100; has no attested GPU model");
    expect(gpuModelMismatch(["Tesla T4"], "L4")).to.equal("needs a Tesla T4; has an L4");
    expect(gpuModelMismatch(["H100", "RTX 4090"], "NVIDIA GeForce RTX 4090")).to.equal(undefined);
    expect(gpuModelMismatch(undefined, "RTX 4090")).to.equal(undefined);
    expect(gpuModelMismatch([], "")).to.equal(undefined);
    expect(withArticle("T4")).to.equal("a T4");
  });

  it("decodes the attested bytes32 model", () => {
    expect(gpuModelName(stringToHex("RTX 4090", { size: 32 }))).to.equal("RTX 4090");
    expect(gpuModelName(`0x${"0".repeat(64)}`)).to.equal("");
  });

  it("parses on every kind, keeps the names as written, and changes the hash only when present", () => {
    for (const base of [container, matmul]) {
      const plain = parseJobSpec(base);
      const required = parseJobSpec({ ...base, requirements: { gpuModels: ["H100", "RTX 4090"] } });
      expect(required.requirements).to.deep.equal({ gpuModels: ["H100", "RTX 4090"] });
      expect(plain).to.not.have.property("requirements");
      expect(hashJobSpec(required).hash).to.not.equal(hashJobSpec(plain).hash);
      expect(hashJobSpec(required).canonical).to.contain('"requirements":{"gpuModels":["H100","RTX 4090"]}');
    }
  });

  it("reports every malformed requirement with its path", () => {
    expect(issuesOf({ ...container, requirements: "H100" })).to.deep.equal([
      { path: "requirements", message: 'must be an object such as { "gpuModels": ["H100"] }' },
    ]);
    expect(issuesOf({ ...container, requirements: {} })).to.deep.equal([
      { path: "requirements.gpuModels", message: "is required (the only requirement so far)" },
    ]);
    expect(issuesOf({ ...container, requirements: { gpuModels: [] } })[0].path).to.equal("requirements.gpuModels");
    expect(
      issuesOf({ ...matmul, requirements: { gpuModels: Array.from({ length: 17 }, (_, i) => `G${i}`) } })[0].message,
    ).to.equal("must be an array of 1 to 16 GPU model names");
    expect(
      issuesOf({ ...container, requirements: { gpuModels: ["H100", "h100", " A100", "x".repeat(33), 7], vram: 1 } }),
    ).to.deep.equal([
      { path: "requirements.vram", message: "is not a known field" },
      { path: "requirements.gpuModels[1]", message: 'duplicates "h100"' },
      {
        path: "requirements.gpuModels[2]",
        message: 'must be a GPU model name of letters, digits, spaces and ._+- (such as "H100" or "RTX 4090")',
      },
      { path: "requirements.gpuModels[3]", message: "must be at most 32 bytes (the attested model is a bytes32)" },
      {
        path: "requirements.gpuModels[4]",
        message: 'must be a GPU model name of letters, digits, spaces and ._+- (such as "H100" or "RTX 4090")',
      },
    ]);
  });

  it("checks outputPath as path.posix.normalize would, without Node's path", () => {
    for (const p of ["/out", "/a/b", "/a/", "/"]) expect(isNormalisedAbsolutePath(p), p).to.equal(true);
    for (const p of ["out", "//a", "/a//b", "/a/./b", "/a/..", "/a/b/.", ""]) {
      expect(isNormalisedAbsolutePath(p), p).to.equal(false);
    }
    expect(issuesOf({ ...container, outputPath: "/a/../b" })).to.deep.equal([
      { path: "outputPath", message: "must be a normalised absolute path (no '..', no trailing '/')" },
    ]);
  });

  it("the spec modules the dapp bundles use no Node module or global (Buffer is not defined in a browser)", () => {
    const dir = path.join(__dirname, "..", "..", "..", "sdk", "spec");
    const browser = [
      "canonicalJson.ts",
      "gpuModels.ts",
      "hashJobSpec.ts",
      "jobSpecDataUri.ts",
      "jobSpecTypes.ts",
      "parseJobSpec.ts",
      "parsePrompts.ts",
      "shardWork.ts",
      "SpecValidationError.ts",
      "validateJobSpec.ts",
      ...fs.readdirSync(path.join(dir, "templates")).map((f) => `templates/${f}`),
    ];
    for (const file of browser) {
      const code = fs
        .readFileSync(path.join(dir, file), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      expect(code, file).to.not.match(/from "node:|require\(|\bBuffer\b|\bprocess\./);
    }
  });
});

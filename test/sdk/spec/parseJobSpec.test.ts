import { expect } from "chai";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { SpecValidationError } from "../../../sdk/spec/SpecValidationError";
import { validateJobSpec } from "../../../sdk/spec/validateJobSpec";

const HASH = `0x${"ab".repeat(32)}`;

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = validateJobSpec(input);
  if (result.ok) throw new Error("expected the spec to be invalid");
  return result.issues;
}

describe("sdk/spec/parseJobSpec", () => {
  describe("container specs", () => {
    it("fills in every default", () => {
      expect(parseJobSpec({ kind: "container", image: "rigel/busybox:test" })).to.deep.equal({
        kind: "container",
        version: 1,
        image: "rigel/busybox:test",
        command: [],
        env: {},
        gpus: 0,
        memoryMiB: 2048,
        milliCpus: 1000,
        pidsLimit: 256,
        network: "none",
        inputs: [],
        outputPath: "/rigel/output",
        timeoutSec: 3600,
        verification: "receipt",
      });
    });

    it("keeps given values, normalises hashes, and defaults itemised jobs to sampled verification", () => {
      const spec = parseJobSpec({
        kind: "container",
        image: `registry.local:5000/team/worker@sha256:${"c".repeat(64)}`,
        command: ["python", "main.py"],
        env: { MODEL: "tiny", _X: "" },
        gpus: 1,
        memoryMiB: 8192,
        milliCpus: 2500,
        pidsLimit: 64,
        network: "bridge",
        inputs: [{ name: "weights.bin", uri: "http://127.0.0.1:8621/w", sha256: "AB".repeat(32) }],
        outputPath: "/out",
        timeoutSec: 60,
        items: [{ prompt: "a" }, "b", 3, null, [true]],
      });
      expect(spec).to.deep.include({
        gpus: 1,
        network: "bridge",
        outputPath: "/out",
        verification: "sampled",
        inputs: [{ name: "weights.bin", uri: "http://127.0.0.1:8621/w", sha256: HASH }],
        items: [{ prompt: "a" }, "b", 3, null, [true]],
      });
    });

    it("reports every problem at once, each with its path", () => {
      let caught: unknown;
      try {
        parseJobSpec({
          kind: "container",
          image: "Not A Valid Image!",
          command: "echo hi",
          env: { "BAD-NAME": "x", RIGEL_ITEM: "y", OK: 5 },
          gpus: -1,
          memoryMiB: 1.5,
          milliCpus: "2",
          pidsLimit: 2,
          network: "host",
          inputs: [
            { name: "a", uri: "ftp://x/a", sha256: "zz" },
            { name: "a", uri: "file:///a", sha256: HASH, extra: 1 },
            "nope",
          ],
          outputPath: "/rigel/inputs/out",
          timeoutSec: 0,
          items: [1.5],
          verification: "majority",
          colour: "blue",
        });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(SpecValidationError);
      const err = caught as SpecValidationError;
      expect(err.code).to.equal("SPEC_INVALID");
      expect(err.issues.map((i) => i.path)).to.have.members([
        "colour",
        "image",
        "command",
        'env["BAD-NAME"]',
        "env.RIGEL_ITEM",
        "env.OK",
        "gpus",
        "memoryMiB",
        "milliCpus",
        "pidsLimit",
        "network",
        "inputs[0].uri",
        "inputs[0].sha256",
        "inputs[1].extra",
        "inputs[1].name",
        "inputs[2]",
        "outputPath",
        "timeoutSec",
        "items[0]",
        "verification",
      ]);
      expect(err.issues).to.deep.include({ path: "inputs[1].name", message: 'duplicates another input\'s name "a"' });
      expect(err.issues).to.deep.include({
        path: "env.RIGEL_ITEM",
        message: "is reserved (RIGEL_*): the executor sets it, a spec may not (PROTOCOL §12.3)",
      });
      expect(err.message).to.match(/^job spec is invalid \(20 problems\): colour: is not a known field; /);
      expect(err.toJSON().details.issues).to.have.length(20);
    });

    it("requires the image and items for sampled verification", () => {
      expect(issuesOf({ kind: "container", verification: "sampled" })).to.deep.equal([
        { path: "image", message: "is required" },
        { path: "verification", message: '"sampled" needs `items`: the oracle re-runs sampled items' },
      ]);
    });

    it("refuses output paths that overlap the inputs, the item file or system directories", () => {
      for (const outputPath of ["/", "/rigel", "/proc/x", "/rigel/item.json", "relative", "/a/../b", "/a/"]) {
        expect(issuesOf({ kind: "container", image: "x", outputPath }).map((i) => i.path)).to.deep.equal([
          "outputPath",
        ]);
      }
    });

    it("refuses empty or oversized item lists", () => {
      expect(issuesOf({ kind: "container", image: "x", items: [] })[0].path).to.equal("items");
      expect(issuesOf({ kind: "container", image: "x", items: new Array(4097).fill(1) })[0].path).to.equal("items");
      expect(issuesOf({ kind: "container", image: "x", items: ["x".repeat(17 * 1024)] })[0].path).to.equal("items[0]");
    });
  });

  describe("matmul-int8 specs", () => {
    it("defaults the row range to the whole matrix and normalises the seed", () => {
      expect(parseJobSpec({ kind: "matmul-int8", seed: "AB".repeat(32), m: 64, n: 32, k: 16 })).to.deep.equal({
        kind: "matmul-int8",
        version: 1,
        seed: HASH,
        m: 64,
        n: 32,
        k: 16,
        rowStart: 0,
        rowEnd: 64,
      });
    });

    it("refuses m·n ≥ 2^32 at parse time (m = 2^20, n = 2^12, k = 64 could be posted but never proven); accepts just inside", () => {
      const spec = { kind: "matmul-int8", seed: HASH, m: 2 ** 20, n: 2 ** 12, k: 64 };
      let thrown: unknown;
      try {
        parseJobSpec(spec);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(SpecValidationError);
      expect((thrown as SpecValidationError).code).to.equal("SPEC_INVALID");
      expect((thrown as SpecValidationError).issues).to.deep.equal([
        { path: "m", message: "m·n must be below 2^32 (C is m×n int32, the whole job)" },
      ]);
      expect((thrown as Error).message).to.contain("m·n must be below 2^32");
      expect(parseJobSpec({ ...spec, n: 2 ** 12 - 1 })).to.include({ m: 2 ** 20, n: 2 ** 12 - 1, k: 64 });
      expect(parseJobSpec({ ...spec, m: 2 ** 20 - 1 })).to.include({ m: 2 ** 20 - 1, n: 2 ** 12, k: 64 });
    });

    it("checks sizes and the row range", () => {
      expect(issuesOf({ kind: "matmul-int8", m: 0, n: 1, k: 131073 }).map((i) => i.path)).to.deep.equal([
        "seed",
        "m",
        "k",
      ]);
      expect(issuesOf({ kind: "matmul-int8", seed: HASH, m: 65536, n: 65536, k: 65536 })).to.deep.equal([
        { path: "m", message: "m·k must be below 2^32" },
        { path: "n", message: "k·n must be below 2^32" },
        { path: "m", message: "m·n must be below 2^32 (C is m×n int32, the whole job)" },
      ]);
      expect(issuesOf({ kind: "matmul-int8", seed: HASH, m: 8, n: 8, k: 8, rowStart: 2, rowEnd: 9 })).to.deep.equal([
        { path: "rowEnd", message: "must be at most m (8)" },
      ]);
      expect(issuesOf({ kind: "matmul-int8", seed: HASH, m: 8, n: 8, k: 8, rowStart: 5, rowEnd: 5 })).to.deep.equal([
        { path: "rowStart", message: "must be below rowEnd (5)" },
      ]);
    });
  });

  it("refuses what is not a spec: no object, unknown kind, bad version, bad JSON text", () => {
    expect(issuesOf([1])).to.deep.equal([{ path: "(root)", message: "must be a JSON object" }]);
    expect(issuesOf({ kind: "quantum" })).to.deep.equal([
      { path: "kind", message: 'must be one of "container", "matmul-int8", "llm-inference"' },
    ]);
    expect(issuesOf({ kind: "container", image: "x", version: 2 })).to.deep.equal([
      { path: "version", message: "must be 1 (the only version)" },
    ]);
    expect(() => parseJobSpec("{not json")).to.throw(
      SpecValidationError,
      /^job spec is invalid \(1 problem\): \(root\): is not valid JSON/,
    );
    expect(parseJobSpec('{"kind":"container","image":"x"}')).to.include({ kind: "container", image: "x" });
  });
  describe("uploadUrl", () => {
    const matmul = { kind: "matmul-int8", seed: HASH, m: 4, n: 4, k: 4 };
    it("is kept when given and absent otherwise (so older specs keep their hash)", () => {
      expect(parseJobSpec(matmul)).to.not.have.property("uploadUrl");
      expect(parseJobSpec({ ...matmul, uploadUrl: "http://127.0.0.1:9000/up" }).uploadUrl).to.equal(
        "http://127.0.0.1:9000/up",
      );
      expect(
        parseJobSpec({ kind: "container", image: "x", uploadUrl: "https://results.example/jobs" }).uploadUrl,
      ).to.equal("https://results.example/jobs");
    });
    it("must be an http(s) URL without credentials", () => {
      for (const uploadUrl of ["ftp://host/x", "not a url", "https://user:pw@host/x", 7]) {
        expect(issuesOf({ ...matmul, uploadUrl })).to.deep.equal([
          {
            path: "uploadUrl",
            message: "must be an http:// or https:// URL without credentials (≤ 2048 characters)",
          },
        ]);
      }
    });
  });
});

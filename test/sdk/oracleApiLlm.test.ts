import { expect } from "chai";
import { MAX_LLM_OUTPUT_BYTES, OracleApiFieldError, parseProofRequest } from "../../sdk/oracleApi/types";

const H = `0x${"ab".repeat(32)}`;
const base = {
  jobId: "7",
  shard: 0,
  operator: "0x00000000000000000000000000000000000000aa",
  resultRoot: H,
  units: "42",
  kind: "llm-inference",
};
const item = (output: unknown) => ({ index: 0, outputHash: H, proof: [H], output });

function fieldError(body: unknown): OracleApiFieldError {
  try {
    parseProofRequest(body);
  } catch (err) {
    expect(err).to.be.instanceOf(OracleApiFieldError);
    return err as OracleApiFieldError;
  }
  throw new Error("expected a field error");
}

describe("sdk/oracleApi: llm-inference proofs (PROTOCOL §19.5)", () => {
  it("parses the sampled items with their output.json bytes", () => {
    const output = Buffer.from('{"version":1}').toString("base64");
    const request = parseProofRequest({ ...base, items: [item(output)] });
    expect(request.kind).to.equal("llm-inference");
    expect(request.items).to.deep.equal([{ index: 0, outputHash: H, proof: [H], output }]);
  });

  it("requires items, each with base64 output no larger than the limit", () => {
    expect(fieldError(base).field).to.equal("items");
    expect(fieldError({ ...base, items: [{ index: 0, outputHash: H, proof: [] }] }).field).to.equal("items[0].output");
    expect(fieldError({ ...base, items: [item("not base64!")] }).field).to.equal("items[0].output");
    const justOver = Buffer.alloc(MAX_LLM_OUTPUT_BYTES + 1).toString("base64");
    expect(fieldError({ ...base, items: [item(justOver)] }).message).to.contain(
      `at most ${MAX_LLM_OUTPUT_BYTES} bytes`,
    );
    const atLimit = Buffer.alloc(MAX_LLM_OUTPUT_BYTES).toString("base64");
    expect(parseProofRequest({ ...base, items: [item(atLimit)] }).items).to.have.length(1);
  });

  it("refuses matmul rows, a receipt or a failure in an llm-inference proof, and an output in a container proof", () => {
    const items = [item("")];
    expect(fieldError({ ...base, items, rows: [] }).field).to.equal("rows");
    const receipt = {
      imageDigest: `sha256:${"a".repeat(64)}`,
      exitCode: 0,
      startedAt: 1,
      finishedAt: 2,
      gpuSamples: [],
      outputsRoot: H,
    };
    expect(fieldError({ ...base, items, receipt }).field).to.equal("receipt");
    expect(fieldError({ ...base, items, failure: { item: 0, status: "failed", exitCode: 1 } }).field).to.equal(
      "failure",
    );
    expect(fieldError({ ...base, kind: "container", items }).field).to.equal("items[0].output");
  });
});

// A shard settled as a claim (docs/PROTOCOL.md §20.10) stores no root and emits no result URI: the
// clients take the root from its ShardSubmitted event and its results from the operator's endpoint.
import { expect } from "chai";
import { zeroHash, type Address } from "viem";
import { committedRoot, isClaimedSubmission, resultURIOf } from "../../../sdk/market/claimedShards";
import { readOperatorMetadata } from "../../../sdk/agentApi/metadata";

const OP = "0x00000000000000000000000000000000000000aa" as Address;
const ROOT = `0x${"11".repeat(32)}` as const;

describe("claimed shards (§20.10)", () => {
  it("committedRoot: the stored root, else the event's", () => {
    expect(committedRoot(ROOT, `0x${"22".repeat(32)}`)).to.equal(ROOT);
    expect(committedRoot(zeroHash, ROOT)).to.equal(ROOT);
    expect(committedRoot(zeroHash, undefined)).to.equal(zeroHash);
  });

  it("resultURIOf: an emitted URI as is; a claim's at its operator's endpoint, each operator read once", async () => {
    const asked: Address[] = [];
    const endpointOf = async (op: Address) => {
      asked.push(op);
      return "http://127.0.0.1:9/agent/";
    };
    expect(isClaimedSubmission("")).to.equal(true);
    expect(isClaimedSubmission(undefined)).to.equal(false);
    expect(await resultURIOf({ resultURI: "http://x/v1/results/1/0", operator: OP }, 1n, 0, endpointOf)).to.equal(
      "http://x/v1/results/1/0",
    );
    expect(asked).to.deep.equal([]);
    expect(await resultURIOf({ resultURI: "", operator: OP }, 7n, 2, endpointOf)).to.equal(
      "http://127.0.0.1:9/agent/v1/results/7/2",
    );
    expect(asked).to.deep.equal([OP]);
  });

  it("readOperatorMetadata decodes a base64 data: URI without Buffer (browser-safe)", async () => {
    const json = JSON.stringify({ version: 1, endpoint: "http://127.0.0.1:8547", region: "eu-west", gpus: [] });
    const uri = `data:application/json;base64,${btoa(json)}`;
    expect((await readOperatorMetadata(uri)).endpoint).to.equal("http://127.0.0.1:8547");
  });
});

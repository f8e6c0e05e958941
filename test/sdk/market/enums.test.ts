import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import {
  JobKind,
  ShardState,
  SHARD_STATE_NAMES,
  Verdict,
  VerificationMode,
  isFinalShardState,
  jobKindName,
  shardStateName,
} from "../../../sdk/market/enums";

describe("sdk/market enums", () => {
  it("numbers the shard states as IJobMarket.ShardState declares them", () => {
    expect(ShardState).to.deep.equal({
      Open: 0,
      Accepted: 1,
      Submitted: 2,
      Settled: 3,
      Failed: 4,
      Cancelled: 5,
      Expired: 6,
      DeveloperFault: 7,
    });
    expect(SHARD_STATE_NAMES.map((_, i) => shardStateName(i))).to.deep.equal([...SHARD_STATE_NAMES]);
    expect(shardStateName(7)).to.equal("DeveloperFault");
    expect(() => shardStateName(8)).to.throw(RangeError, "unknown shard state 8");
  });

  it("numbers the job kinds, verdicts and verification modes", () => {
    expect(JobKind).to.deep.equal({ MatmulInt8: 0, Container: 1, LlmInference: 2 });
    expect(Verdict).to.deep.equal({ None: 0, Valid: 1, Invalid: 2, DeveloperFault: 3 });
    expect(VerificationMode).to.deep.equal({ Sampled: 0, Receipt: 1, Activations: 2 });
    expect(jobKindName(JobKind.MatmulInt8)).to.equal("matmul-int8");
    expect(jobKindName(JobKind.Container)).to.equal("container");
    expect(jobKindName(JobKind.LlmInference)).to.equal("llm-inference");
    expect(() => jobKindName(3)).to.throw(RangeError);
  });

  it("final states are Settled, Failed, Cancelled, Expired and DeveloperFault (PROTOCOL §9.2)", () => {
    const final = SHARD_STATE_NAMES.filter((name) => isFinalShardState(ShardState[name]));
    expect(final).to.deep.equal(["Settled", "Failed", "Cancelled", "Expired", "DeveloperFault"]);
  });

  it("types each member as its literal number", () => {
    const open: 0 = ShardState.Open;
    const invalid: 2 = Verdict.Invalid;
    expect([open, invalid]).to.deep.equal([0, 2]);
  });

  it("every file of sdk/market imports nothing Node-only, so the dapp uses them in the browser", () => {
    const dir = path.join(__dirname, "..", "..", "..", "sdk", "market");
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      expect(text, file).to.not.match(/from "node:|require\(|from "(fs|path|os|crypto|child_process)"|Buffer\./);
      expect(text, file).to.not.match(/fetchJobSpec|contracts\/deployments"/);
    }
  });
});

import { expect } from "chai";
import {
  operatorMetadataDataUri,
  OperatorMetadataError,
  parseOperatorMetadata,
  readOperatorMetadata,
} from "../../sdk/agentApi/metadata";

describe("sdk/agentApi/metadata", () => {
  const metadata = {
    version: 1 as const,
    endpoint: "https://agent.example:8651",
    region: "eu-west",
    gpus: [{ model: "NVIDIA H100 80GB HBM3", vramMiB: 81559, count: 8 }],
  };

  it("round-trips through a data: URI", async () => {
    const uri = operatorMetadataDataUri(metadata);
    expect(uri.startsWith("data:application/json;base64,")).to.equal(true);
    expect(await readOperatorMetadata(uri)).to.deep.equal(metadata);
  });

  it("reports every problem at once", () => {
    try {
      parseOperatorMetadata({
        version: 2,
        endpoint: "ftp://x",
        region: "",
        gpus: [{ model: "", vramMiB: -1, count: 0 }],
        extra: 1,
      });
      expect.fail("accepted");
    } catch (err) {
      expect(err).to.be.instanceOf(OperatorMetadataError);
      expect((err as OperatorMetadataError).details.problems).to.have.length(7);
    }
  });
});

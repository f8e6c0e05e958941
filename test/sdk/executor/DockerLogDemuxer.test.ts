import { expect } from "chai";
import { DockerLogDemuxer } from "../../../sdk/executor/DockerLogDemuxer";

function frame(stream: 1 | 2, text: string): Buffer {
  const data = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

describe("sdk/executor/DockerLogDemuxer", () => {
  it("splits frames by stream", () => {
    const d = new DockerLogDemuxer();
    const out = d.push(Buffer.concat([frame(1, "out\n"), frame(2, "err\n"), frame(1, "")]));
    expect(out.map((c) => [c.stream, c.data.toString()])).to.deep.equal([
      ["stdout", "out\n"],
      ["stderr", "err\n"],
      ["stdout", ""],
    ]);
    expect(d.leftover).to.equal(0);
  });

  it("reassembles frames cut at any byte", () => {
    const whole = Buffer.concat([frame(1, "héllo\n"), frame(2, "wörld\n")]);
    for (let cut = 0; cut <= whole.length; cut++) {
      const d = new DockerLogDemuxer();
      const out = [...d.push(whole.subarray(0, cut)), ...d.push(whole.subarray(cut))];
      expect(out.map((c) => [c.stream, c.data.toString()])).to.deep.equal([
        ["stdout", "héllo\n"],
        ["stderr", "wörld\n"],
      ]);
    }
  });

  it("holds an incomplete frame back", () => {
    const d = new DockerLogDemuxer();
    expect(d.push(frame(1, "partial").subarray(0, 10))).to.deep.equal([]);
    expect(d.leftover).to.equal(10);
  });
});

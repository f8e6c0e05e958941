import { expect } from "chai";
import { ethers } from "ethers";
import { canonicalJson } from "../../../sdk/spec/canonicalJson";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

describe("sdk/spec/canonicalJson and hashJobSpec", () => {
  it("sorts keys at every level and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: [{ d: true, c: null }, "x"], A: 'é\n"' })).to.equal(
      '{"A":"é\\n\\"","a":[{"c":null,"d":true},"x"],"b":1}',
    );
  });

  it("sorts keys by UTF-16 code units, as RFC 8785 does", () => {
    expect(canonicalJson({ "\u{1F600}": 1, "\uFB33": 2, a: 3, "1": 4 })).to.equal(
      '{"1":4,"a":3,"\u{1F600}":1,"\uFB33":2}',
    );
  });

  it("has no form for numbers that are not safe integers", () => {
    expect(() => canonicalJson({ x: [1.5] })).to.throw("(root).x[0]: only safe integers have a canonical form");
    expect(() => canonicalJson(2 ** 53)).to.throw("only safe integers");
  });

  it("hashes the canonical UTF-8 text with keccak256", () => {
    const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 4, n: 4, k: 4 });
    const { canonical, hash } = hashJobSpec(spec);
    expect(canonical).to.equal(
      `{"k":4,"kind":"matmul-int8","m":4,"n":4,"rowEnd":4,"rowStart":0,"seed":"0x${"11".repeat(32)}","version":1}`,
    );
    expect(hash).to.equal(ethers.keccak256(ethers.toUtf8Bytes(canonical)));
  });

  it("gives one hash whatever the key order, hex case or defaults left implicit", () => {
    const a = parseJobSpec({
      kind: "container",
      image: "w:1",
      inputs: [{ name: "i", uri: "file:///i", sha256: "AA".repeat(32) }],
    });
    const b = parseJobSpec({
      verification: "receipt",
      timeoutSec: 3600,
      inputs: [{ sha256: `0x${"aa".repeat(32)}`, uri: "file:///i", name: "i" }],
      network: "none",
      image: "w:1",
      kind: "container",
      version: 1,
    });
    expect(hashJobSpec(a).hash).to.equal(hashJobSpec(b).hash);
    const c = parseJobSpec({ kind: "container", image: "w:1", timeoutSec: 3599 });
    expect(hashJobSpec(c).hash).to.not.equal(hashJobSpec(parseJobSpec({ kind: "container", image: "w:1" })).hash);
  });

  it("parses its own canonical form back to the same spec", () => {
    const spec = parseJobSpec({ kind: "container", image: "w:1", items: [{ z: 1, a: "b" }], env: { B: "1", A: "2" } });
    const { canonical } = hashJobSpec(spec);
    expect(parseJobSpec(canonical)).to.deep.equal(spec);
    expect(hashJobSpec(parseJobSpec(canonical)).canonical).to.equal(canonical);
  });
});

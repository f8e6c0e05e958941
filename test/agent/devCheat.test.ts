// The dev-only fault injection: refused off the dev chain, and a corrupted C whose every row differs.
import { expect } from "chai";
import { corruptRows, devCheatFor, DevCheatRefusedError } from "../../agent/work/devCheat";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";

describe("agent devCheat", () => {
  it("is off by default and allowed only on chain 31337", () => {
    expect(devCheatFor("none", 1)).to.equal(undefined);
    expect(devCheatFor("corrupt-rows", 31337)).to.equal("corrupt-rows");
    expect(() => devCheatFor("corrupt-rows", 1)).to.throw(DevCheatRefusedError, /only allowed on the local dev chain/);
    expect(() => devCheatFor("skip-work", 31337)).to.throw(DevCheatRefusedError, /unknown devCheat/);
  });

  it("changes every row of C and returns the root of the corrupted rows", () => {
    const m = 4;
    const n = 3;
    const honest = Int32Array.from({ length: m * n }, (_, i) => i * 7 - 5);
    const c = honest.slice();
    const root = corruptRows(c, m, n);
    const before = rowHashes(honest, m, n);
    const after = rowHashes(c, m, n);
    for (let i = 0; i < m; i++) expect(after[i]).to.not.equal(before[i]);
    expect(root).to.equal(commitRows(after).root);
    expect(root).to.not.equal(commitRows(before).root);
  });
});

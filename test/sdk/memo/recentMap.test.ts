import { expect } from "chai";
import { RecentMap } from "../../../sdk/memo/recentMap";

describe("sdk/memo/RecentMap", () => {
  it("keeps the most recently used entries: get and set refresh, set past the capacity drops the least recent", () => {
    const m = new RecentMap<string, number>(2);
    m.set("a", 1);
    m.set("b", 2);
    expect(m.get("a")).to.equal(1); // a is now more recent than b
    m.set("c", 3);
    expect(m.get("b")).to.equal(undefined);
    expect(m.get("a")).to.equal(1);
    expect(m.get("c")).to.equal(3);
    m.set("c", 4); // overwriting does not grow it
    expect(m.size).to.equal(2);
    m.delete("a");
    expect(m.get("a")).to.equal(undefined);
    expect(m.size).to.equal(1);
    expect(() => new RecentMap(0)).to.throw(RangeError);
  });

  it("lists its entries least recently used first, without reordering them", () => {
    const m = new RecentMap<string, number>(3);
    m.set("a", 1);
    m.set("b", 2);
    m.set("c", 3);
    m.get("a");
    expect([...m.entriesByAge()]).to.deep.equal([
      ["b", 2],
      ["c", 3],
      ["a", 1],
    ]);
    expect([...m.entriesByAge()].map(([k]) => k)).to.deep.equal(["b", "c", "a"]);
  });
});

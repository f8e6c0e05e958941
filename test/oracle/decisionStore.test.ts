import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { keccak256, toHex } from "viem";
import { openDatabase } from "../../sdk/db/openDatabase";
import { DECISION_MIGRATIONS, DecisionStore, EquivocationRefusedError } from "../../oracle/store/decisionStore";

const digest = (s: string) => keccak256(toHex(s));

describe("oracle/store/DecisionStore", () => {
  it("decides once per subject; the same digest again returns the stored decision", () => {
    const store = new DecisionStore(openDatabase({ file: ":memory:", migrations: DECISION_MIGRATIONS }));
    const first = store.decide("shard:1:0xm:7:0", "shard", digest("valid"), "{}", 1000);
    const again = store.decide("shard:1:0xm:7:0", "shard", digest("valid"), "{}", 2000);
    expect(again).to.deep.equal(first);
    expect(first.signature).to.equal(null);
    store.attachSignature("shard:1:0xm:7:0", digest("valid"), "0x1234");
    expect(store.get("shard:1:0xm:7:0")!.signature).to.equal("0x1234");
  });

  it("refuses a second, different digest for the same subject", () => {
    const store = new DecisionStore(openDatabase({ file: ":memory:", migrations: DECISION_MIGRATIONS }));
    store.decide("capacity:0xabc", "capacity", digest("a"), "{}");
    expect(() => store.decide("capacity:0xabc", "capacity", digest("b"), "{}"))
      .to.throw(EquivocationRefusedError)
      .with.property("code", "EQUIVOCATION_REFUSED");
    expect(store.get("capacity:0xabc")!.digest).to.equal(digest("a"));
  });

  it("keeps its decisions across a restart (a new process on the same file)", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-oracle-")), "oracle.db");
    const db1 = openDatabase({ file, migrations: DECISION_MIGRATIONS });
    new DecisionStore(db1).decide("shard:x", "shard", digest("valid"), "{}");
    db1.close();
    const store2 = new DecisionStore(openDatabase({ file, migrations: DECISION_MIGRATIONS }));
    expect(() => store2.decide("shard:x", "shard", digest("invalid"), "{}")).to.throw(EquivocationRefusedError);
  });

  it("refuses to attach a signature to a digest it did not decide", () => {
    const store = new DecisionStore(openDatabase({ file: ":memory:", migrations: DECISION_MIGRATIONS }));
    store.decide("s", "shard", digest("a"), "{}");
    expect(() => store.attachSignature("s", digest("b"), "0x12")).to.throw("no decision");
  });
});

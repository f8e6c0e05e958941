// The arrival records of PROTOCOL §18.3, and the upgrade that folds the former deferred_proofs into them.
import { expect } from "chai";
import path from "node:path";
import { keccak256, toHex } from "viem";
import { openDatabase } from "../../sdk/db/openDatabase";
import { ProofArrivalStore } from "../../oracle/store/proofArrivalStore";
import { ORACLE_MIGRATIONS, openOracleDatabase } from "../../oracle/store/oracleDatabase";
import { tempDir } from "../../fixtures/oracleHarness";

describe("oracle/store/ProofArrivalStore", function () {
  it("keeps the first arrival of a shard, across a restart; a refused proof takes back only its own record", function () {
    const file = path.join(tempDir("arrivals"), "oracle.sqlite");
    let db = openOracleDatabase(file);
    let store = new ProofArrivalStore(db);
    const root = keccak256(toHex("root"));
    const first = store.record({ jobId: 4n, shard: 1, root, chainTime: 1_000n }, 1);
    expect(first.created).to.equal(true);
    const again = store.record({ jobId: 4n, shard: 1, root, chainTime: 2_000n }, 2);
    expect(again).to.deep.equal({ arrival: first.arrival, created: false });
    store.defer(4n, 1, "image not on this host");
    db.close();
    db = openOracleDatabase(file);
    store = new ProofArrivalStore(db);
    expect(store.get(4n, 1)).to.deep.equal({ ...first.arrival, deferral: "image not on this host" });
    // A record without a chain time (the RPC failed at arrival) is kept as such.
    const untimed = store.record({ jobId: 5n, shard: 0, root, chainTime: null }, 3);
    expect(untimed.arrival.chainTime).to.equal(null);
    store.forget(untimed.arrival);
    expect(store.get(5n, 0)).to.equal(undefined);
    db.close();
  });

  it("upgrades a database with deferred_proofs: each deferred proof becomes an in-time arrival", function () {
    const file = path.join(tempDir("arrivals-upgrade"), "oracle.sqlite");
    const before = ORACLE_MIGRATIONS.findIndex((m) => m.includes("ALTER TABLE submissions ADD COLUMN units"));
    const old = openDatabase({ file, migrations: ORACLE_MIGRATIONS.slice(0, before) });
    old
      .prepare("INSERT INTO deferred_proofs (job_id, shard, reason, received_at) VALUES (?, ?, ?, ?)")
      .run("7", 2, "Docker does not answer", 123_456);
    old.close();
    const db = openOracleDatabase(file);
    expect(new ProofArrivalStore(db).get(7n, 2)).to.deep.equal({
      jobId: 7n,
      shard: 2,
      root: null,
      chainTime: 123_456n,
      receivedAt: 0,
      deferral: "Docker does not answer",
    });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'deferred_proofs'").get()).to.equal(undefined);
    db.close();
  });
});

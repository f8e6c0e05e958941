import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../sdk/db/openDatabase";
import { Journal, JOURNAL_MIGRATIONS, JournalConflictError } from "../../agent/journal/journal";
import { ranData } from "../../agent/journal/shardData";

const HASH = `0x${"ab".repeat(32)}` as const;

const memory = () => new Journal(openDatabase({ file: ":memory:", migrations: JOURNAL_MIGRATIONS }));

describe("agent/journal/Journal", () => {
  it("records transitions in order and merges data, bigints included", () => {
    const j = memory();
    j.transition(
      5n,
      0,
      "accepting",
      { specURI: "data:,", specHash: HASH, kind: "container", gangAcceptDeadline: 10n },
      [null],
      1,
    );
    j.transition(5n, 0, "accepted", { acceptTx: "0xaa" }, ["accepting"], 2);
    const e = j.get(5n, 0)!;
    expect(e.state).to.equal("accepted");
    expect(e.data).to.deep.equal({
      specURI: "data:,",
      specHash: HASH,
      kind: "container",
      gangAcceptDeadline: 10n,
      acceptTx: "0xaa",
    });
    expect(j.history(5n, 0)).to.deep.equal([
      { from: null, to: "accepting", at: 1 },
      { from: "accepting", to: "accepted", at: 2 },
    ]);
  });

  it("refuses a move from an unexpected state and writes nothing", () => {
    const j = memory();
    j.transition(1n, 2, "accepting", {}, [null]);
    expect(() => j.transition(1n, 2, "submitting", {}, ["ran"]))
      .to.throw(JournalConflictError)
      .with.property("code", "JOURNAL_CONFLICT");
    expect(j.get(1n, 2)!.state).to.equal("accepting");
    expect(() => j.transition(1n, 2, "accepting", {}, [null])).to.throw(JournalConflictError);
  });

  it("never leaves a terminal state", () => {
    const j = memory();
    j.transition(1n, 0, "settled");
    expect(() => j.transition(1n, 0, "running"))
      .to.throw(JournalConflictError)
      .with.property("code", "JOURNAL_TERMINAL");
  });

  it("lists unfinished shards after a restart on the same file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-agent-")), "journal.db");
    const db = openDatabase({ file, migrations: JOURNAL_MIGRATIONS });
    const j = new Journal(db);
    j.transition(1n, 0, "running", { itemHashes: { "3": HASH } }, undefined, 10);
    j.transition(2n, 0, "settled", {}, undefined, 11);
    j.transition(3n, 1, "submitting", {}, undefined, 12);
    db.close();
    const again = new Journal(openDatabase({ file, migrations: JOURNAL_MIGRATIONS }));
    expect(again.unfinished().map((e) => [e.jobId, e.shard, e.state])).to.deep.equal([
      [1n, 0, "running"],
      [3n, 1, "submitting"],
    ]);
    expect(again.get(1n, 0)!.data.itemHashes).to.deep.equal({ "3": HASH });
  });

  it("reads back a shard journaled before its data was typed, with the same keys (no migration)", () => {
    const db = openDatabase({ file: ":memory:", migrations: JOURNAL_MIGRATIONS });
    // A matmul shard in `proving`, as the untyped driver wrote it (bigints as {"$bigint": …}).
    const legacy = {
      specURI: "data:,",
      specHash: HASH,
      kind: "matmul-int8",
      acceptTx: "0xaa",
      runStartedAt: 1,
      root: HASH,
      units: { $bigint: "3" },
      rowStart: 8,
      rowEnd: 16,
      seconds: { generate: 0, compute: 1, commit: 0 },
      submitTx: "0xbb",
      submittedBlock: { $bigint: "42" },
      resultURI: "http://127.0.0.1:8651/v1/results/7/1",
    };
    db.prepare("INSERT INTO shards (job_id, shard, state, data, updated_at) VALUES (?, ?, ?, ?, ?)").run(
      "7",
      1,
      "proving",
      JSON.stringify(legacy),
      5,
    );
    const entry = new Journal(db).get(7n, 1)!;
    if (entry.state !== "proving") throw new Error(`expected proving, got ${entry.state}`);
    expect(entry.data.submittedBlock).to.equal(42n);
    const ran = ranData(entry.data);
    expect(ran?.kind).to.equal("matmul-int8");
    if (ran?.kind !== "matmul-int8") throw new Error("not a matmul shard");
    expect([ran.rowStart, ran.rowEnd, ran.units]).to.deep.equal([8, 16, 3n]);
    expect(ranData({ ...entry.data, rowEnd: undefined })).to.equal(undefined);
  });
});

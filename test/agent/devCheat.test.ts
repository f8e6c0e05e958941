// The dev-only fault injection: refused off the dev chain, and a corrupted C whose every row differs.
import { expect } from "chai";
import { corruptRows, devCheatFor, DevCheatRefusedError } from "../../agent/work/devCheat";
import { devCrashFor } from "../../agent/work/devCrash";
import { Journal, JOURNAL_MIGRATIONS, JournalConflictError, type JournalEntry } from "../../agent/journal/journal";
import { openDatabase } from "../../sdk/db/openDatabase";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";

describe("agent devCheat", () => {
  it("is off by default and allowed only on chain 31337", () => {
    expect(devCheatFor("none", 1)).to.equal(undefined);
    expect(devCheatFor("corrupt-rows", 31337)).to.equal("corrupt-rows");
    expect(devCheatFor("cheaper-model", 31337)).to.equal("cheaper-model");
    expect(() => devCheatFor("cheaper-model", 1)).to.throw(DevCheatRefusedError, /only allowed on the local dev chain/);
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

  it("devCrashAfter is off by default, allowed only on chain 31337, and kills after the named state only", () => {
    expect(devCrashFor("none", 31337)).to.equal(undefined);
    expect(() => devCrashFor("running", 1)).to.throw(DevCheatRefusedError, /only allowed on the local dev chain/);
    expect(() => devCrashFor("halfway", 31337)).to.throw(DevCheatRefusedError, /unknown devCrashAfter/);
    const kills: string[] = [];
    const hook = devCrashFor("submitting", 31337, () => kills.push("killed"))!;
    const entry = (state: JournalEntry["state"]): JournalEntry =>
      ({ jobId: 1n, shard: 0, state, data: {}, updatedAt: 0 }) as JournalEntry;
    hook(entry("ran"));
    expect(kills).to.deep.equal([]);
    hook(entry("submitting"));
    expect(kills).to.deep.equal(["killed"]);
  });

  it("the journal calls its afterTransition hook once a move is committed, and not for a refused move", () => {
    const seen: [string, string | undefined][] = [];
    const journal: Journal = new Journal(openDatabase({ file: ":memory:", migrations: JOURNAL_MIGRATIONS }), (e) =>
      // What a process killed here would find on disk: the move already written.
      seen.push([e.state, journal.get(e.jobId, e.shard)?.state]),
    );
    journal.transition(1n, 0, "accepting", {}, [null]);
    expect(() => journal.transition(1n, 0, "submitting", {}, ["ran"])).to.throw(JournalConflictError);
    journal.transition(1n, 0, "accepted", {}, ["accepting"]);
    expect(seen).to.deep.equal([
      ["accepting", "accepting"],
      ["accepted", "accepted"],
    ]);
  });
});

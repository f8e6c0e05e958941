// The agent records the offers of one batch of logs in one commit (PROTOCOL §20.8): a JobCreated's
// shards as new, the shards assigned to other operators as gone. Old rule: one commit (one fsync
// under synchronous = FULL) per row, two per job per agent under load.
import { expect } from "chai";
import type { Hex } from "viem";
import { JOURNAL_MIGRATIONS } from "../../agent/journal/journal";
import { Offers } from "../../agent/journal/offers";
import { openDatabase } from "../../sdk/db/openDatabase";

const HASH: Hex = `0x${"ab".repeat(32)}`;

describe("agent/journal/Offers.record", () => {
  it("records 50 jobs' shards and marks the other operators' gone with the reason, in one transaction", () => {
    const db = openDatabase({ file: ":memory:", migrations: JOURNAL_MIGRATIONS });
    try {
      const offers = new Offers(db);
      let commits = 0;
      const transaction = db.transaction.bind(db);
      db.transaction = ((fn: () => void) => {
        const wrapped = transaction(fn);
        return () => {
          commits++;
          return wrapped();
        };
      }) as typeof db.transaction;
      const added = Array.from({ length: 50 }, (_, i) => ({
        jobId: BigInt(i + 1),
        shard: 0,
        specURI: `data:,${i}`,
        specHash: HASH,
      }));
      const gone = added.filter((_, i) => i % 3 !== 0).map(({ jobId, shard }) => ({ jobId, shard }));
      offers.record(added, gone, "assigned to another operator");
      expect(commits).to.equal(1);
      expect(offers.counts()).to.deep.equal({ new: 17, gone: 33 });
      expect(offers.pending(100).map((o) => o.jobId)).to.deep.equal(
        added.filter((_, i) => i % 3 === 0).map((o) => o.jobId),
      );
      // Seen again (a re-read log range): nothing changes, a gone offer stays gone.
      offers.record(added, [], "assigned to another operator");
      expect(offers.counts()).to.deep.equal({ new: 17, gone: 33 });
      // Nothing to record: no transaction.
      offers.record([], [], "x");
      expect(commits).to.equal(2);
    } finally {
      db.close();
    }
  });
});

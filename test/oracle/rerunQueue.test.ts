// The node's container re-run queue (PROTOCOL §18.3): earliest reveal deadline first, bounded,
// parallel up to its concurrency. Waits for states, never for time.
import { expect } from "chai";
import { RerunQueue, RerunQueueFullError } from "../../oracle/verify/rerunQueue";

/** A re-run the test finishes by hand. */
function manual(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("oracle/verify/RerunQueue", function () {
  it("starts waiting re-runs by reveal deadline, earliest first (then in arrival order)", async function () {
    const log: string[] = [];
    const queue = new RerunQueue(8, 1);
    const first = manual(log, "first");
    const runs = [queue.run(500n, first.work)];
    const late = manual(log, "late");
    const soon = manual(log, "soon");
    const soonToo = manual(log, "soon-too");
    runs.push(queue.run(900n, late.work), queue.run(100n, soon.work), queue.run(100n, soonToo.work));
    await settle();
    expect(log).to.deep.equal(["start first"]);
    expect(queue.waiting).to.equal(3);
    for (const m of [first, soon, soonToo, late]) {
      m.finish();
      await settle();
      await settle();
    }
    expect(await Promise.all(runs)).to.deep.equal(["first", "late", "soon", "soon-too"]);
    expect(log).to.deep.equal(["start first", "start soon", "start soon-too", "start late"]);
  });

  it("refuses one more than rerunQueueMax waiting with 503 ORACLE_BUSY, and admits again once one starts", async function () {
    const log: string[] = [];
    const queue = new RerunQueue(2, 1);
    const ms = ["a", "b", "c"].map((n) => manual(log, n));
    const runs = ms.map((m) => queue.run(1n, m.work));
    const refused = await queue.run(1n, async () => "d").catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(RerunQueueFullError);
    expect((refused as RerunQueueFullError).status).to.equal(503);
    expect((refused as RerunQueueFullError).code).to.equal("ORACLE_BUSY");
    ms[0].finish();
    await settle();
    await settle();
    const admitted = queue.run(1n, async () => "e");
    ms[1].finish();
    ms[2].finish();
    expect(await Promise.all([...runs, admitted])).to.deep.equal(["a", "b", "c", "e"]);
  });

  it("runs up to rerunConcurrency at once", async function () {
    const log: string[] = [];
    const queue = new RerunQueue(8, 3);
    const ms = ["a", "b", "c", "d", "e"].map((n) => manual(log, n));
    const runs = ms.map((m) => queue.run(1n, m.work));
    await settle();
    expect([queue.running, queue.waiting]).to.deep.equal([3, 2]);
    ms[1].finish();
    await settle();
    await settle();
    expect([queue.running, queue.waiting]).to.deep.equal([3, 1]);
    for (const m of ms) m.finish();
    await Promise.all(runs);
    expect([queue.running, queue.waiting]).to.deep.equal([0, 0]);
  });
});

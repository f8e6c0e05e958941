import { expect } from "chai";
import { Writable } from "node:stream";
import { createLogger } from "../../../sdk/log/createLogger";
import { runDaemon } from "../../../sdk/service/runDaemon";

const quiet = createLogger({
  name: "test",
  level: "silent",
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

describe("sdk/service/runDaemon", () => {
  it("inits, ticks through failures, and shuts down once on stop()", async () => {
    const calls: string[] = [];
    let ticks = 0;
    const { done, stop } = runDaemon({
      logger: quiet,
      intervalMs: 1,
      signals: [],
      daemon: {
        init: async () => void calls.push("init"),
        tick: async () => {
          ticks += 1;
          if (ticks === 2) throw new Error("transient");
          if (ticks === 4) stop();
        },
        shutdown: async () => void calls.push("shutdown"),
      },
    });
    await done;
    expect(ticks).to.equal(4);
    expect(calls).to.deep.equal(["init", "shutdown"]);
  });

  it("stops on a signal", async () => {
    let ticks = 0;
    const { done } = runDaemon({
      logger: quiet,
      intervalMs: 1,
      signals: ["SIGUSR2"],
      daemon: {
        init: async () => {},
        tick: async () => {
          ticks += 1;
          if (ticks === 3) process.emit("SIGUSR2", "SIGUSR2");
        },
        shutdown: async () => {},
      },
    });
    await done;
    expect(ticks).to.equal(3);
    expect(process.listenerCount("SIGUSR2")).to.equal(0);
  });

  it("still shuts down when init fails, and rejects with the cause", async () => {
    let shut = false;
    const { done } = runDaemon({
      logger: quiet,
      intervalMs: 1,
      signals: [],
      daemon: {
        init: async () => {
          throw new Error("no rpc");
        },
        tick: async () => {},
        shutdown: async () => {
          shut = true;
        },
      },
    });
    let caught: unknown;
    await done.catch((e) => (caught = e));
    expect((caught as Error).message).to.equal("no rpc");
    expect(shut).to.equal(true);
  });
});

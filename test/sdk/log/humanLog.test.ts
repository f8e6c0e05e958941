// Logs for people (sdk/log/humanLog.ts): local times, the shard first, RGL amounts in RGL, errors by
// their message; JSON stays JSON.
import { expect } from "chai";
import { createLogger } from "../../../sdk/log/createLogger";
import { formatHumanLine, localClock } from "../../../sdk/log/humanLog";

const capture = () => {
  const lines: string[] = [];
  return { lines, write: (t: string) => void lines.push(...t.split("\n").filter(Boolean)) };
};

describe("human log lines", () => {
  const at = new Date(2026, 11, 6, 17, 5, 3).getTime(); // local time

  it("`17:05:03 INFO shard 12/0 settled: earned 1.5 RGL`: local time, shard first, amounts in RGL", () => {
    const line = formatHumanLine({
      time: at,
      level: 30,
      jobId: "12",
      shard: 0,
      msg: "shard settled",
      earned: "1500000000000000000",
    });
    expect(line).to.equal("17:05:03 INFO shard 12/0 settled: earned=1.5 RGL");
    expect(
      formatHumanLine({
        time: at,
        level: 30,
        jobId: "12",
        shard: 3,
        msg: "taking shard",
        price: "1000000000000000000",
        kind: "matmul-int8",
      }),
    ).to.equal("17:05:03 INFO shard 12/3: taking shard: price=1 RGL kind=matmul-int8");
  });

  it("a warning with an error shows its message, not its stack; unix times as local dates", () => {
    const line = formatHumanLine({
      time: at,
      level: 40,
      msg: "claiming rewards failed",
      layer: "daemon",
      err: { type: "Error", message: "no chain answers", stack: "Error: no chain answers\n    at x" },
    });
    expect(line).to.equal("17:05:03 WARN claiming rewards failed — no chain answers");
    const deadline = Math.floor(at / 1000) + 3600;
    expect(formatHumanLine({ time: at, level: 30, msg: "open", deadline })).to.equal(
      `17:05:03 INFO open: deadline=2026-12-06 ${localClock(deadline * 1000)}`,
    );
  });

  it("createLogger: human lines with a date header, JSON with format json, secrets redacted in both", () => {
    const human = capture();
    createLogger({ name: "agent", format: "human", destination: human }).info({ password: "hunter22", n: 1 }, "hello");
    expect(human.lines[0]).to.match(/^--- \d{4}-\d\d-\d\d ---$/);
    expect(human.lines[1]).to.match(/^\d\d:\d\d:\d\d INFO hello: password=\[redacted\] n=1$/);
    const json = capture();
    createLogger({ name: "agent", format: "json", destination: json }).info({ password: "hunter22" }, "hello");
    const record = JSON.parse(json.lines[0]);
    expect(record.msg).to.equal("hello");
    expect(record.password).to.equal("[redacted]");
  });
});

import { expect } from "chai";
import { createProgress } from "../../agent/daemon/progress";

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: "", write: (t: string) => ((s.text += t), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe("agent/daemon/progress", () => {
  it("writes plain lines (shard, phase, elapsed) when not on a terminal", () => {
    const out = stream(false);
    const progress = createProgress(out);
    progress.update("7/1", "running");
    progress.update("7/1", "proving");
    progress.done("7/1", "settled");
    const lines = out.text.trim().split("\n");
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^progress shard=7\/1 phase=running elapsed=\d+\.\ds$/);
    expect(lines[2]).to.match(/^progress shard=7\/1 outcome=settled elapsed=\d+\.\ds$/);
    expect(out.text).to.not.contain("\x1b[");
  });

  it("redraws one live line per shard in flight on a terminal, with what is left", () => {
    const out = stream(true);
    const progress = createProgress(out);
    progress.update("7/0", "running");
    progress.update("7/1", "submitting");
    expect(out.text).to.contain("\x1b[1A\x1b[J");
    expect(out.text).to.match(/7\/1\s+submitting\s+\d+\.\ds\s+left: proving → settling/);
    progress.done("7/0", "settled");
    expect(out.text).to.contain("7/0 settled");
  });
});

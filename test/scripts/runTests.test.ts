import { expect } from "chai";

const runTests = require("../../scripts/run-tests.js") as {
  failureDigest: (r: { out: string }) => string;
  parseMocha: (out: string) => { passed: number; failed: number } | null;
  DIGEST_CHARS: number;
};

// `npm test` repeats each failed stage's failures just before its summary: a CI log that keeps only
// its tail named a failing group but not the test (stop 32: "agent+app 193 passed 1 failed").
describe("scripts/run-tests: the failures digest before the summary", () => {
  const mochaOut = [
    "  suite",
    "    ✔ passes (5ms)",
    "    1) fails",
    "",
    "  1 passing (1s)",
    "  1 failing",
    "",
    "  1) suite",
    "       fails:",
    "      AssertionError: expected +0 to be above 1",
    "      at Context.<anonymous> (test/x.test.ts:191:90)",
    "",
  ].join("\n");

  it("repeats mocha's list of failures, with the test's title, error and place", () => {
    const digest = runTests.failureDigest({ out: mochaOut });
    expect(digest.startsWith("1 failing")).to.equal(true);
    expect(digest).to.contain("1) suite");
    expect(digest).to.contain("AssertionError: expected +0 to be above 1");
    expect(digest).to.contain("test/x.test.ts:191:90");
    expect(digest).not.to.contain("✔ passes");
    expect(runTests.parseMocha(mochaOut)).to.deep.equal({ passed: 1, failed: 1 });
  });

  it("gives a stage without mocha's list its error lines, or else its last lines, cut to a bound", () => {
    const vitest = runTests.failureDigest({
      out: " ✓ ok\n FAIL  src/a.test.ts > a > b\nAssertionError: expected 1 to be 2\n Tests  1 failed | 3 passed (4)\n",
    });
    expect(vitest).to.equal("FAIL  src/a.test.ts > a > b\nAssertionError: expected 1 to be 2");
    const lint = runTests.failureDigest({ out: Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n") });
    expect(lint.split("\n")).to.have.length(30);
    expect(lint.endsWith("line 49")).to.equal(true);
    const long = runTests.failureDigest({ out: `  1 failing\n${"x".repeat(runTests.DIGEST_CHARS * 2)}` });
    expect(long.length).to.be.lessThan(runTests.DIGEST_CHARS + 60);
    expect(long).to.match(/cut at \d+ characters\]$/);
  });
});

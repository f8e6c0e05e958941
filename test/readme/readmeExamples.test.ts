import { expect } from "chai";
import { readmeExamples } from "./readmeExamples";

const FENCE = "```";

describe("test/readme/readmeExamples: the README's command examples", () => {
  it("takes each command of a sh block, joins continuations, drops comments, applies the block's markers", () => {
    const readme = [
      "Intro `npm run not-a-block`.",
      `${FENCE}ts`,
      "const x = 1;",
      FENCE,
      '<!-- readme-test: skip "serve": runs until stopped, a test serves it instead -->',
      '<!-- readme-test: fails "--rpc https://rpc.example" with "error: no chain answers" -->',
      `${FENCE}sh`,
      "# a comment line",
      "A=1 B=2 \\",
      "  npm run rigel -- job plan job.json --budget 10   # trailing comment",
      "npm run serve",
      "npm run rigel -- job status 1 --rpc https://rpc.example",
      FENCE,
      `${FENCE}sh`,
      "npm run serve   # no marker above this block: it runs",
      FENCE,
    ].join("\n");
    expect(readmeExamples(readme)).to.deep.equal([
      { line: 9, command: "A=1 B=2 npm run rigel -- job plan job.json --budget 10" },
      { line: 11, command: "npm run serve", skip: "runs until stopped, a test serves it instead" },
      {
        line: 12,
        command: "npm run rigel -- job status 1 --rpc https://rpc.example",
        fails: "error: no chain answers",
      },
      { line: 15, command: "npm run serve" },
    ]);
  });

  it("refuses a marker that matches nothing in its block, and a skip without a reason", () => {
    expect(() => readmeExamples(`<!-- readme-test: skip "gone": was here once -->\n${FENCE}sh\nls\n${FENCE}`)).to.throw(
      'marker "gone" matches no command',
    );
    expect(() => readmeExamples(`<!-- readme-test: skip "ls" -->\n${FENCE}sh\nls\n${FENCE}`)).to.throw(/README.md:1/);
  });
});

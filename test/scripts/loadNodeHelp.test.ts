// `npm run load:node` answers --help, and refuses a bad number with the usage and exit 2, before it
// starts a node.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

function loadNode(args: string[]) {
  return spawnSync(
    path.join(ROOT, "node_modules", ".bin", "ts-node"),
    ["--transpile-only", "scripts/load/nodeAlone.ts", ...args],
    { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
  );
}

describe("scripts/load/nodeAlone (npm run load:node)", function () {
  this.timeout(240_000);

  it("--help prints the usage with every flag and exits 0", function () {
    const r = loadNode(["--help"]);
    expect(r.status, r.stderr).to.equal(0);
    for (const flag of ["--jobs", "--batch", "--modes", "--port", "--help"]) expect(r.stdout).to.include(flag);
  });

  it("a bad number or an unknown flag: one error line, the usage, exit 2", function () {
    const bad = loadNode(["--jobs", "x"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/^error: --jobs must be a whole number above 0, not x\n/);
    expect(bad.stderr).to.include("usage: npm run load:node");
    const unknown = loadNode(["--jbos", "3"]);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.match(/^error: Unknown option '--jbos'/);
  });
});

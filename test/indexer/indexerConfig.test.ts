// The indexer's entry points without a chain: `npm run indexer -- --help` from a fresh clone, flag
// errors, the dapp's optional `indexerUrl` in rigel.json and the CLIs' --indexer / RIGEL_INDEXER_URL.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseRigelConfig } from "../../app/src/chain/rigelConfig";
import { indexerUrlFrom } from "../../sdk/indexer/indexerUrl";

const root = path.resolve(__dirname, "..", "..");
const deployment = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "31337.json"), "utf8"));

function indexerCli(args: string[]) {
  return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/indexer.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, RIGEL_DEPLOYMENT: "", RIGEL_RPC_URL: "" },
  });
}

describe("indexer: entry points and configuration", function () {
  this.timeout(300_000);

  it("npm run indexer -- --help prints the flags, the API and the store, and exits 0", function () {
    const r = indexerCli(["--help"]);
    expect(r.status, r.stderr).to.equal(0);
    for (const text of ["--deployment FILE", "--rpc URL", "--port N", "--data-dir DIR", "DATABASE_URL", "/graphql"]) {
      expect(r.stdout).to.include(text);
    }
  });

  it("refuses a bad port and an unknown flag with a sentence, exit 1", function () {
    const port = indexerCli(["--port", "http"]);
    expect(port.status).to.equal(1);
    expect(port.stderr).to.include("--port must be an integer in [1, 65535]");
    const unknown = indexerCli(["--frobnicate"]);
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr).to.include("frobnicate");
  });

  it("says there is no chain when the RPC does not answer (port 8939: nothing listens)", function () {
    const r = indexerCli(["--rpc", "http://127.0.0.1:8939", "--deployment", "test/indexer/fixtures/31337.json"]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.include("no chain answers at http://127.0.0.1:8939");
  });

  it("rigel.json: indexerUrl is optional, must be http(s), and loses its trailing slash", function () {
    const base = { rpcUrl: "http://127.0.0.1:8545", deployment };
    expect(parseRigelConfig(base).indexerUrl).to.equal(undefined);
    expect(parseRigelConfig({ ...base, indexerUrl: "http://127.0.0.1:42069/" }).indexerUrl).to.equal(
      "http://127.0.0.1:42069",
    );
    expect(() => parseRigelConfig({ ...base, indexerUrl: "ftp://x" })).to.throw("indexerUrl must be an http(s) URL");
  });

  it("the CLIs take --indexer over RIGEL_INDEXER_URL, none means chain logs", function () {
    expect(indexerUrlFrom(undefined, {})).to.equal(undefined);
    expect(indexerUrlFrom(undefined, { RIGEL_INDEXER_URL: "http://h:1/" })).to.equal("http://h:1");
    expect(indexerUrlFrom("http://flag:2", { RIGEL_INDEXER_URL: "http://h:1" })).to.equal("http://flag:2");
    expect(() => indexerUrlFrom("localhost:42069", {})).to.throw("--indexer must be an http(s) URL");
  });
});

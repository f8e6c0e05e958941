// Every event of every contract the indexer follows has a handler in indexer/src or a written reason
// on the ignore list (indexer/src/lib/ignoredEvents.ts): a contract change that adds or renames an
// event fails here until the indexer handles it or says why not (issue 24: "follow the event changes
// of the contract issues as they land"). No chain, no port.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { followedContracts } from "../../indexer/src/lib/followedContracts";
import { ignoredEvents } from "../../indexer/src/lib/ignoredEvents";

const srcDir = path.resolve(__dirname, "..", "..", "indexer", "src");

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith(".ts"));
}

/** Every `ponder.on("Contract:Event"` in indexer/src (setup handlers `Contract:setup` excluded). */
function handledEvents(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(srcDir)) {
    for (const m of fs.readFileSync(file, "utf8").matchAll(/ponder\.on\(\s*"([A-Za-z]+:[A-Za-z0-9]+)"/g)) {
      names.add(m[1]);
    }
  }
  return names;
}

/** Every `Contract:Event` of the followed ABIs. */
function abiEvents(): Set<string> {
  const names = new Set<string>();
  for (const [contract, abi] of Object.entries(followedContracts)) {
    for (const item of abi as readonly { type: string; name?: string }[]) {
      if (item.type === "event") names.add(`${contract}:${item.name}`);
    }
  }
  return names;
}

describe("indexer: every event of the followed contracts is handled or ignored with a reason", function () {
  it("no event of a followed ABI lacks both a handler and an ignore-list reason", function () {
    const handled = handledEvents();
    const missing = [...abiEvents()].filter((e) => !handled.has(e) && !(e in ignoredEvents));
    expect(missing, "events with no handler in indexer/src and not in ignoredEvents.ts").to.deep.equal([]);
  });

  it("every handler names an event its contract's ABI has", function () {
    const events = abiEvents();
    const stale = [...handledEvents()].filter((e) => !events.has(e));
    expect(stale, "handlers of events no ABI declares").to.deep.equal([]);
  });

  it("the ignore list names only ABI events, none also handled, each with a reason", function () {
    const events = abiEvents();
    const handled = handledEvents();
    for (const [name, reason] of Object.entries(ignoredEvents)) {
      expect(events.has(name), `${name} is on the ignore list but in no followed ABI`).to.equal(true);
      expect(handled.has(name), `${name} is both handled and ignored`).to.equal(false);
      expect(reason.trim().length, `${name}: the reason`).to.be.greaterThan(10);
    }
  });

  it("follows the five protocol contracts the deployment record names", function () {
    expect(Object.keys(followedContracts).sort()).to.deep.equal([
      "ComputeToken",
      "JobMarket",
      "OperatorStaking",
      "OracleCommittee",
      "RewardsDistributor",
    ]);
  });
});

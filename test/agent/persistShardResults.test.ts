// Result files are durable before the journal records the run as done (issue 18, PROTOCOL §14.2).
// Old rule: the shard driver journaled `ran` right after the run, with the container's files still
// in the page cache; a power cut then left a journal that claimed results whose bytes were lost, and
// the agent submitted a root for files it could no longer serve.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { Journal, JOURNAL_MIGRATIONS } from "../../agent/journal/journal";
import type { RanData } from "../../agent/journal/shardData";
import { nodeDurableFs, type DurableFs } from "../../agent/results/durableFs";
import {
  persistShardResults,
  readShardResultsManifest,
  RESULTS_MANIFEST_FILE,
} from "../../agent/results/shardResultsManifest";
import { shardWorkspace } from "../../agent/shard/shardWorkspace";
import { tempDataDir } from "../../fixtures/agentHarness";
import { openDatabase } from "../../sdk/db/openDatabase";

const ROOT: Hex = `0x${"ab".repeat(32)}`;

/** A DurableFs that records every call, in order, into `events` (and does the real thing). */
function recordingFs(events: string[], dataDir: string): DurableFs {
  const rel = (p: string) => path.relative(dataDir, p) || ".";
  return {
    syncFile: async (f) => {
      events.push(`syncFile ${rel(f)}`);
      await nodeDurableFs.syncFile(f);
    },
    syncDir: async (d) => {
      events.push(`syncDir ${rel(d)}`);
      await nodeDurableFs.syncDir(d);
    },
    writeFile: async (f, data) => {
      events.push(`writeFile ${rel(f)}`);
      await nodeDurableFs.writeFile(f, data);
    },
    rename: async (from, to) => {
      events.push(`rename ${rel(from)} -> ${rel(to)}`);
      await nodeDurableFs.rename(from, to);
    },
  };
}

describe("agent/results/persistShardResults: fsync before the journal moves on", () => {
  it("fsyncs every served file and its folders, then writes the manifest (temp, fsync, rename, folder fsync), all before `ran` is journaled", async () => {
    const dataDir = tempDataDir("durable");
    const jobId = 9n;
    const ws = shardWorkspace(dataDir, jobId, 0);
    // An itemised container shard: items 4 and 5 of the spec are its local items 0 and 1.
    for (const [item, name] of [
      [4, "a.txt"],
      [5, "sub/b.txt"],
    ] as const) {
      const file = path.join(ws.itemOutputDir(item), name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `item ${item}\n`);
    }
    fs.writeFileSync(ws.receiptJson, "{}");
    const events: string[] = [];
    const journal = new Journal(openDatabase({ file: ":memory:", migrations: JOURNAL_MIGRATIONS }), (entry) =>
      events.push(`journal ${entry.state}`),
    );
    journal.transition(jobId, 0, "running", { specURI: "data:,", specHash: ROOT, kind: "container", runStartedAt: 0 });
    events.length = 0;
    const facts = {
      kind: "container" as const,
      root: ROOT,
      units: 1n,
      itemStart: 4,
      itemEnd: 6,
      itemHashList: [ROOT, ROOT],
      receipt: { runs: [], root: ROOT },
    };
    const data = { ...journal.get(jobId, 0)!.data, ...facts } as RanData;

    // What the shard driver's run step does: durable first, then journaled.
    const manifest = await persistShardResults({ dataDir, jobId, shard: 0, data, fs: recordingFs(events, dataDir) });
    journal.transition(jobId, 0, "ran", facts, ["running"]);

    const shardDir = path.relative(dataDir, ws.dir);
    const at = (event: string) => {
      const i = events.indexOf(event);
      expect(i, `${event} in ${events.join("\n")}`).to.be.greaterThanOrEqual(0);
      return i;
    };
    const journaled = at("journal ran");
    expect(journaled).to.equal(events.length - 1);
    const servedA = `${shardDir}/items/4/output/a.txt`;
    const servedB = `${shardDir}/items/5/output/sub/b.txt`;
    for (const file of [servedA, servedB, `${shardDir}/receipt.json`])
      expect(at(`syncFile ${file}`)).to.be.below(journaled);
    // Each file's folder and every folder above it up to <dataDir>/work, deepest first.
    const folders = [
      `${shardDir}/items/5/output/sub`,
      `${shardDir}/items/5/output`,
      `${shardDir}/items/5`,
      `${shardDir}/items`,
      shardDir,
      path.dirname(shardDir),
      "work",
    ];
    for (let i = 1; i < folders.length; i++)
      expect(at(`syncDir ${folders[i - 1]}`)).to.be.below(at(`syncDir ${folders[i]}`));
    expect(at(`syncFile ${servedB}`)).to.be.below(at(`syncDir ${folders[0]}`));
    // The manifest: written to a temporary file, fsync'd, renamed, its folder fsync'd, before `ran`.
    const target = `${shardDir}/${RESULTS_MANIFEST_FILE}`;
    const steps = [`writeFile ${target}.tmp`, `syncFile ${target}.tmp`, `rename ${target}.tmp -> ${target}`].map(at);
    expect(steps).to.deep.equal([...steps].sort((a, b) => a - b));
    expect(events.lastIndexOf(`syncDir ${shardDir}`)).to.be.within(steps[2] + 1, journaled - 1);
    expect(manifest!.files.map((f) => f.path)).to.deep.equal(["items/0/a.txt", "items/1/sub/b.txt"]);
    expect(await readShardResultsManifest(dataDir, jobId, 0, ROOT)).to.deep.equal(manifest);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a failed run serves no files: only its receipt is made durable, and no manifest is kept", async () => {
    const dataDir = tempDataDir("durable-failed");
    const ws = shardWorkspace(dataDir, 3n, 0);
    fs.mkdirSync(ws.dir, { recursive: true });
    fs.writeFileSync(ws.receiptJson, "{}");
    const events: string[] = [];
    const data = {
      kind: "container",
      root: ROOT,
      units: 1n,
      itemStart: null,
      itemEnd: null,
      itemHashList: [],
      receipt: { runs: [], root: ROOT },
      failure: { item: null, status: "failed", exitCode: 1 },
    } as unknown as RanData;
    expect(
      await persistShardResults({ dataDir, jobId: 3n, shard: 0, data, fs: recordingFs(events, dataDir) }),
    ).to.equal(undefined);
    expect(events).to.include(`syncFile ${path.relative(dataDir, ws.receiptJson)}`);
    expect(events.some((e) => e.startsWith("writeFile"))).to.equal(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

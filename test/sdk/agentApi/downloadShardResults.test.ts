// The developer's download writes only committed files, only once they check (issue 18, §14.3).
// Old rule: every manifest entry was written into the folder, covered by the commitment or not
// (a `notes.txt` beside `output/` landed in the developer's folder unchecked by any root), and files
// were held in memory whole before writing.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { committedPath, downloadShardResults, ResultsDownloadError, safeRelative } from "../../../sdk/agentApi/results";
import type { ResultsManifest } from "../../../sdk/agentApi/resultsManifest";
import { commitOutputs } from "../../../sdk/executor/commitOutputs";

const developer = privateKeyToAccount(`0x${"51".repeat(32)}`);
const sha = (b: Buffer): Hex => `0x${createHash("sha256").update(b).digest("hex")}`;

/** An agent double: serves `manifest` and `bodies` by manifest path; records the paths asked and the nonces. */
async function fakeAgent(manifest: ResultsManifest, bodies: Record<string, Buffer>) {
  const asked: string[] = [];
  const nonces: string[] = [];
  const server = http.createServer((req, res) => {
    nonces.push(String(req.headers["x-rigel-nonce"]));
    const url = new URL(req.url!, "http://x");
    if (url.pathname.endsWith("/file")) {
      const p = url.searchParams.get("path")!;
      asked.push(p);
      res.end(bodies[p] ?? Buffer.alloc(0));
    } else res.setHeader("content-type", "application/json").end(JSON.stringify(manifest));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/results/1/0`;
  return { url, asked, nonces, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function containerManifest(files: Record<string, Buffer>, extra: ResultsManifest["files"] = []): ResultsManifest {
  const entries = Object.entries(files).map(([p, b]) => ({ path: p, sha256: sha(b), size: b.length }));
  const outputs = entries
    .filter((f) => f.path.startsWith("output/"))
    .map((f) => ({ ...f, path: f.path.slice("output/".length) }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return {
    jobId: "1",
    shard: 0,
    root: commitOutputs({ mode: "files", files: outputs }).root,
    commitment: "container-files",
    files: [...entries, ...extra],
  };
}

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe("sdk/agentApi downloadShardResults: committed files only, checked before written", () => {
  let parent: string;
  let outDir: string;
  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-download-"));
    outDir = path.join(parent, "shard-0");
  });
  afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

  it("checks manifest paths: no `..`, absolute, drive, backslash, empty or dot segment", () => {
    for (const bad of [
      "../evil",
      "output/../../evil",
      "/etc/passwd",
      "C:/x",
      "output\\..\\x",
      "output//x",
      "./x",
      "",
      "a\0b",
    ]) {
      expect(() => safeRelative(bad), bad)
        .to.throw(ResultsDownloadError)
        .with.property("code", "RESULTS_BAD_PATH");
    }
    expect(safeRelative("output/dir/file.txt")).to.equal("output/dir/file.txt");
    expect(committedPath({ commitment: "container-items", items: 2 }, "items/1/x")).to.equal(true);
    expect(committedPath({ commitment: "container-items", items: 2 }, "items/2/x")).to.equal(false);
    expect(committedPath({ commitment: "container-items", items: 2 }, "items/01/x")).to.equal(false);
    expect(committedPath({ commitment: "matmul-rows" }, "output/x")).to.equal(false);
  });

  for (const bad of ["../evil.txt", "/tmp/rigel-evil.txt", "output/../../evil.txt"]) {
    it(`refuses a manifest naming ${bad}: nothing is fetched or written`, async () => {
      const a = Buffer.from("a\n");
      const agent = await fakeAgent(
        containerManifest({ "output/a.txt": a }, [{ path: bad, sha256: sha(a), size: a.length }]),
        { "output/a.txt": a, [bad]: a },
      );
      try {
        const err = await downloadShardResults(agent.url, developer, outDir).catch((e) => e);
        expect(err).to.be.instanceOf(ResultsDownloadError);
        expect(err.code).to.equal("RESULTS_BAD_PATH");
        expect(agent.asked).to.deep.equal([]);
        expect(tree(parent)).to.deep.equal([]);
      } finally {
        await agent.close();
      }
    });
  }

  it("writes the committed files and nothing the commitment does not cover; each request has its own nonce", async () => {
    const a = Buffer.from("result a\n");
    const b = Buffer.from("result b\n");
    const notes = Buffer.from("#!/bin/sh\nrm -rf ~\n");
    const agent = await fakeAgent(
      containerManifest({ "output/a.txt": a, "output/sub/b.txt": b }, [
        { path: "notes.txt", sha256: sha(notes), size: notes.length },
      ]),
      { "output/a.txt": a, "output/sub/b.txt": b, "notes.txt": notes },
    );
    try {
      const got = await downloadShardResults(agent.url, developer, outDir);
      expect(got.skipped).to.deep.equal(["notes.txt"]);
      expect(agent.asked).to.deep.equal(["output/a.txt", "output/sub/b.txt"]);
      expect(tree(outDir)).to.deep.equal(["output", "output/a.txt", "output/sub", "output/sub/b.txt"]);
      expect(fs.readFileSync(path.join(outDir, "output/sub/b.txt"))).to.deep.equal(b);
      expect(new Set(agent.nonces).size).to.equal(agent.nonces.length);
      for (const n of agent.nonces) expect(n).to.match(/^0x[0-9a-f]{64}$/);
    } finally {
      await agent.close();
    }
  });

  const refusals: [string, (files: Record<string, Buffer>) => ResultsManifest, Record<string, Buffer>, string][] = [
    [
      "a file whose bytes do not match its sha256",
      (f) => containerManifest(f),
      { "output/a.txt": Buffer.from("tampered") },
      "RESULTS_FILE_MISMATCH",
    ],
    [
      "files that hash right but do not make the root",
      (f) => ({ ...containerManifest(f), root: `0x${"99".repeat(32)}` }),
      {},
      "RESULTS_ROOT_MISMATCH",
    ],
    [
      "a body longer than the manifest's size",
      (f) => containerManifest(f),
      { "output/b.txt": Buffer.alloc(1 << 20, 1) },
      "RESULTS_FILE_MISMATCH",
    ],
  ];
  for (const [what, manifestOf, served, code] of refusals) {
    it(`refuses ${what}: the folder gets nothing, not even the files that checked`, async () => {
      const files = { "output/a.txt": Buffer.from("good a\n"), "output/b.txt": Buffer.from("good b\n") };
      const agent = await fakeAgent(manifestOf(files), { ...files, ...served });
      try {
        const err = await downloadShardResults(agent.url, developer, outDir).catch((e) => e);
        expect(err).to.be.instanceOf(ResultsDownloadError);
        expect(err.code).to.equal(code);
        expect(tree(outDir)).to.deep.equal([]); // no file, no temporary folder left behind
      } finally {
        await agent.close();
      }
    });
  }
});

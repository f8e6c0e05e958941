import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ContainerJobSpec } from "../../sdk/spec/jobSpecTypes";
import { mergeShards } from "../src/results/mergeShards";
import { tarArchive } from "../src/results/tarArchive";
import type { VerifiedShard } from "../src/results/downloadVerifiedShard";

const text = (s: string) => new TextEncoder().encode(s);

describe("results: tar written in the browser, shards merged in item order", () => {
  it("tar -x reads the archive back, long paths included", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-tar-"));
    const long = `items/7/${"d".repeat(90)}/${"f".repeat(60)}.txt`;
    fs.writeFileSync(
      path.join(dir, "a.tar"),
      tarArchive([
        { path: "items/0/out.txt", bytes: text("zero\n") },
        { path: long, bytes: text("x".repeat(1000)) },
        { path: "empty", bytes: new Uint8Array() },
      ]),
    );
    execFileSync("tar", ["-xf", "a.tar"], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, "items/0/out.txt"), "utf8")).toBe("zero\n");
    expect(fs.readFileSync(path.join(dir, long), "utf8")).toBe("x".repeat(1000));
    expect(fs.statSync(path.join(dir, "empty")).size).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("merges item shards by job item index", () => {
    const spec = { kind: "container", items: [1, 2, 3, 4, 5] } as unknown as ContainerJobSpec;
    const shard = (n: number, items: number, files: [string, string][]): VerifiedShard => ({
      shard: n,
      manifest: { jobId: "1", shard: n, root: "0x", commitment: "container-items", items, files: [] } as never,
      files: files.map(([p, b]) => ({ path: p, bytes: text(b) })),
      source: "store",
      sourceUri: "",
    });
    const merged = mergeShards(spec, 2, [
      // Shard 1 holds job items 2..4 (an even split of 5 over 2: 2 then 3).
      shard(1, 3, [
        ["items/2/o.txt", "e"],
        ["items/1/o.txt", "d"],
        ["items/0/o.txt", "c"],
      ]),
      shard(0, 2, [
        ["items/1/o.txt", "b"],
        ["items/0/o.txt", "a"],
        ["items/0/a.txt", "a0"],
      ]),
    ]);
    expect(merged.map((e) => [e.path, new TextDecoder().decode(e.bytes)])).toEqual([
      ["items/0/a.txt", "a0"],
      ["items/0/o.txt", "a"],
      ["items/1/o.txt", "b"],
      ["items/2/o.txt", "c"],
      ["items/3/o.txt", "d"],
      ["items/4/o.txt", "e"],
    ]);
  });
});

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import type Dockerode from "dockerode";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { ContainerLogLine } from "../../../sdk/executor/dockerClient";
import { ImageNotFoundError } from "../../../sdk/executor/ensureImage";
import { InputHashMismatchError } from "../../../sdk/executor/fetchInput";
import { findContainers } from "../../../sdk/executor/findContainers";
import { runContainerJob } from "../../../sdk/executor/runContainerJob";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { SpecValidationError } from "../../../sdk/spec/SpecValidationError";
import { dockerForTests, tempDir, TEST_IMAGE } from "./dockerTestEnv";

const sha256 = (data: Buffer | string): `0x${string}` => `0x${createHash("sha256").update(data).digest("hex")}`;

describe("sdk/executor/runContainerJob (real Docker engine)", function () {
  let docker: Dockerode;
  let dir: string;
  const job = `9${randomBytes(4).readUInt32BE(0)}`;
  let inputFile: string;
  const inputData = "rigel input bytes\n";

  before(async function () {
    docker = await dockerForTests(this);
    dir = await tempDir("job");
    inputFile = path.join(dir, "data.txt");
    await fs.writeFile(inputFile, inputData);
  });

  after(async function () {
    if (!docker) return;
    for (const c of await findContainers(docker, { job })) await docker.getContainer(c.id).remove({ force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  function containerSpec(fields: Record<string, unknown>): ContainerJobSpec {
    return parseJobSpec({
      kind: "container",
      image: TEST_IMAGE,
      memoryMiB: 64,
      timeoutSec: 60,
      ...fields,
    }) as ContainerJobSpec;
  }

  it("runs a job end to end: inputs read-only, outputs committed, logs kept, container removed", async function () {
    const script = [
      "cat /rigel/inputs/data.txt > $RIGEL_OUTPUT/copy.txt",
      "if echo tamper >> /rigel/inputs/data.txt; then echo writable; else echo refused; fi > $RIGEL_OUTPUT/append.txt",
      "if rm /rigel/inputs/data.txt; then echo removed; else echo kept; fi > $RIGEL_OUTPUT/remove.txt",
      'mkdir -p $RIGEL_OUTPUT/sub && echo "$RIGEL_JOB/$RIGEL_SHARD" > $RIGEL_OUTPUT/sub/ids.txt',
      "echo to-stdout",
      "echo to-stderr >&2",
    ].join("\n");
    const spec = containerSpec({
      command: ["sh", "-c", script],
      inputs: [{ name: "data.txt", uri: pathToFileURL(inputFile).href, sha256: sha256(inputData) }],
    });
    const lines: ContainerLogLine[] = [];
    const workDir = path.join(dir, "shard-0");
    const result = await runContainerJob(docker, {
      spec,
      job,
      shard: 0,
      workDir,
      cacheDir: path.join(dir, "cache"),
      onLog: (l) => lines.push(l),
    });

    expect(result.status).to.equal("succeeded");
    expect(result.runs).to.have.length(1);
    const run = result.runs[0];
    expect(run.exitCode).to.equal(0);
    expect(run.timedOut).to.equal(false);
    expect(run.oomKilled).to.equal(false);
    const image = await docker.getImage(TEST_IMAGE).inspect();
    expect(run.imageId).to.equal(image.Id);
    expect(run.imageRepoDigest).to.equal(null);
    // Docker's own times (its start and exit clocks differ, so finish may read a hair before start).
    expect(Number.isNaN(Date.parse(run.startedAt))).to.equal(false);
    expect(Number.isNaN(Date.parse(run.finishedAt))).to.equal(false);
    expect(run.durationMs).to.be.at.least(0);

    const out = path.join(workDir, "output");
    expect(await fs.readFile(path.join(out, "copy.txt"), "utf8")).to.equal(inputData);
    expect(await fs.readFile(path.join(out, "append.txt"), "utf8")).to.equal("refused\n");
    expect(await fs.readFile(path.join(out, "remove.txt"), "utf8")).to.equal("kept\n");
    expect(await fs.readFile(path.join(out, "sub/ids.txt"), "utf8")).to.equal(`${job}/0\n`);
    expect(await fs.readFile(inputFile, "utf8")).to.equal(inputData);

    // The commitment, recomputed from the files on disk.
    const names = ["append.txt", "copy.txt", "remove.txt", "sub/ids.txt"];
    const leaves = await Promise.all(
      names.map(async (n) => [n, sha256(await fs.readFile(path.join(out, n)))] as [string, string]),
    );
    expect(run.outputs.map((o) => o.path)).to.deep.equal(names);
    expect(result.commitment?.root).to.equal(StandardMerkleTree.of(leaves, ["string", "bytes32"]).root);
    expect(result.commitment?.leafEncoding).to.deep.equal(["string", "bytes32"]);

    expect(lines.map((l) => [l.stream, l.text])).to.deep.include.members([
      ["stdout", "to-stdout"],
      ["stderr", "to-stderr"],
    ]);
    expect(lines.every((l) => l.containerId === run.containerId && l.item === null)).to.equal(true);
    const log = await fs.readFile(path.join(workDir, "logs", "shard-0.log"), "utf8");
    expect(log).to.include("[stdout] to-stdout\n").and.include("[stderr] to-stderr\n");

    expect(await findContainers(docker, { job, shard: 0 })).to.deep.equal([]);
  });

  it("runs each item in its own container and commits one leaf per item", async function () {
    const script = [
      'printf "%s" "$RIGEL_ITEM" > $RIGEL_OUTPUT/item.txt',
      "cp $RIGEL_ITEM_FILE $RIGEL_OUTPUT/item.json",
      "echo $RIGEL_ITEM_INDEX > $RIGEL_OUTPUT/index.txt",
    ].join("\n");
    const spec = containerSpec({ command: ["sh", "-c", script], items: ["alpha", { n: 2, a: [true, null] }, 3] });
    expect(spec.verification).to.equal("sampled");
    const workDir = path.join(dir, "shard-1");
    const result = await runContainerJob(docker, { spec, job, shard: 1, workDir, cacheDir: path.join(dir, "cache") });

    expect(result.status).to.equal("succeeded");
    expect(result.runs.map((r) => [r.item, r.exitCode])).to.deep.equal([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    const expectedItem = ["alpha", '{"a":[true,null],"n":2}', "3"];
    const expectedFile = ['"alpha"', '{"a":[true,null],"n":2}', "3"];
    const hashes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = path.join(workDir, "items", String(i), "output");
      expect(await fs.readFile(path.join(out, "item.txt"), "utf8")).to.equal(expectedItem[i]);
      expect(await fs.readFile(path.join(out, "item.json"), "utf8")).to.equal(expectedFile[i]);
      expect(await fs.readFile(path.join(out, "index.txt"), "utf8")).to.equal(`${i}\n`);
      // The item hash by the recipe documented in PROTOCOL.md, with coreutils.
      const { stdout } = await promisify(execFile)(
        "sh",
        ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"],
        { cwd: out },
      );
      hashes.push(`0x${stdout.split(" ")[0]}`);
      expect(result.itemHashes.get(i)).to.equal(hashes[i]);
    }
    const tree = StandardMerkleTree.of(
      hashes.map((h, i) => [i, h]),
      ["uint256", "bytes32"],
    );
    expect(result.commitment?.root).to.equal(tree.root);

    // An oracle re-running one sampled item gets the same hash, and no root.
    const again = await runContainerJob(docker, {
      spec,
      job,
      shard: 1,
      workDir: path.join(dir, "shard-1-oracle"),
      cacheDir: path.join(dir, "cache"),
      onlyItems: [1],
    });
    expect([...again.itemHashes.entries()]).to.deep.equal([[1, hashes[1]]]);
    expect(again.commitment).to.equal(null);

    // An agent resuming after a restart: item 0 was done before, only items 1 and 2 run.
    const resumed = await runContainerJob(docker, {
      spec,
      job,
      shard: 1,
      workDir: path.join(dir, "shard-1-resumed"),
      cacheDir: path.join(dir, "cache"),
      completedItems: new Map([[0, hashes[0] as `0x${string}`]]),
    });
    expect(resumed.runs.map((r) => r.item)).to.deep.equal([1, 2]);
    expect(resumed.commitment?.root).to.equal(tree.root);
    expect(await findContainers(docker, { job, shard: 1 })).to.deep.equal([]);
  });

  it("stops at the first failing item and commits nothing", async function () {
    const spec = containerSpec({ command: ["sh", "-c", 'test "$RIGEL_ITEM" != bad'], items: ["ok", "bad", "never"] });
    const result = await runContainerJob(docker, {
      spec,
      job,
      shard: 2,
      workDir: path.join(dir, "shard-2"),
      cacheDir: path.join(dir, "cache"),
    });
    expect(result.status).to.equal("failed");
    expect(result.runs.map((r) => [r.item, r.exitCode])).to.deep.equal([
      [0, 0],
      [1, 1],
    ]);
    expect(result.commitment).to.equal(null);
  });

  it("refuses an input whose sha256 does not match, before any container exists", async function () {
    const wrong = sha256("something else");
    const spec = containerSpec({
      command: ["true"],
      inputs: [{ name: "data.txt", uri: pathToFileURL(inputFile).href, sha256: wrong }],
    });
    const cacheDir = path.join(dir, "cache-mismatch");
    const err = await runContainerJob(docker, {
      spec,
      job,
      shard: 3,
      workDir: path.join(dir, "shard-3"),
      cacheDir,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(InputHashMismatchError);
    expect((err as InputHashMismatchError).code).to.equal("EXECUTOR_INPUT_HASH_MISMATCH");
    expect((err as InputHashMismatchError).details).to.deep.equal({
      uri: pathToFileURL(inputFile).href,
      expected: wrong,
      actual: sha256(inputData),
    });
    expect(await fs.readdir(cacheDir)).to.deep.equal([]);
    expect(await findContainers(docker, { job, shard: 3 })).to.deep.equal([]);
  });

  it("refuses a spec that fails its schema with every problem, before anything runs", async function () {
    const text = JSON.stringify({
      kind: "container",
      image: TEST_IMAGE,
      command: ["true"],
      memoryMiB: 1,
      network: "host",
      inputs: [{ name: "../escape", uri: "gopher://x", sha256: "00" }],
    });
    const err = (() => {
      try {
        parseJobSpec(text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).to.be.instanceOf(SpecValidationError);
    expect((err as SpecValidationError).issues).to.deep.equal([
      { path: "memoryMiB", message: "must be between 8 and 4194304" },
      { path: "network", message: 'must be one of "none", "bridge"' },
      {
        path: "inputs[0].name",
        message: "must be a file name of letters, digits, '.', '_' or '-' (not starting with '.')",
      },
      { path: "inputs[0].uri", message: "must be a file://, http:// or https:// URL" },
      { path: "inputs[0].sha256", message: "must be 32 bytes as 64 hex digits (0x optional)" },
    ]);
    expect(await findContainers(docker, { job })).to.deep.equal([]);
  });

  it("reports an image that does not exist clearly", async function () {
    const spec = containerSpec({ image: "rigel/does-not-exist:1", command: ["true"] });
    const err = await runContainerJob(docker, {
      spec,
      job,
      shard: 4,
      workDir: path.join(dir, "shard-4"),
      cacheDir: path.join(dir, "cache"),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ImageNotFoundError);
    expect((err as ImageNotFoundError).message).to.equal(
      "image rigel/does-not-exist:1 is not on this host (pulling is off)",
    );
    expect(await findContainers(docker, { job, shard: 4 })).to.deep.equal([]);
  });
});

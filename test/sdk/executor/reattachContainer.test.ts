import { expect } from "chai";
import type Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { buildContainerOptions } from "../../../sdk/executor/buildContainerOptions";
import { findContainers } from "../../../sdk/executor/findContainers";
import { prepareOutputDir } from "../../../sdk/executor/prepareOutputDir";
import { defaultSandbox } from "../../../sdk/executor/containerSandbox";
import { reattachContainer } from "../../../sdk/executor/reattachContainer";
import { runContainer } from "../../../sdk/executor/runContainer";
import { ContainerDetachedError } from "../../../sdk/executor/superviseContainer";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { dockerForTests, tempDir, TEST_IMAGE } from "./dockerTestEnv";

describe("sdk/executor/reattachContainer (real Docker engine)", function () {
  let docker: Dockerode;
  let dir: string;
  const job = `7${randomBytes(4).readUInt32BE(0)}`;

  before(async function () {
    docker = await dockerForTests(this);
    dir = await tempDir("reattach");
  });

  after(async function () {
    if (!docker) return;
    for (const c of await findContainers(docker, { job })) await docker.getContainer(c.id).remove({ force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  function spec(script: string, timeoutSec = 60): ContainerJobSpec {
    return parseJobSpec({
      kind: "container",
      image: TEST_IMAGE,
      command: ["sh", "-c", script],
      memoryMiB: 64,
      timeoutSec,
    }) as ContainerJobSpec;
  }

  /** What an agent that died right after `docker create` (and maybe `start`) leaves behind. */
  async function leftBehind(shard: number, s: ContainerJobSpec, start: boolean): Promise<Dockerode.Container> {
    const outputDir = path.join(dir, `shard-${shard}`, "output");
    await prepareOutputDir(outputDir, defaultSandbox().user);
    const logFile = path.join(dir, `shard-${shard}`, "container.log");
    const container = await docker.createContainer(
      buildContainerOptions({ spec: s, job, shard, inputPaths: {}, outputDir, logFile }),
    );
    if (start) await container.start();
    return container;
  }

  it("finds a container an agent stopped watching and follows it to its end", async function () {
    const outputDir = path.join(dir, "shard-1", "output");
    const logFile = path.join(dir, "shard-1", "container.log");
    const detach = new AbortController();
    const err = await runContainer(docker, {
      spec: spec("echo one; sleep 3; echo done > $RIGEL_OUTPUT/result.txt; echo two"),
      job,
      shard: 1,
      inputPaths: {},
      outputDir,
      logFile,
      signal: detach.signal,
      onLog: (line) => line.text === "one" && detach.abort(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ContainerDetachedError);

    const found = await findContainers(docker, { job, shard: 1 });
    expect(found).to.have.length(1);
    expect(found[0]).to.include({ job, shard: 1, item: null, state: "running" });

    const lines: string[] = [];
    const result = await reattachContainer(docker, { containerId: found[0].id, onLog: (l) => lines.push(l.text) });
    expect(result.exitCode).to.equal(0);
    expect(result.succeeded).to.equal(true);
    expect(result.outputDir).to.equal(path.resolve(outputDir));
    expect(result.outputs.map((o) => o.path)).to.deep.equal(["result.txt"]);
    // Live lines from the re-attach on; the log file has every line, once.
    expect(lines).to.deep.equal(["two"]);
    expect(await fs.readFile(logFile, "utf8")).to.equal("[stdout] one\n[stdout] two\n");
    expect(await findContainers(docker, { job, shard: 1 })).to.deep.equal([]);
  });

  it("starts a container that was created but never started", async function () {
    await leftBehind(2, spec("echo ran > $RIGEL_OUTPUT/ran.txt"), false);
    const found = await findContainers(docker, { job, shard: 2 });
    expect(found.map((f) => f.state)).to.deep.equal(["created"]);
    const result = await reattachContainer(docker, { containerId: found[0].id });
    expect(result.exitCode).to.equal(0);
    expect(result.outputs.map((o) => o.path)).to.deep.equal(["ran.txt"]);
    expect(await findContainers(docker, { job, shard: 2 })).to.deep.equal([]);
  });

  it("collects a container that exited while nobody watched", async function () {
    const container = await leftBehind(3, spec("echo bye; exit 5"), true);
    await container.wait({ condition: "not-running" });
    const result = await reattachContainer(docker, { containerId: container.id });
    expect(result.exitCode).to.equal(5);
    expect(result.succeeded).to.equal(false);
    expect(result.timedOut).to.equal(false);
    expect(await fs.readFile(result.logFile, "utf8")).to.equal("[stdout] bye\n");
    expect(await findContainers(docker, { job, shard: 3 })).to.deep.equal([]);
  });

  it("still enforces the timeout, counted from the container's start", async function () {
    const container = await leftBehind(4, spec("sleep 600", 1), true);
    const result = await reattachContainer(docker, { containerId: container.id });
    expect(result.timedOut).to.equal(true);
    expect(result.exitCode).to.equal(137);
    expect(await findContainers(docker, { job, shard: 4 })).to.deep.equal([]);
  });
});

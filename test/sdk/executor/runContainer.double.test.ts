import { expect } from "chai";
import Dockerode from "dockerode";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { DockerClient } from "../../../sdk/executor/dockerClient";
import { runContainer } from "../../../sdk/executor/runContainer";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { tempDir } from "./dockerTestEnv";

/** One stdout frame of Docker's multiplexed stream. */
function frame(text: string): Buffer {
  const header = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}

/** A Docker client double that records the calls made to it, in order. */
function fakeDocker(options: { logsFail?: boolean } = {}) {
  const calls: string[] = [];
  let exit: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (exit = resolve));
  const container = {
    id: "c0ffee",
    // dockerode's real demultiplexer (no connection is made).
    modem: new Dockerode().modem,
    wait: async (opts: { condition?: string }) => {
      calls.push(`wait ${opts.condition}`);
      await exited;
      return { StatusCode: 0 };
    },
    start: async () => {
      calls.push("start");
      setTimeout(exit, 5);
    },
    attach: async () => {
      calls.push("attach");
      return Readable.from([frame("live\n")]);
    },
    logs: async () => {
      calls.push("logs");
      if (options.logsFail) throw new Error("logs unavailable");
      return Readable.from([Buffer.concat([frame("hi\n"), frame("there")])]);
    },
    inspect: async () => {
      calls.push("inspect");
      return {
        Image: "sha256:image",
        State: {
          Status: "exited",
          Running: false,
          ExitCode: 0,
          OOMKilled: false,
          StartedAt: "2026-01-01T00:00:00.000Z",
          FinishedAt: "2026-01-01T00:00:01.500Z",
        },
      };
    },
    kill: async () => calls.push("kill"),
    remove: async () => calls.push("remove"),
  };
  const docker = {
    getImage: () => ({ inspect: async () => ({ Id: "sha256:image", RepoDigests: [] }) }),
    createContainer: async () => {
      calls.push("create");
      return container;
    },
  } as unknown as DockerClient;
  return { docker, calls };
}

describe("sdk/executor/runContainer (with a Docker client double)", () => {
  let dir: string;
  const spec = parseJobSpec({ kind: "container", image: "x:1", command: ["true"] }) as ContainerJobSpec;

  before(async () => {
    dir = await tempDir("double");
  });

  after(() => fs.rm(dir, { recursive: true, force: true }));

  it("waits for the next exit before starting, then reads, removes and reports", async () => {
    const { docker, calls } = fakeDocker();
    const logFile = path.join(dir, "a", "c.log");
    const result = await runContainer(docker, {
      spec,
      job: "1",
      shard: 0,
      inputPaths: {},
      outputDir: path.join(dir, "a", "out"),
      logFile,
    });
    expect(calls).to.deep.equal(["create", "wait next-exit", "start", "logs", "inspect", "remove"]);
    expect(result).to.deep.include({
      containerId: "c0ffee",
      exitCode: 0,
      succeeded: true,
      timedOut: false,
      durationMs: 1500,
      imageId: "sha256:image",
      imageRepoDigest: null,
      outputs: [],
    });
    expect(await fs.readFile(logFile, "utf8")).to.equal("[stdout] hi\n[stdout] there\n");
  });

  it("attaches before starting when the caller wants the output live", async () => {
    const { docker, calls } = fakeDocker();
    const lines: string[] = [];
    await runContainer(docker, {
      spec,
      job: "1",
      shard: 2,
      inputPaths: {},
      outputDir: path.join(dir, "c", "out"),
      logFile: path.join(dir, "c", "c.log"),
      onLog: (l) => lines.push(`${l.stream} ${l.text}`),
    });
    expect(calls).to.deep.equal(["create", "attach", "wait next-exit", "start", "logs", "inspect", "remove"]);
    expect(lines).to.deep.equal(["stdout live"]);
  });

  it("still supervises and removes a container whose log cannot be read", async () => {
    const { docker, calls } = fakeDocker({ logsFail: true });
    const logFile = path.join(dir, "b", "c.log");
    const result = await runContainer(docker, {
      spec,
      job: "1",
      shard: 1,
      inputPaths: {},
      outputDir: path.join(dir, "b", "out"),
      logFile,
    });
    expect(result.succeeded).to.equal(true);
    expect(calls.slice(-2)).to.deep.equal(["inspect", "remove"]);
    expect(await fs.readFile(logFile, "utf8")).to.equal(
      "[rigel] the container's log could not be read: logs unavailable\n",
    );
  });
});

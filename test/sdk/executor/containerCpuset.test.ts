// The executor pins a container to the spec's CPUs (PROTOCOL §12.3): `nproc` inside reads them on
// every host, the agent's and the oracle's alike.
import { expect } from "chai";
import type Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildContainerOptions } from "../../../sdk/executor/buildContainerOptions";
import { containerCpuset, hostCpuIds, NotEnoughCpusError } from "../../../sdk/executor/containerCpuset";
import { findContainers } from "../../../sdk/executor/findContainers";
import { runContainerJob } from "../../../sdk/executor/runContainerJob";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { dockerForTests, tempDir, TEST_IMAGE } from "./dockerTestEnv";

function spec(fields: Record<string, unknown> = {}): ContainerJobSpec {
  return parseJobSpec({
    kind: "container",
    image: TEST_IMAGE,
    memoryMiB: 64,
    timeoutSec: 60,
    ...fields,
  }) as ContainerJobSpec;
}

describe("sdk/executor cpuset", () => {
  it("takes ⌈milliCpus / 1000⌉ of the host's CPUs, the same ones for the same key, and keeps the NanoCpus limit", () => {
    const host = [0, 1, 2, 3];
    for (const [milliCpus, n] of [
      [10, 1],
      [1000, 1],
      [1001, 2],
      [2500, 3],
      [4000, 4],
    ] as const) {
      const set = containerCpuset({ spec: { milliCpus }, hostCpus: host, key: "7/0/1" });
      expect(set.split(",")).to.have.length(n);
      expect(set).to.equal(containerCpuset({ spec: { milliCpus }, hostCpus: host, key: "7/0/1" }));
    }
    const used = new Set(
      Array.from({ length: 32 }, (_, i) =>
        containerCpuset({ spec: { milliCpus: 1000 }, hostCpus: host, key: `1/${i}/` }),
      ),
    );
    expect(used.size).to.be.greaterThan(1); // spread over the host, not all on CPU 0
    const o = buildContainerOptions({
      spec: spec({ milliCpus: 1500 }),
      job: "1",
      shard: 0,
      inputPaths: {},
      outputDir: "/tmp/out",
      logFile: "/tmp/l.log",
      hostCpus: [4, 5, 6],
    });
    expect(o.HostConfig?.NanoCpus).to.equal(1_500_000_000);
    expect(o.HostConfig?.CpusetCpus?.split(",").map(Number))
      .to.have.length(2)
      .and.satisfy((ids: number[]) => ids.every((i) => [4, 5, 6].includes(i)));
  });

  it("a spec asking for more CPUs than the host has is refused with a clear error, before any container", () => {
    expect(() => containerCpuset({ spec: { milliCpus: 4001 }, hostCpus: [0, 1, 2, 3], key: "" }))
      .to.throw(NotEnoughCpusError, "the spec asks for 5 CPUs and this host has 4")
      .with.property("code", "EXECUTOR_NOT_ENOUGH_CPUS");
    expect(hostCpuIds()).to.have.length(os.cpus().length);
  });

  describe("real Docker engine", function () {
    let docker: Dockerode;
    let dir: string;
    const job = `8${randomBytes(4).readUInt32BE(0)}`;

    before(async function () {
      docker = await dockerForTests(this);
      dir = await tempDir("cpuset");
    });

    after(async function () {
      if (!docker) return;
      for (const c of await findContainers(docker, { job })) await docker.getContainer(c.id).remove({ force: true });
      await fs.rm(dir, { recursive: true, force: true });
    });

    async function nproc(milliCpus: number, shard: number): Promise<string> {
      const workDir = path.join(dir, `shard-${shard}`);
      const result = await runContainerJob(docker, {
        spec: spec({ milliCpus, command: ["sh", "-c", "nproc > $RIGEL_OUTPUT/nproc"] }),
        job,
        shard,
        workDir,
        cacheDir: path.join(dir, "cache"),
      });
      expect(result.status).to.equal("succeeded");
      return (await fs.readFile(path.join(workDir, "output", "nproc"), "utf8")).trim();
    }

    it("regression (nproc read the host's CPUs): nproc inside prints the spec's CPUs, 1 for a 1-CPU spec on a bigger host", async function () {
      if (hostCpuIds().length < 2) this.skip();
      expect(await nproc(1000, 0)).to.equal("1");
      expect(await nproc(500, 1)).to.equal("1");
      expect(await nproc(2000, 2)).to.equal("2");
    });

    it("a spec with more CPUs than the host fails before anything runs", async function () {
      const cpus = hostCpuIds().length;
      const err = await runContainerJob(docker, {
        spec: spec({ milliCpus: (cpus + 1) * 1000, command: ["true"] }),
        job,
        shard: 9,
        workDir: path.join(dir, "shard-9"),
        cacheDir: path.join(dir, "cache"),
      }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NotEnoughCpusError);
      expect(await findContainers(docker, { job, shard: 9 })).to.have.length(0);
    });
  });
});

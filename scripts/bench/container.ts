// Bench suite "container": create → start → exit of a trivial command in a container on the local
// Docker engine, against spawning the same command as a plain process in the same run.
// Needs a Docker engine and the image rigel/busybox:test. Run alone: npx ts-node scripts/bench/container.ts
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { buildContainerOptions } from "../../sdk/executor/buildContainerOptions";
import type { ContainerJobSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { emit, quick, row, since } from "./rows";

async function main(): Promise<void> {
  const runs = quick() ? 5 : 20;
  const docker = new Dockerode();
  await docker.ping();
  const spec = parseJobSpec({
    kind: "container",
    image: "rigel/busybox:test",
    command: ["true"],
    memoryMiB: 64,
  }) as ContainerJobSpec;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rigel-bench-"));
  const containerMs: number[] = [];
  const processMs: number[] = [];
  try {
    for (let i = -1; i < runs; i++) {
      const outputDir = path.join(dir, `out-${i}`);
      await fs.mkdir(outputDir, { recursive: true });
      const options = buildContainerOptions({
        spec,
        job: "0",
        shard: 0,
        inputPaths: {},
        outputDir,
        logFile: path.join(dir, "log"),
      });
      const t0 = process.hrtime.bigint();
      const container = await docker.createContainer(options);
      const exited = container.wait({ condition: "next-exit" });
      await container.start();
      await exited;
      const ms = since(t0) * 1000;
      await container.remove({ force: true });
      const p0 = process.hrtime.bigint();
      spawnSync("true");
      const pms = since(p0) * 1000;
      if (i >= 0) {
        containerMs.push(ms);
        processMs.push(pms);
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const sorted = [...processMs].sort((a, b) => a - b);
  emit([
    row("container", "container create → exit (`true`)", containerMs, "ms", {
      label: "spawn `true` as a process, same run",
      value: sorted[sorted.length >> 1],
      unit: "ms",
    }),
  ]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

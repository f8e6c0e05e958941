// Container overhead: how long a trivial command (`true`) takes from `docker create` to its exit,
// on the local engine with the local test image. Prints the median, min and max of N runs.
//   npx ts-node scripts/bench-container.ts [runs=20] [image=rigel/busybox:test]
// Needs a Docker engine (scripts/start-docker.sh) and the image (scripts/build-test-image.sh).
import Dockerode from "dockerode";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildContainerOptions } from "../sdk/executor/buildContainerOptions";
import { runContainer } from "../sdk/executor/runContainer";
import type { ContainerJobSpec } from "../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../sdk/spec/parseJobSpec";

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 20);
  const image = process.argv[3] ?? "rigel/busybox:test";
  const docker = new Dockerode();
  const engine = await docker.version();
  const spec = parseJobSpec({ kind: "container", image, command: ["true"], memoryMiB: 64 }) as ContainerJobSpec;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rigel-bench-"));
  const job = "0";
  const raw: number[] = [];
  const full: number[] = [];
  try {
    // One warm-up run of each, not counted.
    for (let i = -1; i < runs; i++) {
      const outputDir = path.join(dir, `raw-${i}`);
      await fs.mkdir(outputDir, { recursive: true });
      const options = buildContainerOptions({
        spec,
        job,
        shard: 0,
        inputPaths: {},
        outputDir,
        logFile: path.join(dir, "raw.log"),
      });
      const t0 = process.hrtime.bigint();
      const container = await docker.createContainer(options);
      const exited = container.wait({ condition: "next-exit" });
      await container.start();
      await exited;
      const t1 = process.hrtime.bigint();
      await container.remove({ force: true });
      if (i >= 0) raw.push(Number(t1 - t0) / 1e6);

      const s0 = process.hrtime.bigint();
      await runContainer(docker, {
        spec,
        job,
        shard: 1,
        inputPaths: {},
        outputDir: path.join(dir, `full-${i}`),
        logFile: path.join(dir, `full-${i}.log`),
      });
      const s1 = process.hrtime.bigint();
      if (i >= 0) full.push(Number(s1 - s0) / 1e6);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  console.log(
    `engine ${engine.Version} (API ${engine.ApiVersion}), ${os.cpus().length} CPUs, image ${image}, ${runs} runs`,
  );
  console.log(`create → start → exit (dockerode, bare):        ${summary(raw)}`);
  console.log(`runContainer (image check, logs, inspect, remove): ${summary(full)}`);
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return `median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

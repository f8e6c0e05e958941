import Dockerode from "dockerode";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { RunContainerParameters } from "../../../sdk/executor/runContainer";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

/** The local image the container tests run (scripts/build-test-image.sh builds it; no registry). */
export const TEST_IMAGE = "rigel/busybox:test";

const root = path.resolve(__dirname, "../../..");

/**
 * A Docker client for the container tests, with the test image present. Without a reachable engine
 * the calling suite is skipped with a printed reason, unless RIGEL_REQUIRE_DOCKER=1 (set by .ci/run
 * once it has started an engine), where that is a failure instead.
 */
export async function dockerForTests(ctx: Mocha.Context): Promise<Dockerode> {
  const docker = new Dockerode();
  const unavailable = (reason: string): never => {
    if (process.env.RIGEL_REQUIRE_DOCKER === "1") throw new Error(`Docker is required here: ${reason}`);
    console.log(`      (skipped: ${reason}; run scripts/start-docker.sh as root to run these tests)`);
    // Skipped on purpose: no Docker engine on this machine (CI starts one, so they run there).
    ctx.skip();
  };
  try {
    // Generous: a loaded machine answers slowly; a missing engine refuses at once.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer in 30 s")), 30_000))),
    ]).finally(() => clearTimeout(timer));
  } catch (err) {
    return unavailable(`no Docker engine answers (${(err as Error).message})`);
  }
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    try {
      await promisify(execFile)(path.join(root, "scripts/build-test-image.sh"), [TEST_IMAGE]);
    } catch (err) {
      return unavailable(`the test image ${TEST_IMAGE} could not be built (${(err as Error).message})`);
    }
  }
  return docker;
}

/** A fresh temporary directory; remove it with `fs.rm(dir, { recursive: true })`. */
export function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `rigel-${prefix}-`));
}

/**
 * Parameters for runs of `sh -c SCRIPT` in the test image, each on its own shard of `job` with its
 * output and log under `dir` (a thunk: suites make `dir` in `before`). `defaults` are spec fields every
 * run gets (a call's `fields` override them); `extra` goes into every parameter set (e.g. a sandbox).
 */
export function shellRuns(
  job: string,
  dir: () => string,
  defaults: Record<string, unknown>,
  extra: Partial<RunContainerParameters> = {},
): (script: string, fields?: Record<string, unknown>) => RunContainerParameters {
  let shard = 0;
  return (script, fields = {}) => {
    const spec = parseJobSpec({
      kind: "container",
      image: TEST_IMAGE,
      command: ["sh", "-c", script],
      ...defaults,
      ...fields,
    }) as ContainerJobSpec;
    shard += 1;
    return {
      spec,
      job,
      shard,
      inputPaths: {},
      outputDir: path.join(dir(), `shard-${shard}`, "output"),
      logFile: path.join(dir(), `shard-${shard}`, "container.log"),
      ...extra,
    };
  };
}

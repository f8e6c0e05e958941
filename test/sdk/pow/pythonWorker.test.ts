import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256 } from "viem";
import { PowWorkloadError } from "../../../sdk/pow/errors";
import { proveMatmul } from "../../../sdk/pow/prove";
import { readWorkerOutput } from "../../../sdk/pow/readWorkerOutput";

const WORKER = path.join(__dirname, "..", "..", "..", "sdk", "python", "worker.py");

describe("sdk/python/worker.py against the TypeScript prover", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "rigel-worker-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("computes the same C, row hashes and root for a workload off the block sizes", async () => {
    const workload = { seed: keccak256("0x776f726b6572"), m: 37, n: 301, k: 259 };
    const run = spawnSync(
      "python3",
      [WORKER, "--seed", workload.seed, "--m", "37", "--n", "301", "--k", "259", "--out", dir, "--device", "cpu"],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout).device).to.equal("cpu");
    const output = await readWorkerOutput(dir, workload);
    const proof = await proveMatmul(workload, { threads: 1 });
    expect(output.commitment.root).to.equal(proof.commitment.root);
    expect(output.rowHashes).to.deep.equal(proof.rowHashes);
    expect(Array.from(output.c)).to.deep.equal(Array.from(proof.c));
  });

  it("refuses an output whose root or shape disagrees", async () => {
    const workload = { seed: keccak256("0x02"), m: 3, n: 4, k: 5 };
    const run = spawnSync(
      "python3",
      [WORKER, "--seed", workload.seed, "--m", "3", "--n", "4", "--k", "5", "--out", dir],
      {
        encoding: "utf8",
      },
    );
    expect(run.status, run.stderr).to.equal(0);
    let thrown: unknown;
    try {
      await readWorkerOutput(dir, { ...workload, n: 5 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(PowWorkloadError);
    const result = JSON.parse(run.stdout);
    writeFileSync(path.join(dir, "result.json"), JSON.stringify({ ...result, root: keccak256("0x03") }));
    thrown = undefined;
    try {
      await readWorkerOutput(dir, workload);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(PowWorkloadError);
    expect((thrown as PowWorkloadError).message).to.contain("root");
  });
});

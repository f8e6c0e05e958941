import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { runContainerJob } from "../../sdk/executor/runContainerJob";
import { HttpError } from "../../sdk/errors/HttpError";
import type { SampledItemJson } from "../../sdk/oracleApi/types";
import { sampleIndices } from "../../sdk/pow/sample";
import type { ContainerJobSpec } from "../../sdk/spec/jobSpecTypes";
import { containerShardItems } from "../../sdk/spec/shardWork";
import type { VerifierFinding } from "./verdict";

/** Input of {@link verifyContainerItems}. */
export interface VerifyContainerItemsParameters {
  spec: ContainerJobSpec;
  jobId: bigint;
  shards: number;
  shard: number;
  root: Hex;
  beacon: Hex;
  s: number;
  /** The sampled items as posted: LOCAL indices (position in the shard's item range), in the order drawn. */
  items: readonly SampledItemJson[];
  docker: DockerClient;
  workDir: string;
  cacheDir: string;
  /** The executor (sdk/executor runContainerJob); tests pass a fake. */
  run?: typeof runContainerJob;
}

/**
 * Container jobs in `sampled` mode: the sample of the shard's items is drawn from the beacon
 * (`sampleIndices(beacon, itemCount, s)`, local indices), each posted leaf `[i, outputHash]` must
 * be in the submitted outputs tree (PROTOCOL §12.4), and the node re-runs those items with the
 * sdk's Docker executor and compares its item hashes with the posted ones.
 */
export async function verifyContainerItems(p: VerifyContainerItemsParameters): Promise<VerifierFinding> {
  const range = containerShardItems(p.spec, p.shards, p.shard);
  if (range === undefined) {
    throw new HttpError(422, "ORACLE_UNSUPPORTED", "a single-run container job has no items to sample");
  }
  const fail = (reason: string): VerifierFinding => ({ valid: false, reason, verified: true });
  const indices = sampleIndices(p.beacon, range.end - range.start, p.s);
  if (p.items.length !== indices.length || p.items.some((item, i) => item.index !== indices[i])) {
    return fail("ITEM_SAMPLE_MISMATCH");
  }
  for (const item of p.items) {
    if (!StandardMerkleTree.verify(p.root, ["uint256", "bytes32"], [item.index, item.outputHash], item.proof))
      return fail("ITEM_BAD_PROOF");
  }
  const run = p.run ?? runContainerJob;
  const result = await run(p.docker, {
    spec: p.spec,
    job: p.jobId.toString(),
    shard: p.shard,
    workDir: p.workDir,
    cacheDir: p.cacheDir,
    onlyItems: indices.map((i) => range.start + i),
  });
  if (result.status !== "succeeded") return fail("ITEM_RUN_FAILED");
  for (const item of p.items) {
    const mine = result.itemHashes.get(range.start + item.index);
    if (mine === undefined || mine.toLowerCase() !== item.outputHash.toLowerCase()) return fail("ITEM_OUTPUT_MISMATCH");
  }
  return { valid: true, reason: "verified", verified: true };
}

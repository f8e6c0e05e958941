import path from "node:path";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import { HttpError } from "../../sdk/errors/HttpError";
import type { ContainerItemVerifier } from "../proofService";
import { verifyContainerItems } from "./verifyContainerItems";

/** The node's container verifier: re-runs sampled items with the sdk's Docker executor. */
export function dockerItemVerifier(p: {
  docker: DockerClient;
  workDir: string;
  sampleSize: number;
}): ContainerItemVerifier {
  return {
    async verify({ jobId, shard, spec, shards, root, beacon, request }) {
      if (spec.kind !== "container") throw new HttpError(400, "ORACLE_BAD_FIELD", "kind: not a container job");
      if (!request.items)
        throw new HttpError(400, "ORACLE_BAD_FIELD", "items: required in sampled mode", {
          details: { field: "items" },
        });
      return verifyContainerItems({
        spec,
        jobId,
        shards,
        shard,
        root,
        beacon,
        s: p.sampleSize,
        items: request.items,
        docker: p.docker,
        workDir: path.join(p.workDir, "jobs", `${jobId}-${shard}-${Date.now()}`),
        cacheDir: path.join(p.workDir, "cache"),
      });
    },
  };
}

import { HttpError } from "../../sdk/errors/HttpError";
import type { RunContainerJobReturnType } from "../../sdk/executor/runContainerJob";
import type { FailedRunJson } from "../../sdk/oracleApi/types";
import { containerShardItems } from "../../sdk/spec/shardWork";
import { rerunItems, type RerunSettings } from "./rerunItems";
import type { VerifierFinding } from "./verdict";

/** Input of {@link verifyFailedRun}. */
export interface VerifyFailedRunParameters extends RerunSettings {
  shards: number;
  /** The operator's claim; its `failedRunRoot` is already checked against the submitted root. */
  failure: FailedRunJson;
}

/**
 * A failed-run claim (docs/PROTOCOL.md §18.2): the developer's code failed on an item (or the single
 * run of a single-run job). The node re-runs that item (global `i0 + item`) twice through its queue,
 * with the spec's limits; here a timeout counts as a failure (it confirms the claim):
 * both fail, or one fails and one succeeds → DeveloperFault (`ITEM_RUN_FAILED` /
 * `ITEM_NOT_REPRODUCIBLE`); both succeed → 422 `ORACLE_FAILURE_NOT_REPRODUCED`, nothing signed.
 * An item outside the shard (or an item for a single-run job, or none for an itemised one) is 400
 * `ORACLE_BAD_FIELD` (`failure.item`); the node's own trouble is ExecutorUnavailableError.
 */
export async function verifyFailedRun(p: VerifyFailedRunParameters): Promise<VerifierFinding> {
  const range = containerShardItems(p.spec, p.shards, p.shard);
  const { item } = p.failure;
  if (range === undefined ? item !== null : item === null || item >= range.end - range.start) {
    throw new HttpError(400, "ORACLE_BAD_FIELD", "failure.item: not an item of this shard", {
      details: { field: "failure.item", items: range === undefined ? null : range.end - range.start },
    });
  }
  const items = range === undefined || item === null ? undefined : [range.start + item];
  const runs = await Promise.allSettled(
    ["run-1", "run-2"].map((folder) => rerunItems({ ...p, folder, items, timeoutIsResult: true })),
  );
  const results = runs.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
  const failures = results.filter((r) => r.status !== "succeeded");
  const what = item === null ? "the run" : `item ${item}`;
  if (failures.length === 0) {
    throw new HttpError(422, "ORACLE_FAILURE_NOT_REPRODUCED", `${what} succeeded on both of this node's re-runs`, {
      details: { field: "failure", item },
    });
  }
  const how = describe(failures[0]);
  if (failures.length === 2)
    return { verdict: "developerFault", reason: `ITEM_RUN_FAILED: ${what} ${how}`, verified: true };
  return {
    verdict: "developerFault",
    reason: `ITEM_NOT_REPRODUCIBLE: ${what} ${how} on one re-run and succeeded on the other`,
    verified: true,
  };
}

function describe(result: RunContainerJobReturnType): string {
  const last = result.runs[result.runs.length - 1];
  if (result.status === "timedOut") return "timed out";
  if (result.status === "oomKilled") return "was killed for memory";
  return `exited with code ${last?.exitCode ?? "?"}`;
}

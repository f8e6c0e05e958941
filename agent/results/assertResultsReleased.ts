import { RigelError } from "../../sdk/errors/RigelError";
import { ShardState, shardStateName } from "../../sdk/market/enums";

/** A shard's outputs asked for before the chain shows it Settled or DeveloperFault (PROTOCOL §18.7). */
export class ResultsNotReleasedError extends RigelError {
  override readonly name = "ResultsNotReleasedError";
}

/** On-chain shard states after which a shard's outputs are the developer's: paid for (§18.7). */
export const RELEASED_SHARD_STATES: readonly number[] = [ShardState.Settled, ShardState.DeveloperFault];

/**
 * Whether a shard's outputs may leave the agent (PROTOCOL §18.7): only once its on-chain state is
 * Settled, or DeveloperFault (the developer paid for the time used). Throws
 * {@link ResultsNotReleasedError} (`AGENT_RESULTS_NOT_RELEASED`, details `jobId`, `shard`, `state`
 * by name) for any other state. The state is read by the caller (sdk/market `readShard`).
 */
export function assertResultsReleased(jobId: bigint, shard: number, state: number): void {
  if (RELEASED_SHARD_STATES.includes(state)) return;
  const name = shardStateName(state);
  throw new ResultsNotReleasedError(
    "AGENT_RESULTS_NOT_RELEASED",
    `shard ${jobId}/${shard} is ${name} on-chain: results are released once it is Settled or DeveloperFault`,
    { details: { jobId: jobId.toString(), shard, state: name } },
  );
}

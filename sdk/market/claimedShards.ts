import { zeroHash, type Address, type Client, type Hex } from "viem";
import { resultsPath } from "../agentApi/resultsManifest";
import { operatorEndpoint } from "../agentApi/shardLogs";

/**
 * A shard settled as a claim (PROTOCOL §20.10) stores no result root and its `ShardSubmitted` event
 * carries an empty result URI: its root is the event's, and its results are at its operator's
 * registered endpoint, as any agent serves them (`<endpoint>/v1/results/<job>/<shard>`, §14.3).
 * Browser-safe.
 */
export function isClaimedSubmission(resultURI: string | undefined): boolean {
  return resultURI === "";
}

/** The root to check a shard's files against: the stored one, else (a claim) its `ShardSubmitted` root. */
export function committedRoot(stored: Hex, submitted: Hex | undefined): Hex {
  return stored !== zeroHash || submitted === undefined ? stored : submitted;
}

/** Resolves operators' agent endpoints, each read once (`OperatorStaking.metadataURI`, §14.1). */
export function operatorEndpoints(client: Client, staking: Address): (operator: Address) => Promise<string> {
  const known = new Map<string, Promise<string>>();
  return (operator) => {
    const key = operator.toLowerCase();
    let endpoint = known.get(key);
    if (!endpoint) {
      endpoint = operatorEndpoint(client, staking, operator);
      endpoint.catch(() => known.delete(key));
      known.set(key, endpoint);
    }
    return endpoint;
  };
}

/** A submission's result URI: as emitted, or for a claim its operator's results URL. */
export async function resultURIOf(
  submission: { resultURI: string; operator: Address },
  jobId: bigint,
  shard: number,
  endpointOf: (operator: Address) => Promise<string>,
): Promise<string> {
  if (!isClaimedSubmission(submission.resultURI)) return submission.resultURI;
  return `${(await endpointOf(submission.operator)).replace(/\/+$/, "")}${resultsPath(jobId, shard)}`;
}

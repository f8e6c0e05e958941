import type { Address, Client } from "viem";
import { readContract } from "viem/actions";

/**
 * The view of the reopen rule (PROTOCOL §20.9, the contracts' `assignmentsReopenAt(jobId)`), written
 * here until the market's ABI in sdk/contracts carries it on this branch.
 */
const reopenAbi = [
  {
    type: "function",
    name: "assignmentsReopenAt",
    stateMutability: "view",
    inputs: [{ name: "jobId", type: "uint256" }],
    outputs: [{ name: "", type: "uint64" }],
  },
] as const;

/**
 * The grace after a job's creation during which its assigned shards are reserved for their
 * operators, used only where the market does not expose `assignmentsReopenAt` (an older
 * deployment): the contracts' default `assignGrace`, 10 min.
 */
export const ASSIGN_GRACE_FALLBACK_SEC = 600n;

/** Parameters of {@link readAssignmentsReopenAt}. */
export interface ReadAssignmentsReopenAtParameters {
  market: Address;
  jobId: bigint;
}

/**
 * When any eligible operator may accept the job's assigned shards still Open (Unix seconds; 0: the
 * job has no assignments), from the market; undefined when the market has no such rule (the call
 * fails: a deployment from before §20.9). Browser-safe.
 */
export async function readAssignmentsReopenAt(
  client: Client,
  { market, jobId }: ReadAssignmentsReopenAtParameters,
): Promise<bigint | undefined> {
  try {
    return await readContract(client, {
      address: market,
      abi: reopenAbi,
      functionName: "assignmentsReopenAt",
      args: [jobId],
    });
  } catch {
    return undefined;
  }
}

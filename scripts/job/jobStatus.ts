// A job as `rigel job` shows it: the job, its gang state and every shard, read from JobMarket.
import type { Address } from "viem";
import { UsageError } from "../../sdk/cli/commands";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import type { Connection } from "./connect";

/** JobMarket's shard states, by their on-chain encoding (docs/PROTOCOL.md §9.2). */
export const STATES = ["Open", "Accepted", "Submitted", "Settled", "Failed", "Cancelled", "Expired"] as const;
export const SHARD_STATE = {
  Open: 0,
  Accepted: 1,
  Submitted: 2,
  Settled: 3,
  Failed: 4,
  Cancelled: 5,
  Expired: 6,
} as const;
/** Settled, Failed, Cancelled, Expired: no call moves a shard out of them. */
export const FINAL = new Set<number>([3, 4, 5, 6]);
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export interface ShardStatus {
  shard: number;
  state: number;
  stateName: string;
  operator: Address;
  assigned: Address;
  units: bigint;
  submittedAt: bigint;
}

export interface JobStatus {
  jobId: bigint;
  developer: Address;
  paymentToken: Address;
  deadline: bigint;
  verifyWindow: bigint;
  /** Escrow still held for the job's unsettled shards. */
  escrow: bigint;
  /** V = maxUnitsPerShard × maxPricePerUnit: what each unsettled shard holds in escrow. */
  shardValue: bigint;
  gang?: { acceptDeadline: bigint; startedAt: bigint; accepted: number; released: boolean };
  shards: ShardStatus[];
}

/** Reads a job and its shards; an unknown job id is a {@link UsageError} `RIGEL_JOB_UNKNOWN`. */
export async function readStatus(conn: Connection, jobId: bigint): Promise<JobStatus> {
  const m = { address: conn.deployment.contracts.JobMarket, abi: jobMarketAbi } as const;
  const c = conn.publicClient;
  const [job, gang, params] = await Promise.all([
    c.readContract({ ...m, functionName: "getJob", args: [jobId] }),
    c.readContract({ ...m, functionName: "gangOf", args: [jobId] }),
    c.readContract({ ...m, functionName: "params" }),
  ]);
  if (job.developer === ZERO_ADDRESS) {
    throw new UsageError("RIGEL_JOB_UNKNOWN", `no job ${jobId} on this market`);
  }
  const shards = await Promise.all(
    Array.from({ length: job.shards }, async (_, i) => {
      const [sh, assigned] = await Promise.all([
        c.readContract({ ...m, functionName: "getShard", args: [jobId, i] }),
        c.readContract({ ...m, functionName: "assignedOperator", args: [jobId, i] }),
      ]);
      return {
        shard: i,
        state: sh.state,
        stateName: STATES[sh.state],
        operator: sh.operator,
        assigned,
        units: sh.units,
        submittedAt: sh.submittedAt,
      };
    }),
  );
  return {
    jobId,
    developer: job.developer,
    paymentToken: job.paymentToken,
    deadline: job.deadline,
    verifyWindow: params.verifyWindow,
    escrow: job.escrow,
    shardValue: job.maxUnitsPerShard * job.maxPricePerUnit,
    gang: gang.acceptDeadline === 0n ? undefined : { ...gang },
    shards,
  };
}

// Small pieces every `rigel job` command shares: JSON output, the job id argument, reading a job,
// sending a transaction.
import type { TransactionReceipt } from "viem";
import { UsageError } from "../sdk/cli/commands";
import { explainError } from "../sdk/cli/explainError";
import { MarketUnknownJobError } from "../sdk/market/readJob";
import { readJobStatus, type JobStatus } from "../sdk/market/readJobStatus";
import type { Connection } from "./connect";
import { bigintFlag } from "./planFromChain";

/** JSON with bigints as decimal strings, indented. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** The JOB_ID positional: a whole number ≥ 1. */
export function jobIdArg(positionals: string[]): bigint {
  const id = bigintFlag(positionals[0], "job id");
  if (id === undefined || id === 0n) throw new UsageError("RIGEL_JOB_NO_ID", "the job id is required");
  return id;
}

/** The job and its shards (sdk `readJobStatus`); an unknown job id is a {@link UsageError} `RIGEL_JOB_UNKNOWN`. */
export async function jobStatus(conn: Connection, jobId: bigint): Promise<JobStatus> {
  try {
    return await readJobStatus(conn.publicClient, { market: conn.deployment.contracts.JobMarket, jobId });
  } catch (err) {
    if (err instanceof MarketUnknownJobError)
      throw new UsageError("RIGEL_JOB_UNKNOWN", `no job ${jobId} on this market`);
    throw err;
  }
}

export type WriteRequest = Parameters<NonNullable<Connection["walletClient"]>["writeContract"]>[0];

/** Sends a transaction from the connection's wallet and waits for it; a revert is `RIGEL_JOB_TX_REVERTED`. */
export async function sendTx(conn: Connection, request: WriteRequest): Promise<TransactionReceipt> {
  const wallet = conn.walletClient as NonNullable<Connection["walletClient"]>;
  const hash = await wallet.writeContract(request);
  const receipt = await conn.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new UsageError("RIGEL_JOB_TX_REVERTED", `transaction ${hash} reverted`);
  return receipt;
}

/** One sentence for a failed transaction of a batch (sdk/cli/explainError: decoded custom errors, no gas, no chain). */
export function errorText(err: unknown): string {
  return explainError(err).message;
}

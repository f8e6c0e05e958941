import { zeroAddress, type Address, type Client, type ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { jobMarketAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";

/** Parameters of {@link readJob}. */
export interface ReadJobParameters {
  /** JobMarket's address. */
  market: Address;
  jobId: bigint;
  /** Read at this block; default the latest. */
  blockNumber?: bigint;
}

/** `IJobMarket.Job` as stored (typed from the ABI): `kind` is a {@link JobKind} number. */
export type ReadJobReturnType = ContractFunctionReturnType<typeof jobMarketAbi, "view", "getJob">;

/** No job with this id on the market (the contract's `MarketUnknownJob`). */
export class MarketUnknownJobError extends RigelError {
  override readonly name = "MarketUnknownJobError";
  constructor(market: Address, jobId: bigint) {
    super("MARKET_UNKNOWN_JOB", `no job ${jobId} on the market ${market}`, { details: { market, jobId } });
  }
}

/**
 * A job as JobMarket stores it (`getJob`, docs/PROTOCOL.md §9.1). An id the market never issued
 * reads as zeros on-chain; here it throws {@link MarketUnknownJobError}, as every write would revert
 * `MarketUnknownJob`. RPC errors are viem's, unchanged.
 */
export async function readJob(
  client: Client,
  { market, jobId, blockNumber }: ReadJobParameters,
): Promise<ReadJobReturnType> {
  const job = await readContract(client, {
    address: market,
    abi: jobMarketAbi,
    functionName: "getJob",
    args: [jobId],
    blockNumber,
  });
  if (job.developer === zeroAddress) throw new MarketUnknownJobError(market, jobId);
  return job;
}

import type { Address, Hex, PublicClient } from "viem";
import { jobMarketAbi, operatorStakingAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";
import { gpuModelName } from "../spec/gpuModels";
import type { PlannerOperator } from "./types";

/** Parameters of {@link readOperators}. */
export interface ReadOperatorsParameters {
  /** OperatorStaking's address. */
  staking: Address;
  /** JobMarket's address (for each operator's settled/failed/no-show record). */
  market: Address;
  /** The operators to read; absent: every operator that ever registered (`OperatorRegistered` logs). */
  operators?: readonly Address[];
  /** First block to scan for registrations (the deployment's block). */
  fromBlock?: bigint;
}

/** A planner operator plus the on-chain facts the planner does not use but a developer may want to see. */
export interface ChainOperator extends PlannerOperator {
  address: Address;
  commissionBps: number;
  gpuModel: Hex;
}

export type ReadOperatorsReturnType = ChainOperator[];

/** Reading the operators from the chain failed. */
export class ReadOperatorsError extends RigelError {
  override readonly name = "ReadOperatorsError";
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super("PLANNER_READ_OPERATORS_FAILED", message, { details, cause });
  }
}

/**
 * Reads what the planner needs about each operator (docs/PROTOCOL.md §15.4): OperatorStaking
 * `isRegistered`, `capacityOf` (attested ops/s, VRAM, GPU model, valid-until), `jailedUntil`,
 * `freeStake`, `commissionBps`, and JobMarket `operatorRecord`. Operators publish no price on-chain,
 * so `pricePerUnit` is left unset: the market pays every shard the job's own price.
 */
export async function readOperators(
  client: PublicClient,
  { staking, market, operators, fromBlock = 0n }: ReadOperatorsParameters,
): Promise<ReadOperatorsReturnType> {
  let addresses: readonly Address[];
  try {
    addresses = operators ?? [
      ...new Set(
        (
          await client.getContractEvents({
            address: staking,
            abi: operatorStakingAbi,
            eventName: "OperatorRegistered",
            fromBlock,
            strict: true,
          })
        ).map((log) => log.args.operator as Address),
      ),
    ];
  } catch (err) {
    throw new ReadOperatorsError("could not list the registered operators", { staking: staking }, err);
  }
  return Promise.all(addresses.map((address) => readOne(client, staking, market, address)));
}

async function readOne(
  client: PublicClient,
  staking: Address,
  market: Address,
  address: Address,
): Promise<ChainOperator> {
  const s = { address: staking, abi: operatorStakingAbi } as const;
  try {
    const [registered, capacity, jailedUntil, freeStake, commissionBps, record] = await Promise.all([
      client.readContract({ ...s, functionName: "isRegistered", args: [address] }),
      client.readContract({ ...s, functionName: "capacityOf", args: [address] }),
      client.readContract({ ...s, functionName: "jailedUntil", args: [address] }),
      client.readContract({ ...s, functionName: "freeStake", args: [address] }),
      client.readContract({ ...s, functionName: "commissionBps", args: [address] }),
      client.readContract({ address: market, abi: jobMarketAbi, functionName: "operatorRecord", args: [address] }),
    ]);
    return {
      address,
      registered,
      opsPerSec: Number(capacity.opsPerSec),
      vramMiB: capacity.vramMiB,
      capacityValidUntil: Number(capacity.validUntil),
      gpuModel: capacity.gpuModel,
      gpuModelName: gpuModelName(capacity.gpuModel),
      jailedUntil: Number(jailedUntil),
      freeStake,
      commissionBps,
      settled: Number(record.settled),
      failed: Number(record.failed),
      noShows: Number(record.noShows),
    };
  } catch (err) {
    throw new ReadOperatorsError(`could not read operator ${address}`, { operator: address }, err);
  }
}

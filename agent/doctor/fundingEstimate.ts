import { formatGwei, type Address, type PublicClient } from "viem";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { formatRgl, formatTokenAmount } from "../../sdk/cli/humanFormat";

/**
 * Gas of each transaction an operator sends, rounded up from gas-snapshot.json (the first stake may
 * close past epochs; the metadata URI of `register` is a few hundred bytes of storage).
 */
export const OPERATOR_GAS = {
  approve: 50_000n,
  register: 250_000n,
  stake: 320_000n,
  recordCapacity: 180_000n,
  /** accept + submit (or acceptAndSubmit), and settling alone when the committee's relay does not. */
  perShard: 500_000n,
  withdraw: 50_000n,
  claimRewards: 370_000n,
} as const;

/** The safety factor over today's fees: fees move, and a replaced transaction pays 12.5 % more each time. */
export const FEE_MARGIN = 2n;

export interface FundingInputs {
  /** maxFeePerGas now (wei). */
  maxFeePerGas: bigint;
  /** JobMarket's collateral ratio (bps of a shard's value, ≥ 10,000). */
  collateralRatioBps: bigint;
  /** The value of the largest shard the operator wants to take (RGL wei). */
  shardValue: bigint;
  /** How many shards of gas to hold (the runway). */
  shards: bigint;
}

export interface FundingEstimate {
  gas: bigint;
  ethWei: bigint;
  rglWei: bigint;
  /** One line per amount: what it pays for. */
  ethReason: string;
  rglReason: string;
}

/** Gas of the setup (approve, register, stake, benchmark), `shards` shards, a withdrawal and a claim. */
export function operatorGas(shards: bigint): bigint {
  const g = OPERATOR_GAS;
  return g.approve + g.register + g.stake + g.recordCapacity + shards * g.perShard + g.withdraw + g.claimRewards;
}

/** The smallest self-stake that lets an operator take one shard of `shardValue` (its collateral, rounded up). */
export function minimumStake(shardValue: bigint, collateralRatioBps: bigint): bigint {
  return (shardValue * collateralRatioBps + 9_999n) / 10_000n;
}

/** How much ETH and RGL a new operator key needs (PROTOCOL §14.5, docs/OPERATORS.md "Funding the key"). */
export function estimateFunding(p: FundingInputs): FundingEstimate {
  const gas = operatorGas(p.shards);
  const ethWei = gas * p.maxFeePerGas * FEE_MARGIN;
  const rglWei = minimumStake(p.shardValue, p.collateralRatioBps);
  return {
    gas,
    ethWei,
    rglWei,
    ethReason:
      `gas for register, stake, benchmark, ${p.shards} shards (accept, submit, settle), withdraw and claim: ` +
      `${gas.toLocaleString("en-US")} gas at ${formatGwei(p.maxFeePerGas)} gwei, ×${FEE_MARGIN} margin`,
    rglReason:
      `the stake: a shard locks ${Number(p.collateralRatioBps) / 100} % of its value as collateral ` +
      `(one shard of ${formatRgl(p.shardValue)})`,
  };
}

/** ETH below which `rigel agent status` and `doctor` warn: a few shards' transactions at today's fees. */
export function lowGasThreshold(maxFeePerGas: bigint): bigint {
  return 5n * OPERATOR_GAS.perShard * maxFeePerGas;
}

export const formatEth = (wei: bigint) => formatTokenAmount(wei, 18, "ETH");

/** The chain's figures for {@link estimateFunding}: today's fees and the market's collateral ratio. */
export async function readFundingInputs(
  client: PublicClient,
  jobMarket: Address,
): Promise<{ maxFeePerGas: bigint; collateralRatioBps: bigint }> {
  const [fees, params] = await Promise.all([
    client.estimateFeesPerGas(),
    client.readContract({ address: jobMarket, abi: jobMarketAbi, functionName: "params" }),
  ]);
  return { maxFeePerGas: fees.maxFeePerGas, collateralRatioBps: BigInt(params.collateralRatioBps) };
}

import { getAbiItem } from "viem";
import {
  computeTokenAbi,
  jobMarketAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  rewardsDistributorAbi,
} from "../contracts/abis";

// The events that parts read with `getLogs({ event })` or a log follower, taken from the generated
// ABI (docs/PROTOCOL.md §17), never written out by hand: a change to a contract's event changes
// them with it, and `npm test` checks that the ABI file is up to date.

/**
 * `JobMarket.JobCreated(jobId, developer, paymentToken, job, specHash, specURI)` (§9.1, §20.3): the
 * spec hash and URI live only here.
 */
export const jobCreatedEvent = getAbiItem({ abi: jobMarketAbi, name: "JobCreated" });
/** `JobMarket.ShardSubmitted` (§9.2). */
export const shardSubmittedEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardSubmitted" });
/** `JobMarket.ShardSettled` (§9.3). */
export const shardSettledEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardSettled" });
/** `JobMarket.ShardFailed` (§9.3). */
export const shardFailedEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardFailed" });
/** `JobMarket.ShardDeveloperFault(jobId, shard, operator, units, paid, fee, refund)` (§9.3, §18.2). */
export const shardDeveloperFaultEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardDeveloperFault" });
/** `JobMarket.ShardExpired` (§9.3). */
export const shardExpiredEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardExpired" });
/** `JobMarket.FeeCollected(token, treasury, amount, burned)` (§9.3). */
export const feeCollectedEvent = getAbiItem({ abi: jobMarketAbi, name: "FeeCollected" });
/** `JobMarket.VerdictSkipped(jobId, shard, reason)`: a leaf of a verdict batch not applied (§20.4). */
export const verdictSkippedEvent = getAbiItem({ abi: jobMarketAbi, name: "VerdictSkipped" });
/** `JobMarket.VerdictsSettled(verdictsRoot, settled, skipped)`: one per `settleVerdicts` (§20.4). */
export const verdictsSettledEvent = getAbiItem({ abi: jobMarketAbi, name: "VerdictsSettled" });
/** `JobMarket.Withdrawn(token, account, to, amount)`: a credit paid out (§20.1). */
export const withdrawnEvent = getAbiItem({ abi: jobMarketAbi, name: "Withdrawn" });
/** `ComputeToken.Transfer` (ERC-20, §2). */
export const transferEvent = getAbiItem({ abi: computeTokenAbi, name: "Transfer" });
/** `OperatorStaking.OperatorRegistered(operator, metadataURI, commissionBps)` (§6.1). */
export const operatorRegisteredEvent = getAbiItem({ abi: operatorStakingAbi, name: "OperatorRegistered" });
/** `OperatorStaking.Slashed` (§6.4). */
export const slashedEvent = getAbiItem({ abi: operatorStakingAbi, name: "Slashed" });
/** `RewardsDistributor.VestingForfeited(operator, amount)`: a slash burned unvested operator parts (§10.9). */
export const vestingForfeitedEvent = getAbiItem({ abi: rewardsDistributorAbi, name: "VestingForfeited" });
/** `OracleCommittee.SignerBonded(signer, bond, activeSigners)` (§7). */
export const signerBondedEvent = getAbiItem({ abi: oracleCommitteeAbi, name: "SignerBonded" });
/** `OracleCommittee.EquivocationReported` (§7). */
export const equivocationReportedEvent = getAbiItem({ abi: oracleCommitteeAbi, name: "EquivocationReported" });

// The contracts the indexer follows, each with the ABI the sdk generates from the Hardhat artifacts
// (sdk/contracts/abis.ts). ponder.config.ts reads them from here, and test/indexer/indexerEvents.test.ts
// checks that every event of these ABIs has a handler or a reason to be ignored (ignoredEvents.ts).
import {
  computeTokenAbi,
  jobMarketAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  rewardsDistributorAbi,
} from "../../../sdk/contracts/abis";

export const followedContracts = {
  ComputeToken: computeTokenAbi,
  OperatorStaking: operatorStakingAbi,
  OracleCommittee: oracleCommitteeAbi,
  RewardsDistributor: rewardsDistributorAbi,
  JobMarket: jobMarketAbi,
} as const;

export type FollowedContract = keyof typeof followedContracts;

// @rigel/sdk: the developer-facing API (docs/PROTOCOL.md §17). Browser-safe except `downloadResults`
// and `loadDeployment` (Node: files). Node-only internals (executor, db, keystore, services) are not exported here.

// Jobs: create, watch, read, recover escrow, download results.
export {
  createJob,
  CreateJobError,
  type CreateJobClients,
  type CreateJobParameters,
  type CreateJobReturnType,
  type CreateJobStep,
} from "./market/createJob";
export {
  watchJob,
  WatchJobTimeoutError,
  type WatchJobParameters,
  type WatchJobProgress,
  type WatchJobReturnType,
} from "./market/watchJob";
export {
  downloadResults,
  type DownloadResultsParameters,
  type DownloadResultsReturnType,
  type ShardDownload,
} from "./agentApi/downloadResults";
export type { DownloadProgress } from "./agentApi/results";
export {
  jobParamsForSpec,
  JobParamsError,
  type JobParams,
  type JobParamsForSpecParameters,
} from "./market/jobParamsForSpec";
export { readJob, MarketUnknownJobError, type ReadJobParameters, type ReadJobReturnType } from "./market/readJob";
export { readShard, type ReadShardParameters, type ReadShardReturnType } from "./market/readShard";
export { readJobStatus, type JobStatus, type ShardStatus, type ReadJobStatusParameters } from "./market/readJobStatus";
export { readOwed, type ReadOwedParameters } from "./market/readOwed";
export { withdraw, WithdrawError, type WithdrawParameters, type WithdrawReturnType } from "./market/withdraw";
export { expirable } from "./market/expirable";
export { planRefund, type RefundAction, type PlanRefundReturnType } from "./market/planRefund";
export {
  ShardState,
  SHARD_STATE_NAMES,
  JobKind,
  Verdict,
  VerificationMode,
  SignerStatus,
  jobKindName,
  shardStateName,
  isFinalShardState,
  type ShardStateName,
} from "./market/enums";

// The planner.
export { planJob, PLANNER_MAX_SHARDS } from "./planner/planJob";
export { planOnChain, type PlanOnChainParameters, type PlanOnChainReturnType } from "./planner/planOnChain";
export { plannerJobForSpec, specWithPlan } from "./planner/plannerJobForSpec";
export { readOperators, ReadOperatorsError, type ChainOperator } from "./planner/readOperators";
export { PlannerInputError, PlannerInfeasibleError } from "./planner/errors";
export type {
  Plan,
  PlannedShard,
  PlannerDecision,
  PlannerJob,
  PlannerObjective,
  PlannerOperator,
} from "./planner/types";

// Job specs.
export { validateJobSpec, JOB_KINDS, type ValidateJobSpecReturnType } from "./spec/validateJobSpec";
export { parseJobSpec } from "./spec/parseJobSpec";
export { SpecValidationError, type SpecIssue } from "./spec/SpecValidationError";
export { hashJobSpec, type HashedJobSpec } from "./spec/hashJobSpec";
export { canonicalJson } from "./spec/canonicalJson";
export { jobSpecDataUri } from "./spec/jobSpecDataUri";
export { shardWorkRange, type WorkRange } from "./spec/shardWork";
export {
  JOB_SPEC_VERSION,
  CONTAINER_SPEC_DEFAULTS,
  CONTAINER_SPEC_LIMITS,
  type JobSpec,
  type ContainerJobSpec,
  type MatmulInt8Spec,
  type LlmInferenceSpec,
  type ContainerInput,
} from "./spec/jobSpecTypes";

// Contracts: ABIs and deployments.
export {
  computeTokenAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  jobMarketAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
  contractEnums,
} from "./contracts/abis";
export { loadDeployment } from "./contracts/deployments";
export {
  parseDeployment,
  DeploymentError,
  DEPLOYED_CONTRACTS,
  type Deployment,
  type DeployedContractName,
} from "./contracts/parseDeployment";

// Errors.
export { RigelError, type RigelErrorOptions } from "./errors/RigelError";

// Governance of the five contracts: every parameter, role and pause change into `param_change`
// (PROTOCOL §21.2). The market's `PaymentTokenSet` is in market.ts (it also moves the shard terms).
import { ponder } from "ponder:registry";
import { recordParamChange } from "./lib/paramChange";

ponder.on("OperatorStaking:CapacityListenerSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:CapacityListenerSet"),
);
ponder.on("OperatorStaking:CapacityMaxAgeSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:CapacityMaxAgeSet"),
);
ponder.on("OperatorStaking:CapacityValiditySet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:CapacityValiditySet"),
);
ponder.on("OperatorStaking:CommissionDelaySet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:CommissionDelaySet"),
);
ponder.on("OperatorStaking:CommitteeSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:CommitteeSet"),
);
ponder.on("OperatorStaking:EpochClockSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:EpochClockSet"),
);
ponder.on("OperatorStaking:JailPeriodSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:JailPeriodSet"),
);
ponder.on("OperatorStaking:MinDelegationSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:MinDelegationSet"),
);
ponder.on("OperatorStaking:UnbondingPeriodSet", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:UnbondingPeriodSet"),
);
ponder.on("OperatorStaking:Paused", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:Paused"),
);
ponder.on("OperatorStaking:Unpaused", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:Unpaused"),
);
ponder.on("OracleCommittee:BondAmountSet", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:BondAmountSet"),
);
ponder.on("OracleCommittee:BondUnbondingPeriodSet", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:BondUnbondingPeriodSet"),
);
ponder.on("OracleCommittee:MaxAttestationLifetimeSet", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:MaxAttestationLifetimeSet"),
);
ponder.on("OracleCommittee:ReporterRewardSet", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:ReporterRewardSet"),
);
ponder.on("OracleCommittee:ThresholdSet", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:ThresholdSet"),
);
ponder.on("RewardsDistributor:MinAvailabilityStakeSet", ({ event, context }) =>
  recordParamChange(context, event, "RewardsDistributor:MinAvailabilityStakeSet"),
);
ponder.on("RewardsDistributor:RewardVestingDelaySet", ({ event, context }) =>
  recordParamChange(context, event, "RewardsDistributor:RewardVestingDelaySet"),
);
ponder.on("RewardsDistributor:WorkRewardCapSet", ({ event, context }) =>
  recordParamChange(context, event, "RewardsDistributor:WorkRewardCapSet"),
);
ponder.on("JobMarket:AssignGraceSet", ({ event, context }) =>
  recordParamChange(context, event, "JobMarket:AssignGraceSet"),
);
ponder.on("JobMarket:ParamsSet", ({ event, context }) => recordParamChange(context, event, "JobMarket:ParamsSet"));
ponder.on("JobMarket:Paused", ({ event, context }) => recordParamChange(context, event, "JobMarket:Paused"));
ponder.on("JobMarket:Unpaused", ({ event, context }) => recordParamChange(context, event, "JobMarket:Unpaused"));

// Roles (AccessControl) of every followed contract.
ponder.on("ComputeToken:RoleGranted", ({ event, context }) =>
  recordParamChange(context, event, "ComputeToken:RoleGranted"),
);
ponder.on("ComputeToken:RoleRevoked", ({ event, context }) =>
  recordParamChange(context, event, "ComputeToken:RoleRevoked"),
);
ponder.on("ComputeToken:RoleAdminChanged", ({ event, context }) =>
  recordParamChange(context, event, "ComputeToken:RoleAdminChanged"),
);
ponder.on("OperatorStaking:RoleGranted", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:RoleGranted"),
);
ponder.on("OperatorStaking:RoleRevoked", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:RoleRevoked"),
);
ponder.on("OperatorStaking:RoleAdminChanged", ({ event, context }) =>
  recordParamChange(context, event, "OperatorStaking:RoleAdminChanged"),
);
ponder.on("OracleCommittee:RoleGranted", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:RoleGranted"),
);
ponder.on("OracleCommittee:RoleRevoked", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:RoleRevoked"),
);
ponder.on("OracleCommittee:RoleAdminChanged", ({ event, context }) =>
  recordParamChange(context, event, "OracleCommittee:RoleAdminChanged"),
);
ponder.on("RewardsDistributor:RoleGranted", ({ event, context }) =>
  recordParamChange(context, event, "RewardsDistributor:RoleGranted"),
);
ponder.on("RewardsDistributor:RoleRevoked", ({ event, context }) =>
  recordParamChange(context, event, "RewardsDistributor:RoleRevoked"),
);
ponder.on("RewardsDistributor:RoleAdminChanged", ({ event, context }) =>
  recordParamChange(context, event, "RewardsDistributor:RoleAdminChanged"),
);
ponder.on("JobMarket:RoleGranted", ({ event, context }) => recordParamChange(context, event, "JobMarket:RoleGranted"));
ponder.on("JobMarket:RoleRevoked", ({ event, context }) => recordParamChange(context, event, "JobMarket:RoleRevoked"));
ponder.on("JobMarket:RoleAdminChanged", ({ event, context }) =>
  recordParamChange(context, event, "JobMarket:RoleAdminChanged"),
);

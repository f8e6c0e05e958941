// The indexer's tables (PROTOCOL §21.2). Amounts are wei (bigint, Postgres numeric(78)); times are
// unix seconds of the block; `id` of an event row is `<block>-<logIndex>`.
import { index, onchainTable, primaryKey } from "ponder";

// ── Operators ────────────────────────────────────────────────────────────────────────────────────

/** One row per registered operator: its stake as the events report it, and running totals. */
export const operator = onchainTable("operator", (t) => ({
  address: t.hex().primaryKey(),
  registeredAt: t.bigint().notNull(),
  metadataURI: t.text().notNull(),
  commissionBps: t.integer().notNull(),
  /** Active self-stake after the last `Staked` (slashes and unstakes lower it as reported). */
  selfStake: t.bigint().notNull(),
  /** RGL delegated to it minus undelegated (principal, not pool value). */
  delegated: t.bigint().notNull(),
  /** Collateral locked for accepted shards. */
  locked: t.bigint().notNull(),
  slashedTotal: t.bigint().notNull(),
  slashCount: t.integer().notNull(),
  jailedUntil: t.bigint().notNull(),
  /** Latest attested capacity. */
  opsPerSec: t.bigint(),
  vramMiB: t.integer(),
  gpuModel: t.hex(),
  capacityValidUntil: t.bigint(),
  shardsSettled: t.integer().notNull(),
  shardsFailed: t.integer().notNull(),
  shardsExpired: t.integer().notNull(),
  shardsDeveloperFault: t.integer().notNull(),
  /** Σ `paid` of its Valid and DeveloperFault shards, per payment token summed in wei of each. */
  earnedTotal: t.bigint().notNull(),
  /** Σ `reward` of its settled epochs (RGL minted). */
  rewardsTotal: t.bigint().notNull(),
  /** The market's id for it (`OperatorIdAssigned`, on its first accept; PROTOCOL §20.3). */
  marketId: t.integer(),
}));

/** Every commission change: applied now (`scheduled` false) or scheduled for `effectiveAt`. */
export const commissionChange = onchainTable(
  "commission_change",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    commissionBps: t.integer().notNull(),
    scheduled: t.boolean().notNull(),
    effectiveAt: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

/** Every recorded capacity attestation. */
export const capacityRecord = onchainTable(
  "capacity_record",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    challengeId: t.hex().notNull(),
    opsPerSec: t.bigint().notNull(),
    vramMiB: t.integer().notNull(),
    gpuModel: t.hex().notNull(),
    validUntil: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

/** Every stake movement of an operator's own stake and collateral. */
export const stakeEvent = onchainTable(
  "stake_event",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    kind: t.text().notNull(), // staked | unstake requested | withdrawn | locked | unlocked | pool rewards | pool rewards to self | pending delegations joined (epoch N) | [thaw ]pool wiped (generation N, shares)
    amount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

/** Every slash (stake and pool) with its jail. */
export const slash = onchainTable(
  "slash",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    fromSelf: t.bigint().notNull(),
    fromPool: t.bigint().notNull(),
    recipient: t.hex().notNull(),
    toRecipient: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    jailedUntil: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

// ── Delegations ──────────────────────────────────────────────────────────────────────────────────

/** One row per (operator, delegator): running totals in RGL. */
export const delegation = onchainTable(
  "delegation",
  (t) => ({
    id: t.text().primaryKey(), // `${operator}-${delegator}`
    operator: t.hex().notNull(),
    delegator: t.hex().notNull(),
    delegated: t.bigint().notNull(),
    undelegated: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
    claimed: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator), delegatorIdx: index().on(table.delegator) }),
);

/** Every delegation event. */
export const delegationEvent = onchainTable(
  "delegation_event",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    delegator: t.hex().notNull(),
    kind: t.text().notNull(), // delegated | undelegated | withdrawn | claimed | activated | wiped
    amount: t.bigint().notNull(),
    shares: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator), delegatorIdx: index().on(table.delegator) }),
);

// ── Epochs and rewards ───────────────────────────────────────────────────────────────────────────

/** One row per epoch with something credited or settled in it: the network's totals. */
export const epoch = onchainTable("epoch", (t) => ({
  epoch: t.bigint().primaryKey(),
  workPoints: t.bigint().notNull(),
  availabilityPoints: t.bigint().notNull(),
  /** Σ rewards minted for it (over every operator settled so far). */
  minted: t.bigint().notNull(),
  operatorsSettled: t.integer().notNull(),
}));

/** One row per (operator, epoch): points credited, forfeited, and the settled reward split. */
export const operatorEpoch = onchainTable(
  "operator_epoch",
  (t) => ({
    operator: t.hex().notNull(),
    epoch: t.bigint().notNull(),
    workPointsCredited: t.bigint().notNull(),
    availabilityPointsCredited: t.bigint().notNull(),
    shardsCredited: t.integer().notNull(),
    forfeitedWorkPoints: t.bigint().notNull(),
    forfeitedAvailabilityPoints: t.bigint().notNull(),
    settled: t.boolean().notNull(),
    /** From `EpochSettled` (the points the distributor counted, after forfeits). */
    workPoints: t.bigint().notNull(),
    availabilityPoints: t.bigint().notNull(),
    reward: t.bigint().notNull(),
    commission: t.bigint().notNull(),
    selfShare: t.bigint().notNull(),
    poolShare: t.bigint().notNull(),
    /** The operator part put into vesting for this epoch (`RewardsVesting`; 0 when it was claimable at once). */
    vesting: t.bigint().notNull(),
    vestsAt: t.bigint(),
    settledAt: t.bigint(),
    settledBlock: t.bigint(),
    settledLogIndex: t.integer(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.operator, table.epoch] }), epochIdx: index().on(table.epoch) }),
);

/** Operator claims of vested rewards (RewardsDistributor `RewardsClaimed`). */
export const rewardClaim = onchainTable(
  "reward_claim",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    to: t.hex().notNull(),
    amount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

/** One row per operator with vesting activity: its operator part in vesting, vested and forfeited. */
export const operatorVesting = onchainTable("operator_vesting", (t) => ({
  operator: t.hex().primaryKey(),
  /** In vesting slots: Σ put into vesting − Σ vested − Σ forfeited. The contract's `vestingRewards()`
   * differs: it leaves out slots whose time passed (released at the next claim) and adds the unsettled part. */
  vesting: t.bigint().notNull(),
  /** Σ `RewardsVesting` amounts. */
  vestingAdded: t.bigint().notNull(),
  /** Σ `RewardsVested` (moved to the claimable balance). */
  vested: t.bigint().notNull(),
  /** Σ `VestingForfeited` (burned on a slash). */
  forfeited: t.bigint().notNull(),
}));

/** Every vesting movement: `vesting` (with epoch and end), `vested`, `forfeited`. */
export const vestingEvent = onchainTable(
  "vesting_event",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    kind: t.text().notNull(), // vesting | vested | forfeited
    epoch: t.bigint(),
    amount: t.bigint().notNull(),
    vestsAt: t.bigint(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

/** Credits the distributor refused (`AvailabilityNotCredited`, with its reason) or suspended
 * (`CreditsSuspended`, on a slash). */
export const creditNotice = onchainTable(
  "credit_notice",
  (t) => ({
    id: t.text().primaryKey(),
    operator: t.hex().notNull(),
    epoch: t.bigint().notNull(),
    kind: t.text().notNull(), // availability not credited | credits suspended
    challengeId: t.hex(),
    reason: t.integer(),
    blockNumber: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ operatorIdx: index().on(table.operator) }),
);

// ── Jobs and shards ──────────────────────────────────────────────────────────────────────────────

export const job = onchainTable(
  "job",
  (t) => ({
    jobId: t.bigint().primaryKey(),
    developer: t.hex().notNull(),
    paymentToken: t.hex().notNull(),
    shards: t.integer().notNull(),
    escrow: t.bigint().notNull(),
    specHash: t.hex().notNull(),
    specURI: t.text().notNull(),
    gang: t.boolean().notNull(),
    /** When its assigned shards open to any operator (`AssignmentsReopenAt`, §20.9); null without an operator list. */
    assignmentsReopenAt: t.bigint(),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    /** Shards with a final outcome so far. */
    shardsFinal: t.integer().notNull(),
    paid: t.bigint().notNull(),
    fees: t.bigint().notNull(),
    refunds: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
  }),
  (table) => ({ developerIdx: index().on(table.developer) }),
);

/** One row per shard: its latest state and every amount its outcome moved. */
export const shard = onchainTable(
  "shard",
  (t) => ({
    jobId: t.bigint().notNull(),
    shard: t.integer().notNull(),
    operator: t.hex(),
    /** open | assigned | accepted | submitted | settled | developer fault | failed | cancelled | expired */
    state: t.text().notNull(),
    collateral: t.bigint().notNull(),
    units: t.bigint().notNull(),
    resultRoot: t.hex(),
    resultURI: t.text(),
    paid: t.bigint().notNull(),
    fee: t.bigint().notNull(),
    refund: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
    workPoints: t.bigint().notNull(),
    noShow: t.boolean(),
    /** The `shard_terms` it was accepted under (the token's terms in force at its accept). */
    termsId: t.integer(),
    acceptedBlock: t.bigint(),
    acceptedLogIndex: t.integer(),
    finalBlock: t.bigint(),
    finalAt: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.jobId, table.shard] }),
    operatorIdx: index().on(table.operator),
  }),
);

/** A job's assignment window (`AssignmentsReopenAt` comes before `JobCreated`: kept here, copied to `job`). */
export const jobAssignment = onchainTable("job_assignment", (t) => ({
  jobId: t.bigint().primaryKey(),
  reopensAt: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
}));

/** One row per gang job (`GangJobCreated`): accepts so far, the shared start, or its release. */
export const gang = onchainTable("gang", (t) => ({
  jobId: t.bigint().primaryKey(),
  acceptDeadline: t.bigint().notNull(),
  accepted: t.integer().notNull(),
  /** `GangStarted`: when the last shard was accepted (null until then). */
  startedAt: t.bigint(),
  startedBlock: t.bigint(),
  /** `GangReleased`: an unstarted gang released after its accept deadline. */
  released: t.boolean().notNull(),
  releasedAt: t.bigint(),
  unlocked: t.integer(),
  refund: t.bigint(),
}));

/** Shard terms by id (`ShardTermsRecorded`): the parameters and rate a shard is accepted under (§20.2). */
export const shardTerms = onchainTable("shard_terms", (t) => ({
  termsId: t.integer().primaryKey(),
  token: t.hex().notNull(),
  feeBps: t.integer().notNull(),
  verifyWindow: t.bigint().notNull(),
  invalidSlashBps: t.integer().notNull(),
  invalidDeveloperBps: t.integer().notNull(),
  noShowSlashBps: t.integer().notNull(),
  noShowDeveloperBps: t.integer().notNull(),
  rglPerToken: t.bigint().notNull(),
  collateralRatioBps: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

/** Payment tokens (`PaymentTokenSet`) and the terms id a shard of theirs is accepted under now
 * (null after a rate change until the next accept records new terms). */
export const paymentToken = onchainTable("payment_token", (t) => ({
  token: t.hex().primaryKey(),
  allowed: t.boolean().notNull(),
  rglPerToken: t.bigint().notNull(),
  termsId: t.integer(),
}));

/** Every verdict batch settled (`VerdictsSettled`). */
export const verdictBatch = onchainTable("verdict_batch", (t) => ({
  id: t.text().primaryKey(),
  verdictsRoot: t.hex().notNull(),
  settled: t.bigint().notNull(),
  skipped: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

/** Every shard state change; its transaction's gas is in `market_transaction`. */
export const shardEvent = onchainTable(
  "shard_event",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    shard: t.integer().notNull(),
    kind: t.text().notNull(),
    operator: t.hex(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId), operatorIdx: index().on(table.operator) }),
);

/** Every market transaction that moved a shard, from its receipt: gas per shard is
 * `gasUsed / shardsMoved` (a batch moves many). */
export const marketTransaction = onchainTable("market_transaction", (t) => ({
  hash: t.hex().primaryKey(),
  from: t.hex().notNull(),
  gasUsed: t.bigint().notNull(),
  effectiveGasPrice: t.bigint().notNull(),
  shardsMoved: t.integer().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
}));

/** Protocol fees: burned (RGL) or credited to the treasury. */
export const fee = onchainTable("fee", (t) => ({
  id: t.text().primaryKey(),
  token: t.hex().notNull(),
  treasury: t.hex().notNull(),
  amount: t.bigint().notNull(),
  burned: t.boolean().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
}));

/** Pull-payment withdrawals from the market. */
export const marketWithdrawal = onchainTable("market_withdrawal", (t) => ({
  id: t.text().primaryKey(),
  token: t.hex().notNull(),
  account: t.hex().notNull(),
  to: t.hex().notNull(),
  amount: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
}));

/** Settled volume per UTC day and payment token (Valid and DeveloperFault outcomes). */
export const dailyVolume = onchainTable(
  "daily_volume",
  (t) => ({
    day: t.text().notNull(), // YYYY-MM-DD (UTC)
    token: t.hex().notNull(),
    shardsPaid: t.integer().notNull(),
    paid: t.bigint().notNull(),
    fees: t.bigint().notNull(),
    refunds: t.bigint().notNull(),
    jobsCreated: t.integer().notNull(),
    escrowIn: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.day, table.token] }) }),
);

// ── Committee ────────────────────────────────────────────────────────────────────────────────────

export const signer = onchainTable("signer", (t) => ({
  address: t.hex().primaryKey(),
  /** approved | active | removed | withdrawn */
  status: t.text().notNull(),
  bond: t.bigint().notNull(),
  bondReleaseAt: t.bigint(),
  slashed: t.bigint().notNull(),
  equivocations: t.integer().notNull(),
}));

export const equivocation = onchainTable("equivocation", (t) => ({
  id: t.text().primaryKey(),
  signer: t.hex().notNull(),
  reporter: t.hex().notNull(),
  subject: t.hex().notNull(),
  slashed: t.bigint().notNull(),
  reporterReward: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
}));

// ── Governance ───────────────────────────────────────────────────────────────────────────────────

/** Every parameter, role and pause change of the five contracts: the event's name and its arguments
 * as JSON (amounts as decimal strings), with block, time and transaction. */
export const paramChange = onchainTable(
  "param_change",
  (t) => ({
    id: t.text().primaryKey(),
    contract: t.text().notNull(),
    event: t.text().notNull(),
    args: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ contractIdx: index().on(table.contract) }),
);

// ── The RGL token ────────────────────────────────────────────────────────────────────────────────

/** RGL balances rebuilt from `Transfer`. */
export const tokenBalance = onchainTable("token_balance", (t) => ({
  account: t.hex().primaryKey(),
  balance: t.bigint().notNull(),
}));

/** One row (`id` "RGL"): supply rebuilt from `Transfer` mints and burns. */
export const tokenSupply = onchainTable("token_supply", (t) => ({
  id: t.text().primaryKey(),
  supply: t.bigint().notNull(),
  minted: t.bigint().notNull(),
  burned: t.bigint().notNull(),
  transfers: t.integer().notNull(),
}));

// RewardsDistributor: points credited per (operator, epoch), forfeits, settlements, vesting and claims.
import { ponder, type Context } from "ponder:registry";
import {
  creditNotice,
  epoch,
  operator,
  operatorEpoch,
  operatorVesting,
  rewardClaim,
  vestingEvent,
} from "ponder:schema";
import type { Address, Hex } from "viem";
import { eventId } from "./lib/eventKeys";

type OperatorEpochRow = typeof operatorEpoch.$inferSelect;

const EMPTY = {
  workPointsCredited: 0n,
  availabilityPointsCredited: 0n,
  shardsCredited: 0,
  forfeitedWorkPoints: 0n,
  forfeitedAvailabilityPoints: 0n,
  settled: false,
  workPoints: 0n,
  availabilityPoints: 0n,
  reward: 0n,
  commission: 0n,
  selfShare: 0n,
  poolShare: 0n,
  vesting: 0n,
};

/** Upserts the (operator, epoch) row: `change` gets the current row (zeros when new). */
async function touchOperatorEpoch(
  context: Context,
  who: Address,
  n: bigint,
  change: (row: OperatorEpochRow) => Partial<OperatorEpochRow>,
): Promise<void> {
  const blank = {
    operator: who,
    epoch: n,
    ...EMPTY,
    vestsAt: null,
    settledAt: null,
    settledBlock: null,
    settledLogIndex: null,
  } as OperatorEpochRow;
  await context.db
    .insert(operatorEpoch)
    .values({ ...blank, ...change(blank) })
    .onConflictDoUpdate((row) => change(row));
}

async function touchEpoch(
  context: Context,
  n: bigint,
  add: { workPoints?: bigint; availabilityPoints?: bigint; minted?: bigint; operatorsSettled?: number },
): Promise<void> {
  await context.db
    .insert(epoch)
    .values({
      epoch: n,
      workPoints: add.workPoints ?? 0n,
      availabilityPoints: add.availabilityPoints ?? 0n,
      minted: add.minted ?? 0n,
      operatorsSettled: add.operatorsSettled ?? 0,
    })
    .onConflictDoUpdate((row) => ({
      workPoints: row.workPoints + (add.workPoints ?? 0n),
      availabilityPoints: row.availabilityPoints + (add.availabilityPoints ?? 0n),
      minted: row.minted + (add.minted ?? 0n),
      operatorsSettled: row.operatorsSettled + (add.operatorsSettled ?? 0),
    }));
}

ponder.on("RewardsDistributor:WorkCredited", async ({ event, context }) => {
  const { operator: who, epoch: n, points } = event.args;
  await touchOperatorEpoch(context, who, n, (r) => ({
    workPointsCredited: r.workPointsCredited + points,
    shardsCredited: r.shardsCredited + 1,
  }));
  await touchEpoch(context, n, { workPoints: points });
});

ponder.on("RewardsDistributor:WorkBatchCredited", async ({ event, context }) => {
  const { operator: who, epoch: n, points, shards } = event.args;
  await touchOperatorEpoch(context, who, n, (r) => ({
    workPointsCredited: r.workPointsCredited + points,
    shardsCredited: r.shardsCredited + shards,
  }));
  await touchEpoch(context, n, { workPoints: points });
});

ponder.on("RewardsDistributor:AvailabilityCredited", async ({ event, context }) => {
  const { operator: who, epoch: n, points } = event.args;
  await touchOperatorEpoch(context, who, n, (r) => ({
    availabilityPointsCredited: r.availabilityPointsCredited + points,
  }));
  await touchEpoch(context, n, { availabilityPoints: points });
});

ponder.on("RewardsDistributor:RewardsForfeited", async ({ event, context }) => {
  const { operator: who, epoch: n, workPoints, availabilityPoints } = event.args;
  await touchOperatorEpoch(context, who, n, (r) => ({
    forfeitedWorkPoints: r.forfeitedWorkPoints + workPoints,
    forfeitedAvailabilityPoints: r.forfeitedAvailabilityPoints + availabilityPoints,
  }));
});

ponder.on("RewardsDistributor:EpochSettled", async ({ event, context }) => {
  const a = event.args;
  await touchOperatorEpoch(context, a.operator, a.epoch, () => ({
    settled: true,
    workPoints: a.workPoints,
    availabilityPoints: a.availabilityPoints,
    reward: a.reward,
    commission: a.commission,
    selfShare: a.selfShare,
    poolShare: a.poolShare,
    settledAt: event.block.timestamp,
    settledBlock: event.block.number,
    settledLogIndex: event.log.logIndex,
  }));
  await touchEpoch(context, a.epoch, { minted: a.reward, operatorsSettled: 1 });
  if (await context.db.find(operator, { address: a.operator })) {
    await context.db
      .update(operator, { address: a.operator })
      .set((r) => ({ rewardsTotal: r.rewardsTotal + a.reward }));
  }
});

interface RewardsEvent {
  block: { number: bigint; timestamp: bigint };
  log: { logIndex: number };
  transaction: { hash: Hex };
}

/** One `vesting_event` row and the operator's running vesting totals. */
async function moveVesting(
  context: Context,
  event: RewardsEvent,
  who: Address,
  kind: "vesting" | "vested" | "forfeited",
  amount: bigint,
  of?: { epoch: bigint; vestsAt: bigint },
): Promise<void> {
  await context.db.insert(vestingEvent).values({
    id: eventId(event),
    operator: who,
    kind,
    epoch: of?.epoch ?? null,
    amount,
    vestsAt: of?.vestsAt ?? null,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
  const added = kind === "vesting" ? amount : 0n;
  const vested = kind === "vested" ? amount : 0n;
  const forfeited = kind === "forfeited" ? amount : 0n;
  await context.db
    .insert(operatorVesting)
    .values({ operator: who, vesting: added - vested - forfeited, vestingAdded: added, vested, forfeited })
    .onConflictDoUpdate((row) => ({
      vesting: row.vesting + added - vested - forfeited,
      vestingAdded: row.vestingAdded + added,
      vested: row.vested + vested,
      forfeited: row.forfeited + forfeited,
    }));
}

// The vesting end may be later than the epoch's own when both vesting slots were taken (§10.9).
ponder.on("RewardsDistributor:RewardsVesting", async ({ event, context }) => {
  const { operator: who, epoch: n, amount, vestsAt } = event.args;
  await touchOperatorEpoch(context, who, n, (r) => ({ vestsAt, vesting: r.vesting + amount }));
  await moveVesting(context, event, who, "vesting", amount, { epoch: n, vestsAt });
});

ponder.on("RewardsDistributor:RewardsVested", async ({ event, context }) => {
  await moveVesting(context, event, event.args.operator, "vested", event.args.amount);
});

// A slash burns every unvested operator part (RewardsDistributor.onSlashed).
ponder.on("RewardsDistributor:VestingForfeited", async ({ event, context }) => {
  await moveVesting(context, event, event.args.operator, "forfeited", event.args.amount);
});

ponder.on("RewardsDistributor:AvailabilityNotCredited", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(creditNotice).values({
    id: eventId(event),
    operator: a.operator,
    epoch: a.epoch,
    kind: "availability not credited",
    challengeId: a.challengeId,
    reason: a.reason,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
});

ponder.on("RewardsDistributor:CreditsSuspended", async ({ event, context }) => {
  await context.db.insert(creditNotice).values({
    id: eventId(event),
    operator: event.args.operator,
    epoch: event.args.epoch,
    kind: "credits suspended",
    challengeId: null,
    reason: null,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
});

ponder.on("RewardsDistributor:RewardsClaimed", async ({ event, context }) => {
  await context.db.insert(rewardClaim).values({
    id: eventId(event),
    operator: event.args.operator,
    to: event.args.to,
    amount: event.args.amount,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
  });
});

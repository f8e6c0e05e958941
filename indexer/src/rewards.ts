// RewardsDistributor: points credited per (operator, epoch), forfeits, settlements and claims.
import { ponder, type Context } from "ponder:registry";
import { epoch, operator, operatorEpoch, rewardClaim } from "ponder:schema";
import type { Address } from "viem";
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

ponder.on("RewardsDistributor:RewardsVesting", async ({ event, context }) => {
  await touchOperatorEpoch(context, event.args.operator, event.args.epoch, () => ({ vestsAt: event.args.vestsAt }));
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

// OperatorStaking: operators, their stake, commission and capacity history, slashes and jails.
import { ponder, type Context } from "ponder:registry";
import { capacityRecord, commissionChange, operator, slash, stakeEvent } from "ponder:schema";
import type { Address } from "viem";
import { eventId } from "./lib/eventKeys";

/** Updates an operator row if it exists (events of unregistered addresses are ignored here). */
async function updateOperator(
  context: Context,
  address: Address,
  change: (row: typeof operator.$inferSelect) => Partial<typeof operator.$inferInsert>,
): Promise<void> {
  const row = await context.db.find(operator, { address });
  if (row) await context.db.update(operator, { address }).set(change(row));
}

ponder.on("OperatorStaking:OperatorRegistered", async ({ event, context }) => {
  await context.db.insert(operator).values({
    address: event.args.operator,
    registeredAt: event.block.timestamp,
    metadataURI: event.args.metadataURI,
    commissionBps: event.args.commissionBps,
    selfStake: 0n,
    delegated: 0n,
    locked: 0n,
    slashedTotal: 0n,
    slashCount: 0,
    jailedUntil: 0n,
    shardsSettled: 0,
    shardsFailed: 0,
    shardsExpired: 0,
    shardsDeveloperFault: 0,
    earnedTotal: 0n,
    rewardsTotal: 0n,
  });
});

ponder.on("OperatorStaking:MetadataUpdated", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, () => ({ metadataURI: event.args.metadataURI }));
});

async function stakeRow(
  context: Context,
  event: { block: { number: bigint; timestamp: bigint }; log: { logIndex: number } },
  who: Address,
  kind: string,
  amount: bigint,
): Promise<void> {
  await context.db.insert(stakeEvent).values({
    id: eventId(event),
    operator: who,
    kind,
    amount,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
}

ponder.on("OperatorStaking:Staked", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, () => ({ selfStake: event.args.selfStake }));
  await stakeRow(context, event, event.args.operator, "staked", event.args.amount);
});

ponder.on("OperatorStaking:UnstakeRequested", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, (r) => ({ selfStake: r.selfStake - event.args.amount }));
  await stakeRow(context, event, event.args.operator, "unstake requested", event.args.amount);
});

ponder.on("OperatorStaking:StakeWithdrawn", async ({ event, context }) => {
  await stakeRow(context, event, event.args.operator, "withdrawn", event.args.amount);
});

ponder.on("OperatorStaking:CollateralLocked", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, () => ({ locked: event.args.locked }));
  await stakeRow(context, event, event.args.operator, "locked", event.args.amount);
});

ponder.on("OperatorStaking:CollateralUnlocked", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, () => ({ locked: event.args.locked }));
  await stakeRow(context, event, event.args.operator, "unlocked", event.args.amount);
});

ponder.on("OperatorStaking:PoolRewardsAdded", async ({ event, context }) => {
  await stakeRow(context, event, event.args.operator, "pool rewards", event.args.amount);
});

ponder.on("OperatorStaking:PoolRewardsToSelfStake", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, (r) => ({ selfStake: r.selfStake + event.args.amount }));
  await stakeRow(context, event, event.args.operator, "pool rewards to self", event.args.amount);
});

async function commissionRow(
  context: Context,
  event: { block: { number: bigint; timestamp: bigint }; log: { logIndex: number } },
  who: Address,
  commissionBps: number,
  scheduled: boolean,
  effectiveAt: bigint,
): Promise<void> {
  await context.db.insert(commissionChange).values({
    id: eventId(event),
    operator: who,
    commissionBps,
    scheduled,
    effectiveAt,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
}

ponder.on("OperatorStaking:CommissionSet", async ({ event, context }) => {
  await updateOperator(context, event.args.operator, () => ({ commissionBps: event.args.commissionBps }));
  await commissionRow(context, event, event.args.operator, event.args.commissionBps, false, event.block.timestamp);
});

ponder.on("OperatorStaking:CommissionIncreaseScheduled", async ({ event, context }) => {
  await commissionRow(context, event, event.args.operator, event.args.commissionBps, true, event.args.effectiveAt);
});

ponder.on("OperatorStaking:CapacityRecorded", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(capacityRecord).values({
    id: eventId(event),
    operator: a.operator,
    challengeId: a.challengeId,
    opsPerSec: a.opsPerSec,
    vramMiB: a.vramMiB,
    gpuModel: a.gpuModel,
    validUntil: a.validUntil,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
  await updateOperator(context, a.operator, () => ({
    opsPerSec: a.opsPerSec,
    vramMiB: a.vramMiB,
    gpuModel: a.gpuModel,
    capacityValidUntil: a.validUntil,
  }));
});

ponder.on("OperatorStaking:Slashed", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(slash).values({
    id: eventId(event),
    operator: a.operator,
    fromSelf: a.fromSelf,
    fromPool: a.fromPool,
    recipient: a.recipient,
    toRecipient: a.toRecipient,
    burned: a.burned,
    jailedUntil: a.jailedUntil,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
  await updateOperator(context, a.operator, (r) => ({
    slashedTotal: r.slashedTotal + a.fromSelf + a.fromPool,
    slashCount: r.slashCount + 1,
    jailedUntil: a.jailedUntil,
  }));
});

// Pool-level delegation events (no single delegator): into the operator's stake history.
ponder.on("OperatorStaking:PendingDelegationsJoined", async ({ event, context }) => {
  await stakeRow(
    context,
    event,
    event.args.operator,
    `pending delegations joined (epoch ${event.args.epoch})`,
    event.args.tokens,
  );
});

// A slash that empties a pool voids its shares: `amount` is the voided shares, not RGL.
ponder.on("OperatorStaking:PoolWiped", async ({ event, context }) => {
  const a = event.args;
  const pool = a.thawPool ? "thaw pool" : "pool";
  await stakeRow(context, event, a.operator, `${pool} wiped (generation ${a.generation}, shares)`, a.voidedShares);
});

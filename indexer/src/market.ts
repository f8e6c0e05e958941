// JobMarket: jobs, every shard state change and its amounts, fees, withdrawals, gas from receipts,
// the per-day volume aggregate, gangs, assignment windows, shard terms and payment tokens.
import { ponder, type Context } from "ponder:registry";
import {
  dailyVolume,
  fee,
  gang,
  job,
  jobAssignment,
  marketTransaction,
  marketWithdrawal,
  operator,
  paymentToken,
  shard,
  shardEvent,
  shardTerms,
  verdictBatch,
} from "ponder:schema";
import type { Address, Hex } from "viem";
import { eventId, utcDay } from "./lib/eventKeys";
import { recordParamChange } from "./lib/paramChange";

type ShardRow = typeof shard.$inferSelect;
type OperatorRow = typeof operator.$inferSelect;

interface MarketEvent {
  block: { number: bigint; timestamp: bigint };
  log: { logIndex: number };
  transaction: { hash: Hex; from: Address };
  transactionReceipt?: { gasUsed: bigint; effectiveGasPrice: bigint };
}

/** Records one shard transition: the event row, the transaction's gas, and the shard's new fields. */
async function moveShard(
  context: Context,
  event: MarketEvent,
  key: { jobId: bigint; shard: number },
  kind: string,
  who: Address | null,
  change: (row: ShardRow) => Partial<ShardRow>,
): Promise<ShardRow | undefined> {
  await context.db.insert(shardEvent).values({
    id: eventId(event),
    jobId: key.jobId,
    shard: key.shard,
    kind,
    operator: who,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
  const receipt = event.transactionReceipt;
  await context.db
    .insert(marketTransaction)
    .values({
      hash: event.transaction.hash,
      from: event.transaction.from,
      gasUsed: receipt?.gasUsed ?? 0n,
      effectiveGasPrice: receipt?.effectiveGasPrice ?? 0n,
      shardsMoved: 1,
      blockNumber: event.block.number,
      timestamp: event.block.timestamp,
    })
    .onConflictDoUpdate((row) => ({ shardsMoved: row.shardsMoved + 1 }));
  const row = await context.db.find(shard, key);
  if (!row) return undefined;
  const fields = change(row);
  return Object.keys(fields).length > 0 ? context.db.update(shard, key).set(fields) : row;
}

/** Adds a final outcome's amounts to its job (and, for paid outcomes, the day's volume). */
async function closeShard(
  context: Context,
  event: MarketEvent,
  jobId: bigint,
  amounts: { paid?: bigint; fee?: bigint; refund?: bigint; slashed?: bigint },
): Promise<void> {
  const j = await context.db.find(job, { jobId });
  if (!j) return;
  await context.db.update(job, { jobId }).set({
    shardsFinal: j.shardsFinal + 1,
    paid: j.paid + (amounts.paid ?? 0n),
    fees: j.fees + (amounts.fee ?? 0n),
    refunds: j.refunds + (amounts.refund ?? 0n),
    slashed: j.slashed + (amounts.slashed ?? 0n),
  });
  await addVolume(context, event.block.timestamp, j.paymentToken, {
    shardsPaid: amounts.paid !== undefined ? 1 : 0,
    paid: amounts.paid ?? 0n,
    fees: amounts.fee ?? 0n,
    refunds: amounts.refund ?? 0n,
  });
}

async function addVolume(
  context: Context,
  timestamp: bigint,
  token: Address,
  add: { shardsPaid?: number; paid?: bigint; fees?: bigint; refunds?: bigint; jobsCreated?: number; escrowIn?: bigint },
): Promise<void> {
  await context.db
    .insert(dailyVolume)
    .values({
      day: utcDay(timestamp),
      token,
      shardsPaid: add.shardsPaid ?? 0,
      paid: add.paid ?? 0n,
      fees: add.fees ?? 0n,
      refunds: add.refunds ?? 0n,
      jobsCreated: add.jobsCreated ?? 0,
      escrowIn: add.escrowIn ?? 0n,
    })
    .onConflictDoUpdate((row) => ({
      shardsPaid: row.shardsPaid + (add.shardsPaid ?? 0),
      paid: row.paid + (add.paid ?? 0n),
      fees: row.fees + (add.fees ?? 0n),
      refunds: row.refunds + (add.refunds ?? 0n),
      jobsCreated: row.jobsCreated + (add.jobsCreated ?? 0),
      escrowIn: row.escrowIn + (add.escrowIn ?? 0n),
    }));
}

async function bumpOperator(
  context: Context,
  address: Address,
  change: (row: OperatorRow) => Partial<OperatorRow>,
): Promise<void> {
  const row = await context.db.find(operator, { address });
  if (row) await context.db.update(operator, { address }).set(change(row));
}

/** A shard as `JobCreated` opens it. */
function openShard(jobId: bigint, index: number): typeof shard.$inferInsert {
  return {
    jobId,
    shard: index,
    operator: null,
    state: "open",
    collateral: 0n,
    units: 0n,
    paid: 0n,
    fee: 0n,
    refund: 0n,
    slashed: 0n,
    workPoints: 0n,
  };
}

const final = (event: MarketEvent) => ({ finalBlock: event.block.number, finalAt: event.block.timestamp });

ponder.on("JobMarket:JobCreated", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(job).values({
    jobId: a.jobId,
    developer: a.developer,
    paymentToken: a.paymentToken,
    shards: a.job.shards,
    escrow: a.job.escrow,
    specHash: a.specHash,
    specURI: a.specURI,
    gang: false,
    assignmentsReopenAt: (await context.db.find(jobAssignment, { jobId: a.jobId }))?.reopensAt ?? null,
    createdBlock: event.block.number,
    createdAt: event.block.timestamp,
    shardsFinal: 0,
    paid: 0n,
    fees: 0n,
    refunds: 0n,
    slashed: 0n,
  });
  // One row per shard (a job's shard count is bounded by the market's maxShards); assigned ones exist.
  await context.db
    .insert(shard)
    .values(Array.from({ length: a.job.shards }, (_, i) => openShard(a.jobId, i)))
    .onConflictDoNothing();
  await addVolume(context, event.block.timestamp, a.paymentToken, { jobsCreated: 1, escrowIn: a.job.escrow });
});

ponder.on("JobMarket:GangJobCreated", async ({ event, context }) => {
  if (await context.db.find(job, { jobId: event.args.jobId })) {
    await context.db.update(job, { jobId: event.args.jobId }).set({ gang: true });
  }
  await context.db.insert(gang).values({
    jobId: event.args.jobId,
    acceptDeadline: event.args.acceptDeadline,
    accepted: 0,
    released: false,
  });
});

ponder.on("JobMarket:GangStarted", async ({ event, context }) => {
  const key = { jobId: event.args.jobId };
  if (await context.db.find(gang, key)) {
    await context.db.update(gang, key).set({ startedAt: event.args.startedAt, startedBlock: event.block.number });
  }
});

// The release's `ShardCancelled` events (one per cancelled shard) carry the shards and the refund.
ponder.on("JobMarket:GangReleased", async ({ event, context }) => {
  const key = { jobId: event.args.jobId };
  if (await context.db.find(gang, key)) {
    await context.db.update(gang, key).set({
      released: true,
      releasedAt: event.block.timestamp,
      unlocked: event.args.unlocked,
      refund: event.args.refund,
    });
  }
});

// Emitted before `ShardAssigned` and `JobCreated` in the creating transaction (PROTOCOL §20.9).
ponder.on("JobMarket:AssignmentsReopenAt", async ({ event, context }) => {
  await context.db
    .insert(jobAssignment)
    .values({ jobId: event.args.jobId, reopensAt: event.args.reopensAt, blockNumber: event.block.number });
});

// Emitted in an accept's transaction, before its `ShardAccepted`, when the token's terms changed.
ponder.on("JobMarket:ShardTermsRecorded", async ({ event, context }) => {
  const { termsId, token, terms: t } = event.args;
  await context.db.insert(shardTerms).values({
    termsId,
    token,
    feeBps: t.feeBps,
    verifyWindow: BigInt(t.verifyWindow),
    invalidSlashBps: t.invalidSlashBps,
    invalidDeveloperBps: t.invalidDeveloperBps,
    noShowSlashBps: t.noShowSlashBps,
    noShowDeveloperBps: t.noShowDeveloperBps,
    rglPerToken: t.rglPerToken,
    collateralRatioBps: BigInt(t.collateralRatioBps),
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
  await context.db
    .insert(paymentToken)
    .values({ token, allowed: true, rglPerToken: t.rglPerToken, termsId })
    .onConflictDoUpdate(() => ({ termsId }));
});

// A rate change voids the token's current terms (the next accept records new ones), as the market does.
ponder.on("JobMarket:PaymentTokenSet", async ({ event, context }) => {
  const { token, allowed, rglPerToken } = event.args;
  await context.db
    .insert(paymentToken)
    .values({ token, allowed, rglPerToken, termsId: null })
    .onConflictDoUpdate((row) => ({
      allowed,
      rglPerToken,
      termsId: row.rglPerToken === rglPerToken ? row.termsId : null,
    }));
  await recordParamChange(context, event, "JobMarket:PaymentTokenSet");
});

ponder.on("JobMarket:OperatorIdAssigned", async ({ event, context }) => {
  await bumpOperator(context, event.args.operator, () => ({ marketId: event.args.id }));
});

ponder.on("JobMarket:VerdictsSettled", async ({ event, context }) => {
  await context.db.insert(verdictBatch).values({
    id: eventId(event),
    verdictsRoot: event.args.verdictsRoot,
    settled: event.args.settled,
    skipped: event.args.skipped,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
    txHash: event.transaction.hash,
  });
});

/** The terms id a shard of `jobId` is accepted under now: its payment token's current terms. */
async function termsIdOf(context: Context, jobId: bigint): Promise<number | null> {
  const j = await context.db.find(job, { jobId });
  if (!j) return null;
  return (await context.db.find(paymentToken, { token: j.paymentToken }))?.termsId ?? null;
}

// `ShardAssigned` comes before `JobCreated` in the creating transaction: the shard row starts here.
ponder.on("JobMarket:ShardAssigned", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .insert(shard)
    .values({ ...openShard(a.jobId, a.shard), state: "assigned", operator: a.operator })
    .onConflictDoUpdate(() => ({ state: "assigned", operator: a.operator }));
  await moveShard(context, event, a, "assigned", a.operator, () => ({}));
});

ponder.on("JobMarket:ShardAccepted", async ({ event, context }) => {
  const a = event.args;
  const termsId = await termsIdOf(context, a.jobId);
  await moveShard(context, event, a, "accepted", a.operator, () => ({
    state: "accepted",
    operator: a.operator,
    collateral: a.collateral,
    termsId,
    acceptedBlock: event.block.number,
    acceptedLogIndex: event.log.logIndex,
  }));
  const g = await context.db.find(gang, { jobId: a.jobId });
  if (g) await context.db.update(gang, { jobId: a.jobId }).set({ accepted: g.accepted + 1 });
});

ponder.on("JobMarket:ShardSubmitted", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, "submitted", a.operator, () => ({
    state: "submitted",
    units: a.units,
    resultRoot: a.resultRoot,
    resultURI: a.resultURI,
  }));
});

ponder.on("JobMarket:ShardSettled", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, "settled", a.operator, () => ({
    state: "settled",
    units: a.units,
    paid: a.paid,
    fee: a.fee,
    refund: a.refund,
    workPoints: a.workPoints,
    ...final(event),
  }));
  await closeShard(context, event, a.jobId, { paid: a.paid, fee: a.fee, refund: a.refund });
  await bumpOperator(context, a.operator, (r) => ({
    shardsSettled: r.shardsSettled + 1,
    earnedTotal: r.earnedTotal + a.paid,
  }));
});

ponder.on("JobMarket:ShardDeveloperFault", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, "developer fault", a.operator, () => ({
    state: "developer fault",
    units: a.units,
    paid: a.paid,
    fee: a.fee,
    refund: a.refund,
    ...final(event),
  }));
  await closeShard(context, event, a.jobId, { paid: a.paid, fee: a.fee, refund: a.refund });
  await bumpOperator(context, a.operator, (r) => ({
    shardsDeveloperFault: r.shardsDeveloperFault + 1,
    earnedTotal: r.earnedTotal + a.paid,
  }));
});

ponder.on("JobMarket:ShardFailed", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, "failed", a.operator, () => ({
    state: "failed",
    slashed: a.slashed,
    refund: a.refund,
    ...final(event),
  }));
  await closeShard(context, event, a.jobId, { refund: a.refund, slashed: a.slashed });
  await bumpOperator(context, a.operator, (r) => ({ shardsFailed: r.shardsFailed + 1 }));
});

ponder.on("JobMarket:ShardCancelled", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, "cancelled", null, () => ({
    state: "cancelled",
    refund: a.refund,
    ...final(event),
  }));
  await closeShard(context, event, a.jobId, { refund: a.refund });
});

ponder.on("JobMarket:ShardExpired", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, "expired", a.operator, () => ({
    state: "expired",
    slashed: a.slashed,
    refund: a.refund,
    noShow: a.noShow,
    ...final(event),
  }));
  await closeShard(context, event, a.jobId, { refund: a.refund, slashed: a.slashed });
  await bumpOperator(context, a.operator, (r) => ({ shardsExpired: r.shardsExpired + 1 }));
});

ponder.on("JobMarket:VerdictSkipped", async ({ event, context }) => {
  const a = event.args;
  await moveShard(context, event, a, `verdict skipped (reason ${a.reason})`, null, () => ({}));
});

ponder.on("JobMarket:FeeCollected", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(fee).values({
    id: eventId(event),
    token: a.token,
    treasury: a.treasury,
    amount: a.amount,
    burned: a.burned,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
});

ponder.on("JobMarket:Withdrawn", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(marketWithdrawal).values({
    id: eventId(event),
    token: a.token,
    account: a.account,
    to: a.to,
    amount: a.amount,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
});

// OperatorStaking delegation events: one running row per (operator, delegator) and one row per event.
import { ponder, type Context } from "ponder:registry";
import { delegation, delegationEvent, operator } from "ponder:schema";
import type { Address } from "viem";
import { delegationId, eventId } from "./lib/eventKeys";

type Totals = Pick<typeof delegation.$inferInsert, "delegated" | "undelegated" | "withdrawn" | "claimed">;

async function record(
  context: Context,
  event: { block: { number: bigint; timestamp: bigint }; log: { logIndex: number } },
  who: { operator: Address; delegator: Address },
  kind: string,
  amount: bigint,
  shares: bigint,
  add: Partial<Totals>,
): Promise<void> {
  await context.db.insert(delegationEvent).values({
    id: eventId(event),
    operator: who.operator,
    delegator: who.delegator,
    kind,
    amount,
    shares,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
  });
  await context.db
    .insert(delegation)
    .values({
      id: delegationId(who.operator, who.delegator),
      operator: who.operator,
      delegator: who.delegator,
      delegated: add.delegated ?? 0n,
      undelegated: add.undelegated ?? 0n,
      withdrawn: add.withdrawn ?? 0n,
      claimed: add.claimed ?? 0n,
    })
    .onConflictDoUpdate((row) => ({
      delegated: row.delegated + (add.delegated ?? 0n),
      undelegated: row.undelegated + (add.undelegated ?? 0n),
      withdrawn: row.withdrawn + (add.withdrawn ?? 0n),
      claimed: row.claimed + (add.claimed ?? 0n),
    }));
  const delta = (add.delegated ?? 0n) - (add.undelegated ?? 0n);
  if (delta !== 0n && (await context.db.find(operator, { address: who.operator }))) {
    await context.db.update(operator, { address: who.operator }).set((r) => ({ delegated: r.delegated + delta }));
  }
}

ponder.on("OperatorStaking:Delegated", async ({ event, context }) => {
  const a = event.args;
  await record(context, event, a, "delegated", a.amount, a.shares, { delegated: a.amount });
});

ponder.on("OperatorStaking:Undelegated", async ({ event, context }) => {
  const a = event.args;
  await record(context, event, a, "undelegated", a.tokens, a.shares, { undelegated: a.tokens });
});

ponder.on("OperatorStaking:DelegationWithdrawn", async ({ event, context }) => {
  const a = event.args;
  await record(context, event, a, "withdrawn", a.tokens, a.thawShares, { withdrawn: a.tokens });
});

ponder.on("OperatorStaking:RewardsClaimed", async ({ event, context }) => {
  const a = event.args;
  await record(context, event, a, "claimed", a.tokens, a.shares, { claimed: a.tokens });
});

ponder.on("OperatorStaking:DelegationActivated", async ({ event, context }) => {
  const a = event.args;
  await record(context, event, a, "activated", a.tokens, a.shares, {});
});

ponder.on("OperatorStaking:DelegationWiped", async ({ event, context }) => {
  const a = event.args;
  await record(context, event, a, "wiped", 0n, a.shares + a.thawShares, {});
});

// OracleCommittee: signers, bonds and equivocations.
import { ponder } from "ponder:registry";
import { equivocation, signer } from "ponder:schema";
import { eventId } from "./lib/eventKeys";

const fresh = { status: "approved", bond: 0n, bondReleaseAt: null, slashed: 0n, equivocations: 0 };

ponder.on("OracleCommittee:SignerApproved", async ({ event, context }) => {
  await context.db
    .insert(signer)
    .values({ address: event.args.signer, ...fresh })
    .onConflictDoUpdate(() => ({ status: "approved" }));
});

ponder.on("OracleCommittee:SignerBonded", async ({ event, context }) => {
  await context.db
    .insert(signer)
    .values({ address: event.args.signer, ...fresh, status: "active", bond: event.args.bond })
    .onConflictDoUpdate(() => ({ status: "active", bond: event.args.bond }));
});

ponder.on("OracleCommittee:SignerRemoved", async ({ event, context }) => {
  await context.db
    .insert(signer)
    .values({ address: event.args.signer, ...fresh, status: "removed", bondReleaseAt: event.args.bondReleaseAt })
    .onConflictDoUpdate(() => ({ status: "removed", bondReleaseAt: event.args.bondReleaseAt }));
});

ponder.on("OracleCommittee:BondWithdrawn", async ({ event, context }) => {
  await context.db
    .insert(signer)
    .values({ address: event.args.signer, ...fresh, status: "withdrawn" })
    .onConflictDoUpdate(() => ({ status: "withdrawn", bond: 0n }));
});

ponder.on("OracleCommittee:EquivocationReported", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(equivocation).values({
    id: eventId(event),
    signer: a.signer,
    reporter: a.reporter,
    subject: a.subject,
    slashed: a.slashed,
    reporterReward: a.reporterReward,
    blockNumber: event.block.number,
    timestamp: event.block.timestamp,
  });
  await context.db
    .insert(signer)
    .values({ address: a.signer, ...fresh, status: "removed", slashed: a.slashed, equivocations: 1 })
    .onConflictDoUpdate((row) => ({
      bond: row.bond > a.slashed ? row.bond - a.slashed : 0n,
      slashed: row.slashed + a.slashed,
      equivocations: row.equivocations + 1,
    }));
});

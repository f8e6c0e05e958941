// The indexer's HTTP API (PROTOCOL §21.3): Ponder's GraphQL (`/graphql`) and SQL-over-HTTP
// (`/sql/*`) over every table, and REST aggregates shaped for the dapp and the CLI. Amounts are
// decimal strings (wei); addresses lower-case. CORS is open (GET only; the data is public).
import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { and, client, count, desc, eq, graphql, inArray, isNotNull, replaceBigInts, sum } from "ponder";
import { isAddress, type Address } from "viem";

const app = new Hono();
app.use("*", cors({ origin: "*", allowMethods: ["GET", "POST", "OPTIONS"] }));
app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

/** JSON with every bigint as a decimal string. */
function json<T>(value: T): Response {
  return Response.json(replaceBigInts(value, (v) => v.toString()));
}

function addressParam(text: string | undefined): Address | undefined {
  return text && isAddress(text, { strict: false }) ? (text.toLowerCase() as Address) : undefined;
}

function limitParam(text: string | undefined, fallback: number, max = 1000): number {
  const n = Number(text ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

const badAddress = (what: string) => Response.json({ error: `${what} must be an address` }, { status: 400 });

/** An operator's rewards per epoch (settled and credited-but-unsettled), oldest first. */
app.get("/v1/operators/:address/rewards-per-epoch", async (c) => {
  const operator = addressParam(c.req.param("address"));
  if (!operator) return badAddress("address");
  const rows = await db
    .select()
    .from(schema.operatorEpoch)
    .where(eq(schema.operatorEpoch.operator, operator))
    .orderBy(schema.operatorEpoch.epoch)
    .limit(limitParam(c.req.query("limit"), 1000, 10_000));
  return json({ operator, epochs: rows });
});

/** An operator's shards with their outcomes, newest accepted first (the dapp's operator page). */
app.get("/v1/operators/:address/shards", async (c) => {
  const operator = addressParam(c.req.param("address"));
  if (!operator) return badAddress("address");
  const rows = await db
    .select()
    .from(schema.shard)
    .where(and(eq(schema.shard.operator, operator), isNotNull(schema.shard.acceptedBlock)))
    .orderBy(desc(schema.shard.acceptedBlock), desc(schema.shard.acceptedLogIndex))
    .limit(limitParam(c.req.query("limit"), 30));
  return json({ operator, shards: rows });
});

/** An operator's vesting: its totals (unvested now, put into vesting, vested, forfeited) and every
 * vesting movement, oldest first. An operator without vesting activity answers zeros. */
app.get("/v1/operators/:address/vesting", async (c) => {
  const operator = addressParam(c.req.param("address"));
  if (!operator) return badAddress("address");
  const [totals, events] = await Promise.all([
    db.select().from(schema.operatorVesting).where(eq(schema.operatorVesting.operator, operator)),
    db
      .select()
      .from(schema.vestingEvent)
      .where(eq(schema.vestingEvent.operator, operator))
      .orderBy(schema.vestingEvent.blockNumber, schema.vestingEvent.logIndex)
      .limit(limitParam(c.req.query("limit"), 1000, 10_000)),
  ]);
  const zero = { operator, vesting: 0n, vestingAdded: 0n, vested: 0n, forfeited: 0n };
  return json({ ...(totals[0] ?? zero), events });
});

/** One operator row. */
app.get("/v1/operators/:address", async (c) => {
  const operator = addressParam(c.req.param("address"));
  if (!operator) return badAddress("address");
  const [row] = await db.select().from(schema.operator).where(eq(schema.operator.address, operator));
  if (!row) return Response.json({ error: `operator ${operator} is not registered` }, { status: 404 });
  return json(row);
});

/** Every operator, by rewards earned. */
app.get("/v1/operators", async () => {
  return json({ operators: await db.select().from(schema.operator).orderBy(desc(schema.operator.rewardsTotal)) });
});

/** Settled volume per UTC day and payment token, oldest first. */
app.get("/v1/network/daily-volume", async (c) => {
  const token = addressParam(c.req.query("token"));
  const rows = await db
    .select()
    .from(schema.dailyVolume)
    .where(token ? eq(schema.dailyVolume.token, token) : undefined)
    .orderBy(schema.dailyVolume.day)
    .limit(limitParam(c.req.query("limit"), 366, 10_000));
  return json({ days: rows });
});

/** Network totals per epoch, oldest first. */
app.get("/v1/epochs", async (c) => {
  const rows = await db
    .select()
    .from(schema.epoch)
    .orderBy(desc(schema.epoch.epoch))
    .limit(limitParam(c.req.query("limit"), 100, 10_000));
  return json({ epochs: rows.reverse() });
});

/** A developer's jobs, newest first, each with its shards. */
app.get("/v1/developers/:address/jobs", async (c) => {
  const developer = addressParam(c.req.param("address"));
  if (!developer) return badAddress("address");
  const jobs = await db
    .select()
    .from(schema.job)
    .where(eq(schema.job.developer, developer))
    .orderBy(desc(schema.job.jobId))
    .limit(limitParam(c.req.query("limit"), 20));
  const ids = jobs.map((j) => j.jobId);
  const shards = ids.length
    ? await db.select().from(schema.shard).where(inArray(schema.shard.jobId, ids)).orderBy(schema.shard.shard)
    : [];
  return json({ jobs: jobs.map((j) => ({ ...j, shards: shards.filter((s) => s.jobId === j.jobId) })) });
});

/** One job with its shards and every shard event. */
app.get("/v1/jobs/:jobId", async (c) => {
  const text = c.req.param("jobId");
  if (!/^\d+$/.test(text)) return Response.json({ error: "jobId must be a decimal integer" }, { status: 400 });
  const jobId = BigInt(text);
  const [row] = await db.select().from(schema.job).where(eq(schema.job.jobId, jobId));
  if (!row) return Response.json({ error: `job ${jobId} is not indexed` }, { status: 404 });
  const [shards, events] = await Promise.all([
    db.select().from(schema.shard).where(eq(schema.shard.jobId, jobId)).orderBy(schema.shard.shard),
    db
      .select()
      .from(schema.shardEvent)
      .where(eq(schema.shardEvent.jobId, jobId))
      .orderBy(schema.shardEvent.blockNumber, schema.shardEvent.logIndex),
  ]);
  return json({ ...row, shards, events });
});

/**
 * Reward and delegation history (the dapp's Rewards page table), newest first: epoch settlements,
 * operator claims and, with `account`, that delegator's delegation events (every one without it).
 */
app.get("/v1/history", async (c) => {
  const account = addressParam(c.req.query("account"));
  const limit = limitParam(c.req.query("limit"), 50);
  const d = schema.delegationEvent;
  const [settled, claims, delegations] = await Promise.all([
    db
      .select()
      .from(schema.operatorEpoch)
      .where(eq(schema.operatorEpoch.settled, true))
      .orderBy(desc(schema.operatorEpoch.settledBlock), desc(schema.operatorEpoch.settledLogIndex))
      .limit(limit),
    db
      .select()
      .from(schema.rewardClaim)
      .orderBy(desc(schema.rewardClaim.blockNumber), desc(schema.rewardClaim.logIndex))
      .limit(limit),
    db
      .select()
      .from(d)
      .where(
        and(
          inArray(d.kind, ["delegated", "undelegated", "claimed", "withdrawn"]),
          account ? eq(d.delegator, account) : undefined,
        ),
      )
      .orderBy(desc(d.blockNumber), desc(d.logIndex))
      .limit(limit),
  ]);
  return json({ settled, claims, delegations });
});

/**
 * Totals rebuilt from indexed events for the conservation check (scripts/indexer/indexedConservation.ts):
 * RGL supply, mints and burns; balances of `accounts`; Σ balances; for jobs paid in `token`, Σ escrow
 * and Σ outcomes; Σ withdrawn and burned fees in `token`; Σ committee bonds; the operators; the
 * distributor's operator parts (Σ commission + self share settled), claims, vesting and forfeits.
 */
app.get("/v1/conservation", async (c) => {
  const token = addressParam(c.req.query("token"));
  if (!token) return badAddress("token");
  const accounts = (c.req.query("accounts") ?? "")
    .split(",")
    .map((a) => addressParam(a))
    .filter((a): a is Address => a !== undefined);
  const { job: j, fee: f, marketWithdrawal: w, tokenBalance: b, signer: s, operatorEpoch: oe } = schema;
  const [
    [supply],
    balances,
    [holders],
    [jobs],
    [fees],
    [withdrawn],
    [bonds],
    operators,
    signers,
    [parts],
    [claims],
    [vest],
  ] = await Promise.all([
    db.select().from(schema.tokenSupply).where(eq(schema.tokenSupply.id, "RGL")),
    accounts.length ? db.select().from(b).where(inArray(b.account, accounts)) : Promise.resolve([]),
    db.select({ total: sum(b.balance), count: count() }).from(b),
    db
      .select({ count: count(), escrow: sum(j.escrow), paid: sum(j.paid), fees: sum(j.fees), refunds: sum(j.refunds) })
      .from(j)
      .where(eq(j.paymentToken, token)),
    db
      .select({ burned: sum(f.amount) })
      .from(f)
      .where(and(eq(f.token, token), eq(f.burned, true))),
    db
      .select({ amount: sum(w.amount) })
      .from(w)
      .where(eq(w.token, token)),
    db.select({ total: sum(s.bond), count: count() }).from(s),
    db.select({ address: schema.operator.address }).from(schema.operator),
    db.select({ address: s.address }).from(s),
    db
      .select({ commission: sum(oe.commission), selfShare: sum(oe.selfShare) })
      .from(oe)
      .where(eq(oe.settled, true)),
    db.select({ amount: sum(schema.rewardClaim.amount) }).from(schema.rewardClaim),
    db
      .select({ vesting: sum(schema.operatorVesting.vesting), forfeited: sum(schema.operatorVesting.forfeited) })
      .from(schema.operatorVesting),
  ]);
  const big = (v: string | null | undefined) => BigInt(v ?? 0);
  return json({
    supply: supply ?? { supply: 0n, minted: 0n, burned: 0n, transfers: 0 },
    balances,
    holders: { total: big(holders?.total), count: holders?.count ?? 0 },
    jobs: {
      count: jobs?.count ?? 0,
      escrow: big(jobs?.escrow),
      paid: big(jobs?.paid),
      fees: big(jobs?.fees),
      refunds: big(jobs?.refunds),
    },
    feesBurned: big(fees?.burned),
    withdrawn: big(withdrawn?.amount),
    bonds: { total: big(bonds?.total), count: bonds?.count ?? 0 },
    operators: operators.map((o) => o.address),
    rewards: {
      operatorParts: big(parts?.commission) + big(parts?.selfShare),
      claimed: big(claims?.amount),
      vesting: big(vest?.vesting),
      forfeited: big(vest?.forfeited),
    },
    signers: signers.map((x) => x.address),
  });
});

export default app;

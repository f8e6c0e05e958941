import { expect } from "chai";
import { zeroAddress, type Address, type Hex } from "viem";
import type { ChainJob } from "../../agent/chain/agentChain";
import {
  OfferAdmission,
  type AdmissionDeps,
  type Decline,
  type OfferChainFacts,
  type OperatorStanding,
} from "../../agent/daemon/offerAdmission";
import { Journal, JOURNAL_MIGRATIONS } from "../../agent/journal/journal";
import { Offers, type Offer } from "../../agent/journal/offers";
import type { ShardPolicy } from "../../agent/policy/shardPolicy";
import { openDatabase } from "../../sdk/db/openDatabase";
import { createLogger } from "../../sdk/log/createLogger";
import { JobKind, ShardState } from "../../sdk/market/enums";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";

// PROTOCOL §20.8 "Admission": the agent decides several offers at once. These tests drive
// OfferAdmission with a fake chain (reads that resolve when the test says) and the real journal, and
// check what concurrency must not break: a shard is journaled and driven once, slots, GPUs and
// collateral are never promised twice, and no more decisions than `concurrency` are in flight.

const ME = "0x00000000000000000000000000000000000000aa" as Address;
const OTHER = "0x00000000000000000000000000000000000000bb" as Address;
const TOKEN = "0x00000000000000000000000000000000000000cc" as Address;
const HASH = `0x${"ab".repeat(32)}` as Hex;
const GIB = 2 ** 30;

const silent = createLogger({ name: "t", level: "silent", destination: { write: () => undefined } });
const matmul: JobSpec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 8, n: 8, k: 8 });
const container = (gpus: number): JobSpec =>
  parseJobSpec({ kind: "container", image: "rigel/busybox:test", memoryMiB: 64, timeoutSec: 60, gpus });

const job = (kind: number = JobKind.MatmulInt8) =>
  ({
    kind,
    paymentToken: TOKEN,
    maxPricePerUnit: 100n,
    maxUnitsPerShard: 1_000_000n,
    minVramMiB: 0,
    minOpsPerSec: 0n,
    deadline: 100_000n,
    shards: 1,
  }) as unknown as ChainJob;

/** A gate: reads wait on it until the test opens it (or a macrotask passes, with `autoOpen`). */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

interface Harness {
  admission: OfferAdmission;
  journal: Journal;
  offers: Offers;
  taken: string[];
  declined: string[];
  reads: { inFlight: number; max: number; calls: number };
}

function harness(
  over: {
    policy?: Partial<ShardPolicy>;
    standing?: Partial<OperatorStanding>;
    facts?: (o: Offer) => Partial<OfferChainFacts>;
    spec?: (o: Offer) => JobSpec;
    prepare?: (spec: JobSpec) => Promise<Decline | undefined>;
    readGate?: Promise<void>;
    readFails?: (o: Offer) => boolean;
    concurrency?: number;
    perPass?: number;
    host?: { gpus: number };
  } = {},
): Harness {
  const db = openDatabase({ file: ":memory:", migrations: JOURNAL_MIGRATIONS });
  const journal = new Journal(db);
  const offers = new Offers(db);
  const taken: string[] = [];
  const declined: string[] = [];
  const reads = { inFlight: 0, max: 0, calls: 0 };
  const deps: AdmissionDeps = {
    journal,
    offers,
    logger: silent,
    operator: ME,
    policy: () => ({
      kinds: ["matmul-int8", "container"],
      minPricePerUnit: 0n,
      paymentTokens: [],
      maxConcurrentShards: 100,
      ...over.policy,
    }),
    host: () => ({ cpus: 2, gpus: over.host?.gpus ?? 0, memoryBytes: 8 * GIB, freeDiskBytes: 20 * GIB }),
    localVramMiB: 0,
    submitMarginSec: 30,
    computeBeforeAccept: true,
    readStanding: async () => ({
      selfStake: 1_000_000n,
      lockedStake: 0n,
      jailedUntil: 0n,
      capacity: { opsPerSec: 10n, vramMiB: 0, validUntil: 1_000_000n },
      now: 1_000n,
      ...over.standing,
    }),
    readOffer: async (o) => {
      reads.calls++;
      reads.inFlight++;
      reads.max = Math.max(reads.max, reads.inFlight);
      try {
        // Every read waits at least one macrotask: concurrent decisions overlap for real.
        await new Promise((r) => setImmediate(r));
        if (over.readGate) await over.readGate;
        if (over.readFails?.(o)) throw new Error("rpc down");
        const spec = over.spec?.(o) ?? matmul;
        return {
          state: ShardState.Open,
          job: job(spec.kind === "container" ? JobKind.Container : JobKind.MatmulInt8),
          gangAcceptDeadline: 0n,
          assigned: zeroAddress,
          collateral: 100n,
          ...over.facts?.(o),
        };
      } finally {
        reads.inFlight--;
      }
    },
    inspect: async (o) => ({ spec: over.spec?.(o) ?? matmul, specHash: HASH }),
    prepare: over.prepare ?? (async () => undefined),
    onTaken: (jobId, shard) => taken.push(`${jobId}/${shard}`),
    onDeclined: (code) => declined.push(code),
  };
  const admission = new OfferAdmission(deps, { concurrency: over.concurrency ?? 8, perPass: over.perPass ?? 64 });
  return { admission, journal, offers, taken, declined, reads };
}

const addOffers = (h: Harness, n: number, first = 1) => {
  for (let i = 0; i < n; i++) h.offers.add(BigInt(first + i), 0, "data:,", HASH);
};

/** Journaled shards must be exactly the offers marked taken, each with one transition to `accepting`. */
function expectJournalConsistent(h: Harness) {
  const journaled = h.journal.unfinished();
  const keys = journaled.map((e) => `${e.jobId}/${e.shard}`).sort();
  expect(new Set(keys).size).to.equal(keys.length);
  expect([...h.taken].sort()).to.deep.equal(keys);
  for (const e of journaled) {
    expect(e.state).to.equal("accepting");
    expect(h.journal.history(e.jobId, e.shard).map((t) => [t.from, t.to])).to.deep.equal([[null, "accepting"]]);
  }
  expect(h.offers.counts().taken ?? 0).to.equal(keys.length);
}

describe("agent/daemon/OfferAdmission: offers decided side by side (§20.8)", () => {
  it("keeps at most `concurrency` decisions in flight, and reaches it", async () => {
    const h = harness({ concurrency: 5 });
    addOffers(h, 40);
    const result = await h.admission.pass();
    expect(result).to.deep.equal({ taken: 40, declined: 0, gone: 0, stopped: false });
    expect(h.reads.calls).to.equal(40);
    expect(h.reads.max).to.equal(5);
    expect(h.admission.maxInFlight).to.equal(5);
    expectJournalConsistent(h);
  });

  it("looks at `perPass` offers at most in one pass; the rest wait for the next", async () => {
    const h = harness({ concurrency: 4, perPass: 10 });
    addOffers(h, 25);
    expect((await h.admission.pass()).taken).to.equal(10);
    expect((await h.admission.pass()).taken).to.equal(10);
    expect((await h.admission.pass()).taken).to.equal(5);
    expectJournalConsistent(h);
  });

  it("never promises a slot twice: 1 busy of 3 slots, 10 offers decided at once → 2 taken, 8 left for later", async () => {
    const h = harness({ concurrency: 10, policy: { maxConcurrentShards: 3 } });
    h.journal.transition(99n, 0, "running", { specURI: "data:,", specHash: HASH, kind: "matmul-int8" });
    addOffers(h, 10);
    const result = await h.admission.pass();
    expect(result.taken).to.equal(2);
    expect(result.stopped).to.equal(true);
    // A passing reason: the others stay to decide (not declined).
    expect(h.offers.counts()).to.deep.equal({ new: 8, taken: 2 });
    expect(h.declined).to.deep.equal([]);
    expect(h.taken).to.have.length(2);
  });

  it("never promises stake twice: 700 free for computeFirst shards of 300 → 2 taken side by side, the rest declined", async () => {
    // Old rule (one decision at a time) gave the same count; the parallel rule must not give more.
    const h = harness({
      concurrency: 8,
      standing: { selfStake: 1_000n, lockedStake: 0n },
      facts: () => ({ assigned: ME, collateral: 300n }),
    });
    // A shard already running before its accept sets aside 300 of the 1,000.
    h.journal.transition(99n, 0, "running", {
      specURI: "data:,",
      specHash: HASH,
      kind: "matmul-int8",
      computeFirst: true,
      collateral: 300n,
    });
    addOffers(h, 8);
    const result = await h.admission.pass();
    expect(result.taken).to.equal(2);
    expect(result.declined).to.equal(6);
    const reserved = h.journal
      .unfinished()
      .filter((e) => e.data.computeFirst)
      .reduce((s, e) => s + (e.data.collateral ?? 0n), 0n);
    expect(reserved).to.equal(900n); // ≤ 1,000 self-stake
    for (const e of h.journal.unfinished().filter((x) => x.jobId !== 99n)) {
      expect(e.data.computeFirst).to.equal(true);
      expect(e.data.collateral).to.equal(300n);
    }
  });

  it("counts accept-first shards taken in the pass against the stake read at its start", async () => {
    // Unassigned shards are accepted first: their accepts are not in the pass's lockedStake yet.
    const h = harness({ concurrency: 8, standing: { selfStake: 1_000n, lockedStake: 400n } });
    addOffers(h, 10);
    const result = await h.admission.pass();
    expect(result.taken).to.equal(6); // 600 free / 100 each
    expect(result.declined).to.equal(4);
    expect(h.journal.unfinished().every((e) => e.data.computeFirst === undefined)).to.equal(true);
  });

  it("never journals or drives a shard twice: two passes at once over the same offers, and a shard journaled already", async () => {
    const g = gate();
    const h = harness({ concurrency: 4, readGate: g.opened });
    addOffers(h, 12);
    // Journaled before (a restart's resumed shard): marked taken, not journaled again.
    h.journal.transition(5n, 0, "accepted", { specURI: "data:,", specHash: HASH, kind: "matmul-int8" });
    const a = h.admission.pass();
    const b = h.admission.pass();
    await new Promise((r) => setImmediate(r));
    g.open();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.taken + rb.taken).to.equal(11);
    // 5/0, and whatever the second pass reached after the first had journaled it.
    expect(ra.gone + rb.gone).to.be.at.least(1);
    expect(h.taken).to.have.length(11);
    expect(new Set(h.taken).size).to.equal(11);
    expect(h.taken).to.not.include("5/0");
    expect(h.journal.history(5n, 0)).to.have.length(1);
    expect(h.offers.counts()).to.deep.equal({ taken: 12 });
  });

  it("holds a slot and GPUs while a container's prepare runs; a refused prepare gives them back", async () => {
    const prepares: { spec: JobSpec; done: (d: Decline | undefined) => void }[] = [];
    const h = harness({
      concurrency: 4,
      host: { gpus: 2 },
      policy: { maxConcurrentShards: 10 },
      spec: () => container(1),
      prepare: (spec) => new Promise((done) => prepares.push({ spec, done })),
    });
    addOffers(h, 4);
    const pass = h.admission.pass();
    while (prepares.length < 2) await new Promise((r) => setImmediate(r));
    // Two offers hold both GPUs; the other two found none free (a passing reason).
    prepares[0].done({ reason: "image refused", code: "SANDBOX_REGISTRY" });
    prepares[1].done(undefined);
    const result = await pass;
    expect(result).to.deep.equal({ taken: 1, declined: 1, gone: 0, stopped: true });
    expect(h.declined).to.deep.equal(["SANDBOX_REGISTRY"]);
    expect(h.journal.unfinished()[0].data.gpus).to.equal(1);
    expect(h.offers.counts()).to.deep.equal({ new: 2, declined: 1, taken: 1 });
    // Next pass: one GPU held by the journaled shard, one free → one more taken.
    const next = h.admission.pass();
    while (prepares.length < 3) await new Promise((r) => setImmediate(r));
    prepares[2].done(undefined);
    expect((await next).taken).to.equal(1);
    expect(h.journal.unfinished().reduce((s, e) => s + (e.data.gpus ?? 0), 0)).to.equal(2);
  });

  it("a failed read stops the pass and leaves the offer to decide later; a shard no longer Open is gone", async () => {
    const h = harness({
      concurrency: 1,
      readFails: (o) => o.jobId === 3n,
      facts: (o) => (o.jobId === 2n ? { state: ShardState.Accepted, assigned: OTHER } : {}),
    });
    addOffers(h, 5);
    const result = await h.admission.pass();
    expect(result).to.deep.equal({ taken: 1, declined: 0, gone: 1, stopped: true });
    expect(h.offers.counts()).to.deep.equal({ taken: 1, gone: 1, new: 3 });
    expectJournalConsistent(h);
  });
});

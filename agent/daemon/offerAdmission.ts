import { getAddress, type Address, type Hex } from "viem";
import type { Logger } from "../../sdk/log/createLogger";
import { ShardState } from "../../sdk/market/enums";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import type { ChainJob } from "../chain/agentChain";
import type { Journal, ShardState as JournalState } from "../journal/journal";
import type { Offer, Offers } from "../journal/offers";
import { decideShard, type HostFacts, type ShardPolicy } from "../policy/shardPolicy";

/** Journal states that hold a work slot: taken and not yet submitted. */
export const BUSY_STATES: readonly JournalState[] = ["accepting", "accepted", "running", "ran", "submitting"];

/** The operator's standing, read once per admission pass (one batched round of chain reads). */
export interface OperatorStanding {
  selfStake: bigint;
  lockedStake: bigint;
  jailedUntil: bigint;
  capacity: { opsPerSec: bigint; vramMiB: number; validUntil: bigint };
  /** The latest block's timestamp. */
  now: bigint;
}

/** What one offer's decision reads from the chain (one batched round: every read side by side). */
export interface OfferChainFacts {
  /** The shard's state on-chain (a {@link ShardState} number). */
  state: number;
  job: ChainJob;
  gangAcceptDeadline: bigint;
  assigned: Address;
  collateral: bigint;
  /** A shard assigned to another operator: when the market reopens it to anyone (§20.9; absent: never). */
  reopensAt?: bigint;
}

/** The spec of an offer, fetched and hash-checked, with what the decision needs from it. */
export interface InspectedSpec {
  spec: JobSpec;
  specHash: Hex;
  /** llm-inference: the model's context length (absent: not read, the policy declines). */
  llmModel?: { nPositions: number };
}

/** A decline with its log level and metrics code. */
export interface Decline {
  reason: string;
  level?: "info" | "error";
  code?: string;
}

/** The daemon's side of admission: chain reads, spec checks and the work before an accept. */
export interface AdmissionDeps {
  journal: Journal;
  offers: Offers;
  logger: Logger;
  operator: Address;
  /** The policy with the host's concurrency and sandbox ceilings filled in. */
  policy: () => ShardPolicy;
  host: () => HostFacts;
  /** The largest VRAM of one local GPU (MiB); 0 without a GPU. */
  localVramMiB: number;
  submitMarginSec: number;
  /** Run a shard assigned to us before accepting it (§20.7; never a gang shard). */
  computeBeforeAccept: boolean;
  readStanding(): Promise<OperatorStanding>;
  readOffer(offer: Offer): Promise<OfferChainFacts>;
  /** Fetches and checks the offer's spec against the job (kind, hash, the llm model's config). */
  inspect(offer: Offer, job: ChainJob): Promise<InspectedSpec | Decline>;
  /** Work before the accept, after the decision (container image and inputs, llm model files). */
  prepare(spec: JobSpec): Promise<Decline | undefined>;
  /** The shard was journaled `accepting`: drive it. */
  onTaken(jobId: bigint, shard: number): void;
  onDeclined(code: string): void;
}

/** Parameters of {@link OfferAdmission}. */
export interface OfferAdmissionParameters {
  /** Offers decided side by side at most (config `admissionConcurrency`). */
  concurrency: number;
  /** Offers looked at per pass at most (bounded work per loop pass). */
  perPass: number;
}

/** What a pass did, for logs and tests. */
export interface AdmissionPassResult {
  taken: number;
  declined: number;
  gone: number;
  /** Stopped early: no free slot (a passing reason) or a failed read. */
  stopped: boolean;
}

type Outcome = "taken" | "declined" | "gone" | "wait" | "error";

/**
 * Decides the agent's pending offers, several at once (PROTOCOL §20.8, "Admission"). Each pass reads
 * the operator's standing once (stake, jail, capacity, chain time), then decides up to `perPass`
 * offers with at most `concurrency` in flight, each reading its shard, job, gang, assignment and
 * collateral in one round. The check and the journal write of a decision run without a break (no
 * `await` between them), against the slots, GPUs and collateral the journal holds at the pass's start
 * plus every shard this pass has taken or reserved, so concurrent decisions never promise a slot or
 * stake twice; a shard already journaled is never taken again. The journal's `accepting` is still
 * written before any accept is sent (crash safety, §14.2).
 */
export class OfferAdmission {
  /** Offers being decided now (never decided twice at once). */
  private readonly inFlight = new Set<string>();
  /** The most decisions that were ever in flight together (tests). */
  maxInFlight = 0;

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly p: OfferAdmissionParameters,
  ) {}

  /** One pass over the pending offers. */
  async pass(): Promise<AdmissionPassResult> {
    const { journal, offers } = this.deps;
    const pending = offers.pending(this.p.perPass).filter((o) => !this.inFlight.has(keyOf(o)));
    const result: AdmissionPassResult = { taken: 0, declined: 0, gone: 0, stopped: false };
    if (pending.length === 0) return result;
    // The journal first, then the chain: a shard submitted in between is counted twice (safe), never
    // not at all.
    const busy = journal.unfinished().filter((e) => BUSY_STATES.includes(e.state));
    const pass: PassLedger = {
      running: busy.length,
      gpusInUse: busy.reduce((sum, e) => sum + (e.data.gpus ?? 0), 0),
      // Shards run before their accept lock nothing on-chain yet: their collateral is set aside here.
      setAside: busy.filter((e) => e.data.computeFirst).reduce((sum, e) => sum + (e.data.collateral ?? 0n), 0n),
      standing: await this.deps.readStanding(),
    };
    const queue = [...pending];
    const worker = async () => {
      while (!result.stopped) {
        const offer = queue.shift();
        if (!offer) return;
        const key = keyOf(offer);
        if (this.inFlight.has(key)) continue; // decided by another pass right now
        this.inFlight.add(key);
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
        try {
          const outcome = await this.decide(offer, pass);
          if (outcome === "wait" || outcome === "error") result.stopped = true;
          else result[outcome]++;
        } finally {
          this.inFlight.delete(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.p.concurrency, queue.length) }, worker));
    return result;
  }

  private async decide(offer: Offer, pass: PassLedger): Promise<Outcome> {
    const { journal, offers, logger } = this.deps;
    const log = logger.child({ jobId: offer.jobId.toString(), shard: offer.shard });
    const decline = ({ reason, level = "info", code = "OTHER" }: Decline): Outcome => {
      log[level]({ reason, code }, "shard declined");
      this.deps.onDeclined(code);
      offers.set(offer.jobId, offer.shard, "declined", reason);
      return "declined";
    };
    if (journal.get(offer.jobId, offer.shard)) {
      offers.set(offer.jobId, offer.shard, "taken");
      return "gone";
    }
    let facts: OfferChainFacts;
    let inspected: InspectedSpec | Decline;
    try {
      facts = await this.deps.readOffer(offer);
      if (facts.state !== ShardState.Open) {
        offers.set(offer.jobId, offer.shard, "gone");
        return "gone";
      }
      inspected = await this.deps.inspect(offer, facts.job);
    } catch (err) {
      log.warn({ err }, "could not decide on a shard; retrying later");
      return "error";
    }
    if (!("spec" in inspected)) return decline(inspected);
    const { spec, specHash } = inspected;
    // Assigned to us and not a gang: run first, then acceptAndSubmit (one transaction, §20.7).
    const computeFirst =
      this.deps.computeBeforeAccept &&
      facts.gangAcceptDeadline === 0n &&
      getAddress(facts.assigned) === getAddress(this.deps.operator);
    const gpus = spec.kind === "container" && spec.gpus > 0 ? spec.gpus : 0;
    // From here to the reservation: no await (the check and the claim are one step).
    if (this.inJournal(offer)) return "gone";
    const standing = pass.standing;
    const decision = decideShard(this.deps.policy(), {
      operator: this.deps.operator,
      spec,
      shard: offer.shard,
      job: facts.job,
      assigned: facts.assigned,
      reopensAt: facts.reopensAt,
      llmModel: inspected.llmModel,
      capacity: standing.capacity,
      localVramMiB: this.deps.localVramMiB,
      freeStake: standing.selfStake - standing.lockedStake - pass.setAside,
      collateral: facts.collateral,
      jailedUntil: standing.jailedUntil,
      running: pass.running,
      host: this.deps.host(),
      gpusInUse: pass.gpusInUse,
      now: standing.now,
      submitMarginSec: BigInt(this.deps.submitMarginSec),
      gangAcceptDeadline: facts.gangAcceptDeadline,
    });
    if (!decision.take) {
      if (decision.passing) return "wait";
      return decline({ reason: decision.reason, code: decision.code });
    }
    // Reserved for the rest of the pass: a slot, its GPUs and its collateral (the accept of a shard
    // taken now is not in the standing read at the pass's start; a computeFirst one locks nothing yet).
    pass.running++;
    pass.gpusInUse += gpus;
    pass.setAside += facts.collateral;
    const release = () => {
      pass.running--;
      pass.gpusInUse -= gpus;
      pass.setAside -= facts.collateral;
    };
    if (spec.kind !== "matmul-int8") {
      let refused: Decline | undefined;
      try {
        refused = await this.deps.prepare(spec);
      } catch (err) {
        refused = { reason: `cannot run it here: ${(err as Error).message}`, level: "error" };
      }
      if (refused) {
        release();
        return decline(refused);
      }
      if (this.inJournal(offer)) {
        release();
        return "gone";
      }
    }
    // The intent is journaled before the accept transaction is sent (the driver sends it).
    journal.transition(
      offer.jobId,
      offer.shard,
      "accepting",
      {
        specURI: offer.specURI,
        specHash,
        kind: spec.kind,
        ...(gpus > 0 ? { gpus } : {}),
        ...(facts.gangAcceptDeadline > 0n ? { gangAcceptDeadline: facts.gangAcceptDeadline } : {}),
        ...(computeFirst ? { computeFirst, collateral: facts.collateral } : {}),
      },
      [null],
    );
    offers.set(offer.jobId, offer.shard, "taken");
    log.info({ kind: spec.kind, price: facts.job.maxPricePerUnit }, "taking shard");
    this.deps.onTaken(offer.jobId, offer.shard);
    return "taken";
  }

  private inJournal(offer: Offer): boolean {
    if (!this.deps.journal.get(offer.jobId, offer.shard)) return false;
    this.deps.offers.set(offer.jobId, offer.shard, "taken");
    return true;
  }
}

/** The slots, GPUs and collateral one pass counts against (the journal's at its start, plus its own). */
interface PassLedger {
  running: number;
  gpusInUse: number;
  setAside: bigint;
  standing: OperatorStanding;
}

const keyOf = (o: { jobId: bigint; shard: number }) => `${o.jobId}/${o.shard}`;

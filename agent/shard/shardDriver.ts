import { getAddress, type Hex } from "viem";
import { resultsPath } from "../../sdk/agentApi/resultsManifest";
import { sortSignaturesBySigner } from "../../sdk/eip712/sortSignatures";
import { RigelError } from "../../sdk/errors/RigelError";
import type { Logger } from "../../sdk/log/createLogger";
import { ShardState, Verdict, shardStateName } from "../../sdk/market/enums";
import { claimBeacon } from "../../sdk/pow/beacon";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { AgentTxError, type AgentChain, type ChainShard } from "../chain/agentChain";
import { TERMINAL_STATES, type Journal, type JournalEntry, type ShardState as JournalState } from "../journal/journal";
import { ranData, type RanData, type ShardDataPatch, type TakenFacts } from "../journal/shardData";
import type { SubmissionBatcher } from "../chain/submissionBatcher";
import type { OracleGateway } from "../oracle/oracleGateway";
import { shardResultFiles } from "../results/resultsRoutes";
import { persistShardResults } from "../results/shardResultsManifest";
import { uploadShardResults } from "../results/uploadResults";
import { JobCache, type ImmutableJob } from "./jobCache";
import { buildShardProof, isClaimableRun, proveShard } from "./proveShard";
import { runShard, type ShardRunSettings } from "./runShard";
import { ShardStepError } from "./shardStepError";
import { shardWorkspace } from "./shardWorkspace";

/** Everything a shard's life needs, passed in so tests can swap any part. */
export interface ShardDriverContext extends ShardRunSettings {
  chain: AgentChain;
  journal: Journal;
  oracle: OracleGateway;
  logger: Logger;
  dataDir: string;
  /** The agent's public base URL: the resultURI submitted is `<publicUrl>/v1/results/<job>/<shard>`. */
  publicUrl: string;
  /**
   * Seconds before the deadline after which no work is started; a result this close to its deadline
   * is submitted alone at once instead of waiting for its batch.
   */
  submitMarginSec: number;
  /** Where finished shards go to be submitted (one `submitMany` per batch, §20.7). */
  submitter: Pick<SubmissionBatcher, "submit">;
  /**
   * After the quorum, how long the committee's batched relay has to settle the shard before this agent
   * settles it alone (0: at once). The shard's settlement event wakes it earlier.
   */
  settleDelaySec?: number;
  /**
   * Claims (PROTOCOL §20.10): an assigned shard that ran in a claimable mode is claimed at every
   * oracle and settled from Open; `timeoutSec` bounds the wait for the quorum before the shard takes
   * the on-chain path. Default: on, 60 s (also needs a gateway that claims: `oracle.claimShard`).
   */
  claims?: { enabled: boolean; timeoutSec: number };
  /** Called at each phase: progress display and metrics. */
  onPhase?: (jobId: bigint, shard: number, phase: string) => void;
}

/** A scheme or address the egress policy refuses: no retry can change it. */
const FINAL_UPLOAD_ERRORS: readonly string[] = ["AGENT_UPLOAD_HOST"];
/** Tries of a results upload, 1, 2, 4, 8 then 16 s apart (PROTOCOL §14.9). */
const UPLOAD_ATTEMPTS = 6;

const isTerminal = (s: JournalState) => TERMINAL_STATES.includes(s);

/**
 * The journal state a settled verdict ends in: Valid → `settled`; DeveloperFault → `developerFault`
 * (paid for the units used, §18.2); Invalid → `failed`.
 */
const SETTLED_AS: Partial<Record<number, JournalState>> = {
  [Verdict.Valid]: "settled",
  [Verdict.DeveloperFault]: "developerFault",
};

/** How a drive ended: the journal state, and for a shard that waits, when to look at it again. */
export interface DriveOutcome {
  state: JournalState;
  /** Unix ms before which driving the shard again is pointless (nothing of ours is due before). */
  wakeAtMs?: number;
}

/** A step's answer when the shard must wait for the chain or the committee: until when, if known. */
type StepWait = { wait: true; untilMs?: number };

/** Between two rounds of a claim that has no quorum yet (the oracles answer the same claim the same). */
const CLAIM_RETRY_MS = 2000;
/** The default of `claims` (agent config `claims`, `claimTimeoutSec`). */
const DEFAULT_CLAIMS = { enabled: true, timeoutSec: 60 };

/** How long a read of the chain's latest timestamp is reused (many shards step within one pass). */
const NOW_CACHE_MS = 200;

/**
 * Drives one shard through its life (docs/PROTOCOL.md §14.2), one journaled step at a time: the state
 * machine. Each step writes its intent to the journal BEFORE acting (`accepting`, `running`,
 * `submitting`, `proving`, `settling`), and each step that finds an intent first reads the shard
 * on-chain to learn whether the action already happened, so a kill -9 at any point never accepts,
 * submits or settles twice. The work itself is `runShard`, the proof `proveShard`, the files the
 * shard's workspace (`shardWorkspace`). The job and its spec are read once per job (`JobCache`).
 */
export class ShardDriver {
  private readonly jobs: JobCache;
  private nowCache: { at: number; value: Promise<bigint> } | undefined;

  constructor(private readonly ctx: ShardDriverContext) {
    this.jobs = new JobCache({
      job: (jobId) => ctx.chain.getJob(jobId),
      spec: async (uri, specHash) =>
        (
          await fetchJobSpec(uri, specHash, {
            allowRemoteHosts: ctx.allowRemoteHosts,
            fileRoots: ctx.inputFileRoots ?? [],
          })
        ).spec,
    });
  }

  /**
   * Runs steps until the shard is final, or until it must wait for the chain (a gang shard before its
   * gang started): then it returns the unfinished state and a later pass drives it again. Throws (to
   * be retried later) when a step cannot complete.
   */
  async drive(jobId: bigint, shard: number): Promise<DriveOutcome> {
    for (let steps = 0; steps < 64; steps++) {
      const entry = this.ctx.journal.get(jobId, shard);
      if (!entry) throw new ShardStepError("AGENT_SHARD_UNKNOWN", `shard ${jobId}/${shard} is not journaled`);
      if (isTerminal(entry.state)) return { state: entry.state };
      const outcome = await this.step(entry);
      if (outcome?.wait) return { state: entry.state, wakeAtMs: outcome.untilMs };
    }
    throw new ShardStepError("AGENT_SHARD_STUCK", `shard ${jobId}/${shard} did not settle in 64 steps`);
  }

  private log(entry: Pick<JournalEntry, "jobId" | "shard">) {
    return this.ctx.logger.child({ jobId: entry.jobId.toString(), shard: entry.shard });
  }

  private move<T extends JournalState>(entry: JournalEntry, to: T, data: ShardDataPatch = {}): JournalEntry<T> {
    this.ctx.onPhase?.(entry.jobId, entry.shard, to);
    return this.ctx.journal.transition(entry.jobId, entry.shard, to, data, [entry.state]);
  }

  /** A shard that left our hands on-chain: the matching final journal state. */
  private finalFromChain(onChain: ChainShard): JournalState | undefined {
    const mine = getAddress(onChain.operator) === getAddress(this.ctx.chain.address);
    switch (onChain.state) {
      case ShardState.Settled:
        return mine ? "settled" : "abandoned";
      case ShardState.Failed:
        return mine ? "failed" : "abandoned";
      case ShardState.Expired:
        return mine ? "expired" : "abandoned";
      case ShardState.DeveloperFault:
        return mine ? "developerFault" : "abandoned";
      case ShardState.Cancelled:
        return "abandoned";
      default:
        return mine || onChain.state === ShardState.Open ? undefined : "abandoned";
    }
  }

  private async readShard(entry: JournalEntry): Promise<ChainShard> {
    try {
      return await this.ctx.chain.getShard(entry.jobId, entry.shard);
    } catch (err) {
      throw new ShardStepError("AGENT_CHAIN_UNAVAILABLE", `cannot read shard ${entry.jobId}/${entry.shard}`, {
        cause: err,
      });
    }
  }

  /** The chain's latest block timestamp, one read shared by the steps of the next ~200 ms. */
  private latestTimestamp(): Promise<bigint> {
    const at = Date.now();
    if (!this.nowCache || at - this.nowCache.at > NOW_CACHE_MS) {
      const value = this.ctx.chain.latestTimestamp();
      this.nowCache = { at, value };
      value.catch(() => (this.nowCache = undefined));
    }
    return this.nowCache.value;
  }

  /** The job's spec (fetched and checked against its hash once per job). */
  private spec(entry: { jobId: bigint; data: Pick<TakenFacts, "specURI" | "specHash"> }): Promise<JobSpec> {
    return this.jobs.spec(entry.jobId, entry.data.specURI, entry.data.specHash);
  }

  /**
   * One step; a wait when nothing can happen until the chain or the committee moves (an unstarted
   * gang; a quorum left to the committee's relay for `settleDelaySec`).
   */
  private async step(entry: JournalEntry): Promise<StepWait | void> {
    const log = this.log(entry);
    // Moves that only write the next intent: no chain read (the next step reads it anyway).
    if (entry.state === "ran") return void this.move(entry, "submitting");
    if (entry.state === "submitted") return void this.move(entry, "proving");
    if (entry.state === "attested") {
      const untilMs = (entry.data.attestedAt ?? 0) + (this.ctx.settleDelaySec ?? 0) * 1000;
      if (Date.now() < untilMs) {
        // The committee's relay settles in batches (§20.5); this agent waits, then settles alone.
        const onChain = await this.readShard(entry);
        // A claimed shard (§20.10) waits Open; one submitted on-chain waits Submitted.
        const waiting = entry.data.claimed ? ShardState.Open : ShardState.Submitted;
        if (onChain.state === waiting) return { wait: true, untilMs };
        if (this.endIfFinal(entry, onChain, log)) return;
      }
      return void this.move(entry, "settling");
    }
    const onChain = await this.readShard(entry);
    if (this.endIfFinal(entry, onChain, log)) return;
    const job = await this.jobs.job(entry.jobId);
    switch (entry.state) {
      case "accepting": {
        if (onChain.state === ShardState.Accepted) {
          this.move(entry, "accepted", { collateral: onChain.collateral });
          return;
        }
        if (entry.data.computeFirst) {
          // Assigned to us: run first, then accept and submit in one transaction (§20.7).
          this.move(entry, "running", { runStartedAt: Date.now() });
          return;
        }
        // Open: the accept was never mined (or never sent). Send it now.
        try {
          const tx = await this.ctx.chain.accept(entry.jobId, entry.shard);
          log.info({ tx: tx.hash }, "shard accepted");
          this.move(entry, "accepted", { acceptTx: tx.hash });
        } catch (err) {
          const again = await this.readShard(entry);
          if (
            again.state === ShardState.Accepted &&
            getAddress(again.operator) === getAddress(this.ctx.chain.address)
          ) {
            this.move(entry, "accepted");
            return;
          }
          if (!(err instanceof AgentTxError && err.details.reverted)) throw err;
          log.warn({ reason: err.details.reason }, "accept refused by the market; giving the shard up");
          this.move(entry, "abandoned", { reason: err.message });
        }
        return;
      }
      case "accepted": {
        // A plain job's journal has no gang accept deadline: no gang read (§14.8).
        if (entry.data.gangAcceptDeadline === undefined) {
          this.move(entry, "running", { runStartedAt: Date.now() });
          return;
        }
        const gang = await this.ctx.chain.gangOf(entry.jobId);
        const now = await this.latestTimestamp();
        if (gang.acceptDeadline > 0n && gang.startedAt === 0n) return this.awaitGang(entry, gang, now);
        this.move(entry, "running", {
          runStartedAt: Date.now(),
          ...(gang.startedAt > 0n ? { gangStartedAt: gang.startedAt } : {}),
        });
        return;
      }
      case "running": {
        if (onChain.state === ShardState.Submitted) {
          // Cannot happen (submitting is journaled first), but never submit twice.
          this.move(entry, "submitted", { root: onChain.resultRoot, units: onChain.units });
          return;
        }
        const now = await this.latestTimestamp();
        if (now + BigInt(this.ctx.submitMarginSec) >= job.deadline) {
          if (onChain.state === ShardState.Open) {
            // Computed first and never accepted: nothing of ours is on-chain, nobody is slashed.
            log.warn({ deadline: job.deadline }, "no time left before the deadline; the shard is left open");
            this.move(entry, "abandoned", { reason: "deadline too close to run" });
            return;
          }
          log.error({ deadline: job.deadline }, "no time left before the deadline; the shard will expire");
          this.move(entry, "failed", { reason: "deadline too close to run" });
          return;
        }
        await this.run(entry, job);
        return;
      }
      case "submitting": {
        if (onChain.state === ShardState.Submitted) {
          this.move(entry, "submitted", { submittedBlock: onChain.submittedBlock });
          return;
        }
        const now = await this.latestTimestamp();
        if (now >= job.deadline) {
          log.error("deadline passed before the result was submitted");
          const to = onChain.state === ShardState.Open ? "abandoned" : "failed";
          this.move(entry, to, { reason: "deadline passed before submit" });
          return;
        }
        const { root, units } = entry.data;
        const resultURI = `${this.ctx.publicUrl}${resultsPath(entry.jobId, entry.shard)}`;
        const sub = { jobId: entry.jobId, shard: entry.shard, resultRoot: root, units, resultURI };
        if (onChain.state === ShardState.Open) {
          if (await this.claimable(entry, job, now)) {
            this.move(entry, "claiming", { claimStartedAt: Date.now() });
            return;
          }
          return this.acceptAndSubmit(entry, sub);
        }
        const tx = await this.ctx.submitter.submit(sub, {
          urgent: job.deadline - now <= BigInt(this.ctx.submitMarginSec),
        });
        log.info({ tx: tx.hash, root, units, batch: tx.batchSize }, "result submitted");
        this.move(entry, "submitted", { submitTx: tx.hash, submittedBlock: tx.blockNumber, resultURI });
        return;
      }
      case "claiming":
        return this.claim(entry, job, onChain);
      case "proving": {
        // Nobody answered within the verify window (the oracles could not verify, or did not
        // reproduce a failure): the market pays no one and slashes no one; taking the collateral back
        // is this agent's to do (PROTOCOL §18.1).
        const now = await this.latestTimestamp();
        // The verify window the shard was accepted under (its snapshot, §20.3), not today's parameter.
        if (now > onChain.submittedAt + BigInt(onChain.verifyWindow)) {
          const tx = await this.ctx.chain.expire(entry.jobId, entry.shard);
          log.warn({ tx: tx.hash }, "no quorum within the verify window; shard expired (refund, collateral back)");
          this.move(entry, "expired", { endedOnChain: "Expired" });
          return;
        }
        const quorum = await proveShard({
          chain: this.ctx.chain,
          oracle: this.ctx.oracle,
          jobId: entry.jobId,
          shard: entry.shard,
          spec: await this.spec(entry),
          onChain,
          data: entry.data,
          workspace: shardWorkspace(this.ctx.dataDir, entry.jobId, entry.shard),
        });
        this.move(entry, "attested", {
          attestation: quorum.attestation,
          signatures: sortSignaturesBySigner(quorum.signatures),
          attestedAt: Date.now(),
        });
        return;
      }
      case "settling": {
        const { attestation, signatures } = entry.data;
        const now = await this.latestTimestamp();
        if (attestation.expiry < now && entry.data.claimed) {
          // A claim's attestation expires at the job's deadline, after which the market settles no
          // claim (§20.10): nothing of ours is on-chain, nobody is paid or slashed.
          log.warn({ expiry: attestation.expiry }, "the deadline passed before the claimed shard settled; left open");
          this.move(entry, "abandoned", { reason: "claim not settled before the deadline" });
          return;
        }
        if (attestation.expiry < now) {
          log.warn("attestation expired before settlement; asking the oracles again");
          this.ctx.journal.transition(entry.jobId, entry.shard, "proving", {}, ["settling"]);
          return;
        }
        const tx = await this.ctx.chain.settle(attestation, signatures);
        const to = SETTLED_AS[attestation.verdict] ?? "failed";
        log.info({ tx: tx.hash, verdict: attestation.verdict, units: attestation.units, to }, "shard settled");
        this.move(entry, to, { settleTx: tx.hash });
        if (to !== "failed") await this.upload(entry);
        return;
      }
      default:
        throw new ShardStepError("AGENT_BAD_STATE", `unexpected journal state ${entry.state}`);
    }
  }

  /**
   * Ends the journal entry when the chain says the shard left our hands (final, cancelled, another
   * operator's); uploads the results of a shard the committee's relay settled for us. True when it ended.
   */
  private endIfFinal(entry: JournalEntry, onChain: ChainShard, log: Logger): boolean {
    const final = this.finalFromChain(onChain);
    if (!final) return false;
    const endedOnChain = shardStateName(onChain.state);
    log.info({ onChain: endedOnChain, journal: entry.state, to: final }, "shard ended on-chain");
    this.move(entry, final, { endedOnChain });
    if ((final === "settled" || final === "developerFault") && ranData(entry.data)) {
      this.upload(entry as JournalEntry<"settling">).catch((err: unknown) =>
        log.warn({ err }, "results upload failed"),
      );
    }
    return true;
  }

  /**
   * Whether a shard that ran before it was accepted (assigned to us, Open on-chain) takes the claim
   * path (PROTOCOL §20.10) instead of `acceptAndSubmit`: claims on and supported by the gateway, not
   * given up before, a run that can be claimed (not failed, not receipt mode) and the deadline more
   * than `submitMarginSec + claimTimeoutSec` away. Logs the decision.
   */
  private async claimable(entry: JournalEntry<"submitting">, job: ImmutableJob, now: bigint): Promise<boolean> {
    const claims = this.ctx.claims ?? DEFAULT_CLAIMS;
    if (!entry.data.computeFirst || entry.data.claimAbandoned !== undefined) return false;
    if (!claims.enabled || !this.ctx.oracle.claimShard) return false;
    const log = this.log(entry);
    if (!isClaimableRun(await this.spec(entry), entry.data)) {
      log.info({ kind: entry.data.kind }, "not claimable (a failed run, or receipt mode): accept and submit on-chain");
      return false;
    }
    const left = job.deadline - now;
    if (left <= BigInt(this.ctx.submitMarginSec + claims.timeoutSec)) {
      log.info(
        { secondsLeft: left, submitMarginSec: this.ctx.submitMarginSec, claimTimeoutSec: claims.timeoutSec },
        "deadline too close for a claim: accept and submit on-chain",
      );
      return false;
    }
    log.info({ root: entry.data.root, units: entry.data.units }, "claiming the shard at the oracles");
    return true;
  }

  /**
   * The claim step (PROTOCOL §20.10): claims the shard at every oracle, proves it to each from that
   * oracle's beacon, and with a quorum of identical Valid attestations moves to `attested` (settled
   * from Open by the committee's relay, or by `settle`). Gives the claim up for the on-chain path
   * (back to `submitting` with `claimAbandoned`, the same root and units) when the oracles refuse it
   * so that no quorum is possible, when no quorum came within `claimTimeoutSec`, when the deadline is
   * within `submitMarginSec`, or when the shard is no longer Open. Without a quorum yet, it waits and
   * asks again (the oracles answer the same claim with the same nonce, so a restart here is safe).
   */
  private async claim(
    entry: JournalEntry<"claiming">,
    job: ImmutableJob,
    onChain: ChainShard,
  ): Promise<StepWait | void> {
    const log = this.log(entry);
    const claims = this.ctx.claims ?? DEFAULT_CLAIMS;
    const giveUp = (reason: string) => {
      log.warn({ reason }, "claim given up: accept and submit on-chain with the same result");
      this.move(entry, "submitting", { claimAbandoned: reason });
    };
    if (onChain.state !== ShardState.Open) return giveUp(`the shard is ${shardStateName(onChain.state)} on-chain`);
    if (!this.ctx.oracle.claimShard) return giveUp("the oracle gateway does not claim");
    const now = await this.latestTimestamp();
    if (job.deadline - now <= BigInt(this.ctx.submitMarginSec)) return giveUp("deadline within submitMarginSec");
    const timeoutAt = (entry.data.claimStartedAt ?? entry.updatedAt) + claims.timeoutSec * 1000;
    if (Date.now() >= timeoutAt) return giveUp(`no quorum within claimTimeoutSec (${claims.timeoutSec} s)`);

    const { jobId, shard, data } = entry;
    const chain = this.ctx.chain;
    const spec = await this.spec(entry);
    const workspace = shardWorkspace(this.ctx.dataDir, jobId, shard);
    const claim = { jobId, shard, operator: chain.address, root: data.root, units: data.units, kind: data.kind };
    let outcome;
    try {
      outcome = await this.ctx.oracle.claimShard(claim, async (ticket) => {
        const beacon = claimBeacon({
          chainId: chain.chainId,
          jobMarket: chain.contracts.JobMarket,
          jobId,
          shard,
          root: data.root,
          nonce: ticket.nonce,
        });
        if (beacon.toLowerCase() !== ticket.beacon.toLowerCase()) {
          throw new ShardStepError("AGENT_CLAIM_BEACON", "the oracle's claim beacon is not claimBeacon(nonce)", {
            details: { beacon: ticket.beacon, expected: beacon },
          });
        }
        return buildShardProof({
          chain,
          jobId,
          shard,
          spec,
          data,
          workspace,
          root: data.root,
          units: data.units,
          beacon,
          claim: true,
        });
      });
    } catch (err) {
      const untilMs = Math.min(timeoutAt, Date.now() + CLAIM_RETRY_MS);
      log.warn({ err, retryInMs: untilMs - Date.now() }, "no claim quorum yet; asking the oracles again");
      return { wait: true, untilMs };
    }
    if ("refused" in outcome) return giveUp(`${outcome.refused}: ${outcome.answers.join("; ")}`);
    const { attestation, signatures } = outcome.quorum;
    log.info({ verdict: attestation.verdict, units: attestation.units }, "claim attested by a quorum");
    this.move(entry, "attested", {
      attestation,
      signatures: sortSignaturesBySigner(signatures),
      attestedAt: Date.now(),
      claimed: true,
    });
  }

  /**
   * A shard computed before it was accepted (assigned to us, §20.7): accept and submit in one
   * transaction. A revert leaves the shard to the next step's chain read: taken by nobody else
   * (assigned), it is still Open (sent again), Submitted by us (mined before a crash), or cancelled
   * by its developer (abandoned).
   */
  private async acceptAndSubmit(
    entry: JournalEntry<"submitting">,
    sub: { jobId: bigint; shard: number; resultRoot: Hex; units: bigint; resultURI: string },
  ): Promise<void> {
    const log = this.log(entry);
    try {
      const tx = await this.ctx.chain.acceptAndSubmit(sub);
      log.info({ tx: tx.hash, root: sub.resultRoot, units: sub.units }, "shard accepted and result submitted");
      this.move(entry, "submitted", {
        acceptTx: tx.hash,
        submitTx: tx.hash,
        submittedBlock: tx.blockNumber,
        resultURI: sub.resultURI,
      });
    } catch (err) {
      const again = await this.readShard(entry);
      if (again.state === ShardState.Submitted && getAddress(again.operator) === getAddress(this.ctx.chain.address)) {
        this.move(entry, "submitted", { submittedBlock: again.submittedBlock, resultURI: sub.resultURI });
        return;
      }
      if (this.endIfFinal(entry, again, log)) return;
      if (!(err instanceof AgentTxError && err.details.reverted)) throw err;
      log.warn({ reason: err.details.reason }, "acceptAndSubmit refused by the market; giving the shard up");
      this.move(entry, "abandoned", { reason: err.message });
    }
  }

  /**
   * When the spec names an `uploadUrl` (PROTOCOL §14.9), PUTs the settled shard's results there too:
   * `UPLOAD_ATTEMPTS` tries over about half a minute (a busy receiver, an RPC node that answers a
   * read from a block before the settlement), then a warning. Best effort: the results stay served
   * by the agent either way, and an upload failure never touches the shard's settlement. Only once
   * the chain shows the shard Settled or DeveloperFault (§18.7, checked by `uploadShardResults`); a
   * failed run has no outputs to upload (its root commits to the failure, not to files).
   */
  private async upload(entry: JournalEntry<"settling">): Promise<void> {
    if (entry.data.failure) return;
    const log = this.log(entry);
    for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt++) {
      try {
        const spec = await this.spec(entry);
        if (!spec.uploadUrl) return;
        const { manifest, files } = shardResultFiles(this.ctx.dataDir, entry.jobId, entry.shard, entry.data);
        const done = await uploadShardResults({
          uploadUrl: spec.uploadUrl,
          account: this.ctx.chain.account,
          manifest,
          files,
          allowRemoteHosts: this.ctx.allowRemoteHosts ?? false,
          shardState: async () => (await this.readShard(entry)).state,
        });
        log.info(done, "results uploaded");
        return;
      } catch (err) {
        log.warn({ err, attempt, of: UPLOAD_ATTEMPTS }, "results upload failed");
        if (err instanceof RigelError && FINAL_UPLOAD_ERRORS.includes(err.code)) return;
        if (attempt < UPLOAD_ATTEMPTS) await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * An accepted shard of a gang that has not started (§9.7, §14.8): no work before every shard is
   * accepted. Before the accept deadline: wait. After it, the gang can never start: release it
   * (anyone may; it cancels the shards, refunds the escrow and unlocks every collateral, nobody is
   * slashed), and the shard ends `abandoned`, nothing computed or submitted.
   */
  private async awaitGang(
    entry: JournalEntry<"accepted">,
    gang: { acceptDeadline: bigint; released: boolean },
    now: bigint,
  ): Promise<StepWait | void> {
    const log = this.log(entry);
    if (!gang.released && now < gang.acceptDeadline) {
      if (entry.data.gangWaiting !== true) {
        log.info(
          { acceptDeadline: gang.acceptDeadline },
          "gang shard accepted; waiting for every shard to be accepted",
        );
        this.ctx.onPhase?.(entry.jobId, entry.shard, "gang-waiting");
        this.ctx.journal.transition(entry.jobId, entry.shard, "accepted", { gangWaiting: true }, ["accepted"]);
      }
      return { wait: true };
    }
    if (!gang.released) {
      try {
        const tx = await this.ctx.chain.releaseGang(entry.jobId);
        log.warn({ tx: tx.hash }, "the gang did not start by its accept deadline; released it");
      } catch (err) {
        // Another party released it first (the next read shows it), or the chain is unreachable (retried).
        if (!(err instanceof AgentTxError && err.details.reverted)) throw err;
      }
    }
    const after = await this.readShard(entry);
    if (after.state === ShardState.Cancelled) {
      this.move(entry, "abandoned", { endedOnChain: "Cancelled", reason: "gang released before it started" });
    }
  }

  /**
   * Runs the work (`runShard`), journaling container items as they finish; then `ran`, with the
   * outputs or, for a container run that failed, the failure (submitted and proved like any result).
   */
  private async run(entry: JournalEntry<"running">, job: ImmutableJob): Promise<void> {
    const { jobId, shard } = entry;
    const facts = await runShard({
      settings: this.ctx,
      logger: this.log(entry),
      jobId,
      shard,
      spec: await this.spec(entry),
      job,
      workspace: shardWorkspace(this.ctx.dataDir, jobId, shard),
      itemHashes: entry.data.itemHashes ?? {},
      onItemsDone: (itemHashes) => this.ctx.journal.transition(jobId, shard, "running", { itemHashes }, ["running"]),
      onPhase: (phase) => this.ctx.onPhase?.(jobId, shard, phase),
    });
    // Durable first (files and folders fsync'd, manifest kept), then journaled (PROTOCOL §14.2).
    await persistShardResults({
      dataDir: this.ctx.dataDir,
      jobId,
      shard,
      data: { ...entry.data, ...facts } as RanData,
    });
    this.move(entry, "ran", facts);
  }
}

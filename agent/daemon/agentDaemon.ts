import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Counter, Gauge, Histogram } from "prom-client";
import { getAddress, zeroAddress, type Address, type Hex, type Log } from "viem";
import { confirmationsFor, LogFollower, sqliteCursorStore } from "../../sdk/chain/logFollower";
import { REPLAY_GUARD_MIGRATIONS, SqliteReplayGuard } from "../../sdk/auth/sqliteReplayGuard";
import { openDatabase, type SqliteDatabase } from "../../sdk/db/openDatabase";
import { ensureImage, ImageRegistryError } from "../../sdk/executor/ensureImage";
import { fetchInput } from "../../sdk/executor/fetchInput";
import type { DockerClient } from "../../sdk/executor/dockerClient";
import type { GpuInfo } from "../../sdk/gpu/parseNvidiaSmi";
import type { Logger } from "../../sdk/log/createLogger";
import type { OracleClient } from "../../sdk/oracleApi/client";
import type { Daemon } from "../../sdk/service/runDaemon";
import { startHttpService, type HttpService } from "../../sdk/service/startHttpService";
import { fetchJobSpec } from "../../sdk/spec/fetchJobSpec";
import { LLM_MODEL_FILES, type JobSpec } from "../../sdk/spec/jobSpecTypes";
import { probeInferRuntime } from "../../sdk/llm/probeInferRuntime";
import { readModelConfig } from "../../sdk/llm/readModelConfig";
import { jobKindName } from "../../sdk/market/enums";
import {
  jobCreatedEvent,
  shardDeveloperFaultEvent,
  shardFailedEvent,
  shardSettledEvent,
} from "../../sdk/market/events";
import { getAbiItem } from "viem";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import type { AgentChain, ChainJob } from "../chain/agentChain";
import { SubmissionBatcher } from "../chain/submissionBatcher";
import { autoWithdraw } from "./autoWithdraw";
import { Journal, JOURNAL_MIGRATIONS, TERMINAL_STATES } from "../journal/journal";
import { Offers, type Offer } from "../journal/offers";
import type { OracleGateway } from "../oracle/oracleGateway";
import type { HostFacts, ShardPolicy } from "../policy/shardPolicy";
import {
  BUSY_STATES,
  OfferAdmission,
  type Decline,
  type InspectedSpec,
  type OfferChainFacts,
  type OperatorStanding,
} from "./offerAdmission";
import { GpuAllocator } from "../policy/gpuAllocator";
import { prepareSandbox, type AgentSandboxSettings } from "../policy/prepareSandbox";
import type { ContainerSandbox } from "../../sdk/executor/containerSandbox";
import { resultsRoutes } from "../results/resultsRoutes";
import { logsRoutes } from "../results/logsRoutes";
import { ShardLogHub } from "../results/shardLogs";
import { DEFAULT_LOG_BYTES } from "../../sdk/executor/containerSandbox";
import { ShardDriver } from "../shard/shardDriver";
import type { MatmulDevice } from "../work/matmulShard";
import { answerCapacityChallenge } from "../capacity/answerCapacityChallenge";
import { gpuUtilisation } from "./gpuUtilisation";
import { HeartbeatPublisher, type HeartbeatState } from "./heartbeatPublisher";
import { MAX_HEARTBEAT_SHARDS, MAX_RECENT_FAILURES, type HeartbeatFailure } from "../../sdk/liveness/heartbeat";
import { readAssignmentsReopenAt } from "../../sdk/market/readAssignmentsReopenAt";
import type { Progress } from "./progress";
import type { DevCheat } from "../work/devCheat";
import type { AfterTransition } from "../work/devCrash";

/** A shard assigned to one operator at creation (offers assigned to another are dropped unread). */
const shardAssignedEvent = getAbiItem({ abi: jobMarketAbi, name: "ShardAssigned" });

/** Offers decided side by side by default (config `admissionConcurrency`, PROTOCOL §20.8). */
export const DEFAULT_ADMISSION_CONCURRENCY = 16;

/** Everything the daemon runs with; the CLI builds it from the config, tests build it directly. */
export interface AgentDaemonParameters {
  chain: AgentChain;
  oracle: OracleGateway;
  docker?: DockerClient;
  logger: Logger;
  dataDir: string;
  host?: string;
  port: number;
  /** Base URL developers reach (default: the bound http://host:port). */
  publicUrl?: string;
  policy: Omit<ShardPolicy, "maxConcurrentShards"> & { maxShardsPerGpu: number; cpuSlots: number };
  device: "auto" | MatmulDevice;
  pythonPath?: string;
  /** Limit of one llm-inference generation run, seconds (default 3600). */
  inferTimeoutSec?: number;
  /** Worker threads of the CPU matmul kernel, shards and capacity challenges alike (undefined: every core). */
  cpuThreads?: number;
  claimIntervalSec: number;
  submitMarginSec: number;
  allowRemoteHosts?: boolean;
  /** Directories `file://` inputs may come from (default none: a spec cannot read the operator's files). */
  inputFileRoots?: readonly string[];
  /** The input cache's cap in bytes: least recently used inputs are pruned past it (default: no cap). */
  inputCacheMaxBytes?: number;
  pullImages?: boolean;
  /** The operator's container sandbox (agent config `sandbox*`, PROTOCOL §12.5); absent: the executor's defaults, no ceilings. */
  sandbox?: AgentSandboxSettings;
  /** Fault injection on a dev chain only (see agent/work/devCheat.ts). */
  devCheat?: DevCheat;
  /** Crash injection on a dev chain only: called after each journal transition (agent/work/devCrash.ts). */
  afterJournalTransition?: AfterTransition;
  detectGpus: () => Promise<GpuInfo[]>;
  progress?: Progress;
  /** Seconds to wait before retrying a shard whose step failed (default 2). */
  retrySec?: number;
  /** The oracles to ask for capacity challenges issued to this operator (rounds), and how often. */
  capacity?: { clients: readonly OracleClient[]; pollSec: number };
  /** Blocks the chain follower stays behind the head (-1 or absent: auto, PROTOCOL §18.4). */
  confirmations?: number;
  /** Finished shards per `submitMany` and the longest a shard waits for its batch (default 20 and 1000 ms, §20.7). */
  submitMaxBatch?: number;
  submitMaxDelayMs?: number;
  /**
   * Offers decided side by side (default {@link DEFAULT_ADMISSION_CONCURRENCY}); a pass looks at four
   * times as many at most (PROTOCOL §20.8).
   */
  admissionConcurrency?: number;
  /** Run a shard assigned to us before accepting it, then `acceptAndSubmit` (default true; never gang shards). */
  computeBeforeAccept?: boolean;
  /** Seconds the committee's batched relay has to settle a shard before this agent settles it alone (default 0). */
  settleDelaySec?: number;
  /**
   * Claims (PROTOCOL §20.10): an assigned shard that ran is claimed at the oracles and settled from
   * Open (default on); `timeoutSec` (default 60) bounds the wait for a quorum before acceptAndSubmit.
   */
  claims?: { enabled: boolean; timeoutSec: number };
  /**
   * Automatic withdrawal (§20.7): when the market owes this operator at least `min` base units of a
   * token it earned in (checked every `intervalSec`), withdraw it to `to`. Absent or min 0: never.
   */
  autoWithdraw?: { min: bigint; to?: Address; intervalSec?: number };
  /** Bearer token of `/metrics` (config `metricsToken`); empty or absent: `/metrics` is not served. */
  metricsToken?: string;
  /** Signed heartbeats to these oracles every `intervalMs` (PROTOCOL §12.6); absent or no URL: none. */
  heartbeats?: { oracleUrls: readonly string[]; intervalMs: number; agentVersion: string };
}

/**
 * The operator agent's daemon (sdk/service/runDaemon drives it): each pass reads new JobMarket
 * events, decides the shards seen, and drives every unfinished shard of the journal one step
 * further in the background; claims rewards on a schedule; serves results, /healthz and /metrics.
 */
export class AgentDaemon implements Daemon {
  private db!: SqliteDatabase;
  /** The results endpoint's replay memory (`<dataDir>/results-replay.db`, PROTOCOL §14.3). */
  private replayDb!: SqliteDatabase;
  journal!: Journal;
  offers!: Offers;
  private follower!: LogFollower;
  private driver!: ShardDriver;
  http!: HttpService;
  private gpus: GpuInfo[] = [];
  /** The host's facts for admission (PROTOCOL §18.6): CPUs, GPUs and memory at start, free disk per pass. */
  private host: HostFacts = { cpus: 1, gpus: 0, memoryBytes: 0, freeDiskBytes: 0 };
  private maxConcurrent = 1;
  private readonly tasks = new Map<string, Promise<void>>();
  /** Live logs of the shards run here (PROTOCOL §14.11), at most the sandbox's default log cap per shard. */
  private readonly shardLogs = new ShardLogHub(DEFAULT_LOG_BYTES);
  private readonly retryAt = new Map<string, number>();
  private submitter!: SubmissionBatcher;
  private admission!: OfferAdmission;
  /** Payment tokens this operator was paid in since the start (auto withdrawal looks at these). */
  private readonly earnedTokens = new Set<Address>();
  private lastWithdrawCheck = 0;
  private withdrawTask: Promise<void> | undefined;
  private lastClaim = 0;
  private lastChallengePoll = 0;
  private challengeTask: Promise<void> | undefined;
  private readonly answeredChallenges = new Set<string>();
  private device: MatmulDevice = "cpu";
  private stopping = false;
  /** Aborted on shutdown: kills inference runtimes in flight (their shards run again after the restart). */
  private readonly shutdownSignal = new AbortController();
  private metrics!: {
    runSeconds: Histogram<"kind">;
    earnings: Counter<"token">;
    declined: Counter<"code">;
  };
  /** Publishes the heartbeats (PROTOCOL §12.6), when oracles are configured. */
  heartbeat?: HeartbeatPublisher;
  /**
   * Shards assigned to other operators, by job, to offer again once the market reopens them to
   * anyone (PROTOCOL §20.9); in memory: after a restart only new jobs' reservations are watched.
   */
  private readonly reservedElsewhere = new Map<bigint, { shards: Set<number>; checkAfterMs: number }>();
  /** The last shard failures, newest last (at most MAX_RECENT_FAILURES), for the heartbeats. */
  private readonly recentFailures: HeartbeatFailure[] = [];
  /** The container sandbox and ceilings, once `init` has checked the runtime and the bridge. */
  private sandbox: { executor: ContainerSandbox; ceilings: ShardPolicy["sandbox"] } | undefined;

  constructor(private readonly p: AgentDaemonParameters) {}

  get address() {
    return this.p.chain.address;
  }

  async init(): Promise<void> {
    const { logger } = this.p;
    this.db = openDatabase({ file: path.join(this.p.dataDir, "journal.db"), migrations: JOURNAL_MIGRATIONS });
    this.journal = new Journal(this.db, this.p.afterJournalTransition);
    this.offers = new Offers(this.db);
    this.replayDb = openDatabase({
      file: path.join(this.p.dataDir, "results-replay.db"),
      migrations: REPLAY_GUARD_MIGRATIONS,
    });
    // Automatic withdrawal looks at the tokens paid in since the start, and the ones the policy names.
    for (const token of this.p.policy.paymentTokens) this.earnedTokens.add(getAddress(token));
    this.gpus = await this.p.detectGpus().catch((err) => {
      logger.warn({ err }, "GPU detection failed; running as a CPU host");
      return [];
    });
    this.maxConcurrent =
      this.gpus.length > 0 ? this.gpus.length * this.p.policy.maxShardsPerGpu : this.p.policy.cpuSlots;
    if (this.p.sandbox && this.p.docker) {
      // Refuses to start with a runtime the engine lacks; a bridge it cannot filter is declined per spec.
      this.sandbox = await prepareSandbox(
        this.p.docker as unknown as Parameters<typeof prepareSandbox>[0],
        this.p.sandbox,
        logger,
      );
    }
    const device: MatmulDevice = this.p.device === "auto" ? (this.gpus.length > 0 ? "cuda" : "cpu") : this.p.device;
    this.device = device;
    this.host = {
      cpus: os.availableParallelism(),
      gpus: this.gpus.length,
      memoryBytes: os.totalmem(),
      freeDiskBytes: this.freeDiskBytes(),
      llmRuntime: this.p.policy.kinds.includes("llm-inference")
        ? await probeInferRuntime(this.p.pythonPath ?? "python3")
        : { runnable: false, reason: "llm-inference is not among the kinds taken" },
    };
    logger.info(
      { operator: this.address, gpus: this.gpus, device, maxConcurrent: this.maxConcurrent, host: this.host },
      "agent starting",
    );
    this.follower = new LogFollower({
      name: "job-market",
      client: this.p.chain.publicClient,
      address: this.p.chain.contracts.JobMarket,
      events: [jobCreatedEvent, shardAssignedEvent, shardSettledEvent, shardDeveloperFaultEvent, shardFailedEvent],
      cursor: sqliteCursorStore(this.db),
      startBlock: this.p.chain.startBlock,
      confirmations: confirmationsFor(this.p.confirmations ?? -1, this.p.chain.chainId),
      onLogs: async (logs) => this.onLogs(logs),
    });
    this.http = await startHttpService({
      name: "agent",
      host: this.p.host,
      port: this.p.port,
      logger: logger.child({ layer: "http" }),
      metrics: this.p.metricsToken ? { bearerToken: this.p.metricsToken } : "off",
      health: () => ({
        ok: true,
        operator: this.address,
        lastBlock: this.follower.lastBlock?.toString() ?? null,
        head: this.follower.head?.toString() ?? null,
        inFlight: this.tasks.size,
      }),
      routes: (app, registry) => {
        this.registerMetrics(registry);
        resultsRoutes({
          journal: this.journal,
          chain: this.p.chain,
          dataDir: this.p.dataDir,
          replayGuard: new SqliteReplayGuard(this.replayDb),
        })(app);
        // Live logs of running shards (PROTOCOL §14.11): same signer rule, same replay memory.
        logsRoutes({ logs: this.shardLogs, chain: this.p.chain, replayGuard: new SqliteReplayGuard(this.replayDb) })(
          app,
        );
      },
    });
    const concurrency = this.p.admissionConcurrency ?? DEFAULT_ADMISSION_CONCURRENCY;
    this.admission = new OfferAdmission(
      {
        journal: this.journal,
        offers: this.offers,
        logger,
        operator: this.address,
        policy: () => ({ ...this.p.policy, maxConcurrentShards: this.maxConcurrent, sandbox: this.sandbox?.ceilings }),
        host: () => this.host,
        localVramMiB: Math.max(0, ...this.gpus.map((g) => g.vramMiB)),
        submitMarginSec: this.p.submitMarginSec,
        computeBeforeAccept: this.p.computeBeforeAccept ?? true,
        readStanding: () => this.readStanding(),
        readOffer: (offer) => this.readOffer(offer),
        inspect: (offer, job) => this.inspectOffer(offer, job),
        prepare: (spec) => this.prepareOffer(spec),
        onTaken: (jobId, shard) => this.startDrive(jobId, shard),
        onDeclined: (code) => this.metrics.declined.inc({ code }),
      },
      { concurrency, perPass: concurrency * 4 },
    );
    const publicUrl = (this.p.publicUrl ?? this.http.url).replace(/\/+$/, "");
    this.submitter = new SubmissionBatcher({
      sender: this.p.chain.submissionSender(),
      maxBatch: this.p.submitMaxBatch ?? 20,
      maxDelayMs: this.p.submitMaxDelayMs ?? 1000,
      logger: logger.child({ layer: "submit" }),
    });
    this.driver = new ShardDriver({
      submitter: this.submitter,
      settleDelaySec: this.p.settleDelaySec ?? 0,
      claims: this.p.claims ?? { enabled: true, timeoutSec: 60 },
      chain: this.p.chain,
      journal: this.journal,
      oracle: this.p.oracle,
      docker: this.p.docker,
      logger: logger.child({ layer: "shard" }),
      dataDir: this.p.dataDir,
      publicUrl,
      matmulDevice: device,
      pythonPath: this.p.pythonPath,
      inferTimeoutMs: (this.p.inferTimeoutSec ?? 3600) * 1000,
      signal: this.shutdownSignal.signal,
      cpuThreads: this.p.cpuThreads,
      pullImages: this.p.pullImages,
      sandbox: this.sandbox?.executor,
      gpuAllocator: new GpuAllocator(this.gpus.map((g) => g.uuid)),
      devCheat: this.p.devCheat,
      allowRemoteHosts: this.p.allowRemoteHosts,
      inputFileRoots: this.p.inputFileRoots ?? [],
      submitMarginSec: this.p.submitMarginSec,
      onPhase: (jobId, shard, phase) => {
        this.shardLogs.phase(jobId, shard, phase);
        this.p.progress?.update(`${jobId}/${shard}`, phase);
      },
      onRunSeconds: (kind, seconds) => this.metrics.runSeconds.observe({ kind }, seconds),
      onContainerLog: (line, of) => {
        this.shardLogs.append(of.jobId, of.shard, line);
        logger.info(
          { layer: "container", container: line.containerId.slice(0, 12), item: line.item, stream: line.stream },
          line.text,
        );
      },
    });
    const beats = this.p.heartbeats;
    if (beats && beats.oracleUrls.length > 0) {
      this.heartbeat = new HeartbeatPublisher({
        account: this.p.chain.account,
        oracleUrls: beats.oracleUrls,
        intervalMs: beats.intervalMs,
        agentVersion: beats.agentVersion,
        state: () => this.heartbeatState(),
        logger: logger.child({ layer: "heartbeat" }),
      });
      this.heartbeat.start();
    }
  }

  /** What the heartbeats report (PROTOCOL §12.6): GPUs, shards in flight, recent failures, admission. */
  private async heartbeatState(): Promise<HeartbeatState> {
    const utilisation = this.gpus.length > 0 ? await gpuUtilisation() : [];
    const unfinished = this.journal.unfinished();
    const busy = unfinished.filter((e) => BUSY_STATES.includes(e.state)).length;
    const declineReasons: string[] = [];
    if (this.stopping) declineReasons.push("the agent is shutting down");
    else if (busy >= this.maxConcurrent) declineReasons.push(`all ${this.maxConcurrent} work slots are busy`);
    return {
      gpus: this.gpus.map((g, index) => ({
        index,
        model: g.model.slice(0, 200),
        vramMiB: g.vramMiB,
        utilisationPct: utilisation[index] ?? null,
      })),
      shardsInFlight: unfinished
        .slice(0, MAX_HEARTBEAT_SHARDS)
        .map((e) => ({ jobId: e.jobId.toString(), shard: e.shard, phase: e.state })),
      recentFailures: [...this.recentFailures],
      acceptingWork: declineReasons.length === 0,
      ...(declineReasons.length > 0 ? { declineReasons } : {}),
    };
  }

  /** Remembers a shard failure for the heartbeats (the last MAX_RECENT_FAILURES). */
  private noteFailure(jobId: bigint, shard: number, code: string, reason: string): void {
    this.recentFailures.push({
      jobId: jobId.toString(),
      shard,
      at: Math.floor(Date.now() / 1000),
      code: code.slice(0, 64),
      reason: reason.slice(0, 200),
    });
    if (this.recentFailures.length > MAX_RECENT_FAILURES) this.recentFailures.shift();
  }

  private registerMetrics(registry: import("prom-client").Registry) {
    const journal = () => this.journal;
    new Gauge({
      name: "rigel_agent_shards",
      help: "Shards in the journal by state",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(journal().countsByState())) this.set({ state }, n ?? 0);
      },
    });
    const gpus = () => this.gpus;
    new Gauge({
      name: "rigel_agent_gpu_utilisation_percent",
      help: "GPU utilisation from nvidia-smi (absent without a GPU)",
      labelNames: ["gpu"],
      registers: [registry],
      async collect() {
        this.reset();
        if (gpus().length === 0) return;
        (await gpuUtilisation()).forEach((v, i) => this.set({ gpu: String(i) }, v));
      },
    });
    this.metrics = {
      runSeconds: new Histogram({
        name: "rigel_agent_shard_run_seconds",
        help: "Time to compute a shard (run phase)",
        labelNames: ["kind"],
        buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
        registers: [registry],
      }),
      earnings: new Counter({
        name: "rigel_agent_earnings_total",
        help: "Payments received for settled and developer-fault shards, in payment-token base units",
        labelNames: ["token"],
        registers: [registry],
      }),
      declined: new Counter({
        name: "rigel_agent_shards_declined_total",
        help: "Shards declined, by code (SANDBOX_* for the operator's sandbox ceilings, OTHER otherwise)",
        labelNames: ["code"],
        registers: [registry],
      }),
    };
  }

  private async onLogs(logs: Log[]): Promise<void> {
    const me = getAddress(this.address);
    const othersShards: { jobId: bigint; shard: number }[] = [];
    const added: { jobId: bigint; shard: number; specURI: string; specHash: Hex }[] = [];
    for (const log of logs as (Log & { eventName?: string; args?: Record<string, unknown> })[]) {
      if (log.eventName === "JobCreated") {
        const args = log.args as { jobId: bigint; job: { shards: number }; specHash: Hex; specURI: string };
        for (let s = 0; s < args.job.shards; s++)
          added.push({ jobId: args.jobId, shard: s, specURI: args.specURI, specHash: args.specHash });
      } else if (log.eventName === "ShardAssigned") {
        // Assigned to another operator at creation: never ours to take, so never read or decided.
        // (The market emits it before the job's JobCreated: marked once the offers exist, below.)
        const args = log.args as { jobId: bigint; shard: number; operator: Hex };
        if (getAddress(args.operator) !== me) othersShards.push(args);
      } else if (
        log.eventName === "ShardSettled" ||
        log.eventName === "ShardDeveloperFault" ||
        log.eventName === "ShardFailed"
      ) {
        const args = log.args as { jobId: bigint; shard: number; operator: Hex; paid?: bigint };
        if (getAddress(args.operator) !== me) continue;
        // Settled (by the committee's relay, or by us): the shard's driver ends it at once.
        this.retryAt.delete(`${args.jobId}/${args.shard}`);
        if (args.paid === undefined) continue;
        const token = getAddress((await this.p.chain.getJob(args.jobId)).paymentToken);
        this.earnedTokens.add(token);
        this.metrics.earnings.inc({ token }, Number(args.paid));
      }
    }
    // The batch's offers in one commit; a shard assigned to another operator is recorded gone at once.
    this.offers.record(added, othersShards, "assigned to another operator");
    for (const o of othersShards) {
      const reserved = this.reservedElsewhere.get(o.jobId) ?? { shards: new Set<number>(), checkAfterMs: 0 };
      reserved.shards.add(o.shard);
      this.reservedElsewhere.set(o.jobId, reserved);
    }
  }

  async tick(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.follower.poll();
    } catch (err) {
      this.p.logger.error({ err }, "cannot read the chain; retrying next pass");
      return;
    }
    await this.reofferReopened();
    await this.considerOffers();
    this.startDrives();
    await this.maybeClaim();
    this.maybeWithdraw();
    await this.pollChallenges();
  }

  /**
   * Answers the capacity challenges the oracles issued to this operator (their rounds come at random
   * times, to every operator at once): one at a time, in the background, each only once.
   */
  private async pollChallenges(): Promise<void> {
    const cap = this.p.capacity;
    if (!cap || this.challengeTask || Date.now() - this.lastChallengePoll < cap.pollSec * 1000) return;
    this.lastChallengePoll = Date.now();
    for (const client of cap.clients) {
      let list;
      try {
        list = await client.listChallenges(this.address);
      } catch (err) {
        this.p.logger.warn({ err }, "cannot list capacity challenges");
        continue;
      }
      const next = list.challenges.find(
        (c) => c.state === "issued" && c.deadlineMs > Date.now() && !this.answeredChallenges.has(c.challengeId),
      );
      if (!next) continue;
      this.answeredChallenges.add(next.challengeId);
      const log = this.p.logger.child({ challengeId: next.challengeId });
      log.info({ m: next.m, n: next.n, k: next.k, deadlineMs: next.deadlineMs }, "answering a capacity challenge");
      this.challengeTask = answerCapacityChallenge({
        client,
        challenge: next,
        chain: this.p.chain,
        device: this.device,
        pythonPath: this.p.pythonPath,
        cpuThreads: this.p.cpuThreads,
      })
        .then((r) =>
          log.info({ opsPerSec: r.opsPerSec, seconds: r.computeSeconds, tx: r.recordTx }, "capacity recorded"),
        )
        .catch((err) => log.error({ err }, "capacity challenge failed"))
        .finally(() => (this.challengeTask = undefined));
      return;
    }
  }

  /**
   * Offers again the shards reserved for other operators whose job the market has reopened to anyone
   * (PROTOCOL §20.9): a few jobs a pass, each checked at most every 10 s; a market without the rule
   * (`assignmentsReopenAt` absent) or a job with no reopen time drops them for good.
   */
  private async reofferReopened(): Promise<void> {
    if (this.reservedElsewhere.size === 0) return;
    let checked = 0;
    for (const [jobId, reserved] of this.reservedElsewhere) {
      if (checked >= 4) return;
      if (reserved.checkAfterMs > Date.now()) continue;
      checked += 1;
      const reopensAt = await readAssignmentsReopenAt(this.p.chain.publicClient, {
        market: this.p.chain.contracts.JobMarket,
        jobId,
      });
      if (reopensAt === undefined || reopensAt === 0n) {
        this.reservedElsewhere.delete(jobId);
        continue;
      }
      if ((await this.p.chain.latestTimestamp()) < reopensAt) {
        reserved.checkAfterMs = Date.now() + 10_000;
        continue;
      }
      for (const shard of reserved.shards) this.offers.set(jobId, shard, "new", "reopened to any eligible operator");
      this.reservedElsewhere.delete(jobId);
    }
  }

  /** Shards journaled and not yet submitted: they hold a slot. */
  busy(): number {
    return this.journal.unfinished().filter((e) => BUSY_STATES.includes(e.state)).length;
  }

  /** Free bytes of the data directory's file system (0 when it cannot be read: no matmul shard then). */
  private freeDiskBytes(): number {
    try {
      const st = fs.statfsSync(this.p.dataDir);
      return st.bavail * st.bsize;
    } catch (err) {
      this.p.logger.warn({ err }, "cannot read the data directory's free space");
      return 0;
    }
  }

  private async considerOffers(): Promise<void> {
    this.host = { ...this.host, freeDiskBytes: this.freeDiskBytes() };
    if (this.stopping) return;
    await this.admission.pass();
  }

  /** Fetches and checks an offer's spec against its job (kind; the llm model's context). */
  private async inspectOffer(offer: Offer, job: ChainJob): Promise<InspectedSpec | Decline> {
    // The market emits the spec hash and does not store it (§20.3): from the event, kept with the offer.
    const specHash = offer.specHash ?? (await this.p.chain.specHashOf(offer.jobId));
    let spec: JobSpec;
    try {
      spec = (
        await fetchJobSpec(offer.specURI, specHash, {
          allowRemoteHosts: this.p.allowRemoteHosts,
          fileRoots: this.p.inputFileRoots ?? [],
        })
      ).spec;
    } catch (err) {
      return { reason: `job spec refused: ${(err as Error).message}`, level: "error" };
    }
    const kindOnChain = jobKindName(job.kind);
    if (spec.kind !== kindOnChain)
      return { reason: `spec kind ${spec.kind} but the job is ${kindOnChain}`, level: "error" };
    if (spec.kind !== "llm-inference" || !this.host.llmRuntime?.runnable) return { spec, specHash };
    try {
      const config = await fetchInput({
        uri: spec.model.config.uri,
        sha256: spec.model.config.sha256,
        cacheDir: path.join(this.p.dataDir, "cache"),
        allowRemoteHosts: this.p.allowRemoteHosts,
        allowedFileRoots: this.p.inputFileRoots ?? [],
        cacheMaxBytes: this.p.inputCacheMaxBytes,
        signal: this.shutdownSignal.signal,
      });
      return { spec, specHash, llmModel: { nPositions: (await readModelConfig(config.path)).n_positions } };
    } catch (err) {
      return { reason: `the model's config.json cannot be read: ${(err as Error).message}`, level: "error" };
    }
  }

  /** The work before an accept: a container's image and inputs, an llm job's model files (§14.2). */
  private async prepareOffer(spec: JobSpec): Promise<Decline | undefined> {
    const fetchOne = (uri: string, sha256: Hex) =>
      fetchInput({
        uri,
        sha256,
        cacheDir: path.join(this.p.dataDir, "cache"),
        allowRemoteHosts: this.p.allowRemoteHosts,
        allowedFileRoots: this.p.inputFileRoots ?? [],
        cacheMaxBytes: this.p.inputCacheMaxBytes,
        signal: this.shutdownSignal.signal,
      });
    if (spec.kind === "container") {
      if (!this.p.docker) return { reason: "this agent has no Docker engine" };
      try {
        await ensureImage(this.p.docker, spec.image, {
          pull: this.p.pullImages,
          registries: this.sandbox?.executor.registries ?? [],
          signal: this.shutdownSignal.signal,
        });
        for (const input of spec.inputs) await fetchOne(input.uri, input.sha256 as Hex);
      } catch (err) {
        // The operator's registry allow-list: a clear decline with its code, not a local fault.
        if (err instanceof ImageRegistryError) return { reason: err.message, code: "SANDBOX_REGISTRY" };
        return { reason: `cannot run it here: ${(err as Error).message}`, level: "error" };
      }
    }
    if (spec.kind === "llm-inference") {
      // Every model file fetched and hash-checked before the accept: a model that cannot be had is declined.
      try {
        for (const file of LLM_MODEL_FILES) await fetchOne(spec.model[file].uri, spec.model[file].sha256);
      } catch (err) {
        return { reason: `cannot run it here: ${(err as Error).message}`, level: "error" };
      }
    }
    return undefined;
  }

  /** The operator's standing for one admission pass: stake, jail, capacity and chain time, side by side. */
  private async readStanding(): Promise<OperatorStanding> {
    const { chain } = this.p;
    const [info, capacity, now] = await Promise.all([
      chain.operatorInfo(),
      chain.capacityOf(),
      chain.latestTimestamp(),
    ]);
    return {
      selfStake: info.selfStake,
      lockedStake: info.lockedStake,
      jailedUntil: info.jailedUntil,
      capacity,
      now,
    };
  }

  /** One offer's chain facts, read side by side (one JSON-RPC batch). */
  private async readOffer(offer: Offer): Promise<OfferChainFacts> {
    const { chain } = this.p;
    const [shard, job, gang, assigned, collateral] = await Promise.all([
      chain.getShard(offer.jobId, offer.shard),
      chain.getJob(offer.jobId),
      chain.gangOf(offer.jobId),
      chain.assignedOperator(offer.jobId, offer.shard),
      chain.collateralFor(offer.jobId),
    ]);
    // Assigned to another operator: ours only once the market reopens it to anyone (§20.9).
    const reopensAt =
      assigned !== zeroAddress && getAddress(assigned) !== getAddress(this.address)
        ? await readAssignmentsReopenAt(chain.publicClient, { market: chain.contracts.JobMarket, jobId: offer.jobId })
        : undefined;
    return { state: shard.state, job, gangAcceptDeadline: gang.acceptDeadline, assigned, collateral, reopensAt };
  }

  private startDrives(): void {
    for (const entry of this.journal.unfinished()) this.startDrive(entry.jobId, entry.shard);
  }

  private startDrive(jobId: bigint, shard: number): void {
    const key = `${jobId}/${shard}`;
    if (this.stopping || this.tasks.has(key) || (this.retryAt.get(key) ?? 0) > Date.now()) return;
    const task = this.driver
      .drive(jobId, shard)
      .then(({ state, wakeAtMs }) => {
        if (wakeAtMs !== undefined) this.retryAt.set(key, wakeAtMs);
        else this.retryAt.delete(key);
        // A gang shard waiting for its start returns unfinished; the next pass drives it again.
        if (!TERMINAL_STATES.includes(state)) return;
        if (state === "failed" || state === "expired" || state === "abandoned") {
          const reason = (this.journal.get(jobId, shard)?.data as { reason?: string } | undefined)?.reason;
          this.noteFailure(jobId, shard, state.toUpperCase(), reason ?? `the shard ended ${state}`);
        }
        this.p.progress?.done(key, state);
        this.p.logger.info({ jobId: jobId.toString(), shard, state }, "shard finished");
      })
      .catch((err) => {
        this.retryAt.set(key, Date.now() + (this.p.retrySec ?? 2) * 1000);
        this.noteFailure(jobId, shard, (err as { code?: string }).code ?? "STEP_FAILED", (err as Error).message);
        this.p.logger.error({ err, jobId: jobId.toString(), shard }, "shard step failed; will retry");
      })
      .finally(() => this.tasks.delete(key));
    this.tasks.set(key, task);
  }

  /**
   * Automatic withdrawal (§20.7): every `intervalSec` (default 60), for each token this operator was
   * paid in, withdraws what the market owes once it reaches `min`. In the background, one at a time;
   * a failure is logged and tried again at the next interval.
   */
  private maybeWithdraw(): void {
    const w = this.p.autoWithdraw;
    if (!w || w.min <= 0n || this.withdrawTask || this.earnedTokens.size === 0) return;
    if (Date.now() - this.lastWithdrawCheck < (w.intervalSec ?? 60) * 1000) return;
    this.lastWithdrawCheck = Date.now();
    const log = this.p.logger.child({ layer: "withdraw" });
    this.withdrawTask = autoWithdraw({ chain: this.p.chain, tokens: [...this.earnedTokens], min: w.min, to: w.to })
      .then((done) => {
        for (const d of done)
          log.info({ token: d.token, amount: d.amount.toString(), tx: d.hash }, "earnings withdrawn");
      })
      .catch((err) => log.warn({ err }, "automatic withdrawal failed; next try at the next interval"))
      .finally(() => (this.withdrawTask = undefined));
  }

  private async maybeClaim(): Promise<void> {
    if (this.p.claimIntervalSec <= 0 || Date.now() - this.lastClaim < this.p.claimIntervalSec * 1000) return;
    this.lastClaim = Date.now();
    try {
      const claimable = await this.p.chain.claimableRewards();
      if (claimable === 0n) return;
      const tx = await this.p.chain.claimRewards();
      this.p.logger.info({ amount: claimable.toString(), tx: tx.hash }, "rewards claimed");
    } catch (err) {
      this.p.logger.warn({ err }, "claiming rewards failed; next try at the next interval");
    }
  }

  /** Resolves when every shard task in flight has ended (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0 || this.challengeTask || this.withdrawTask) {
      await Promise.allSettled([...this.tasks.values(), this.challengeTask, this.withdrawTask]);
    }
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    this.shutdownSignal.abort();
    // Work in flight is journaled: wait a little for steps to finish, then leave the rest to the restart.
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await this.heartbeat?.stop();
    await this.http?.close();
    this.db?.close();
    this.replayDb?.close();
  }
}

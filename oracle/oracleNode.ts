import path from "node:path";
import type { Address, LocalAccount, PublicClient, WalletClient } from "viem";
import { confirmationsFor, sqliteCursorStore, type LogFollower } from "../sdk/chain/logFollower";
import type { SqliteDatabase } from "../sdk/db/openDatabase";
import { rigelDomain, type RigelDomain } from "../sdk/eip712/types";
import { jobMarketAbi, operatorStakingAbi } from "../sdk/contracts/abis";
import { ShardState, Verdict } from "../sdk/market/enums";
import type { Logger } from "../sdk/log/createLogger";
import type { Daemon } from "../sdk/service/runDaemon";
import { startHttpService, type HttpService } from "../sdk/service/startHttpService";
import { ShardSigner } from "./attest/shardSigner";
import { SignedDigestLog } from "./attest/signedDigestLog";
import { SigningGuard } from "./attest/signingGuard";
import { createSignatureWatcher } from "./chain/signatureWatcher";
import { MarketReader } from "./chain/marketReader";
import { createSubmissionWatcher } from "./chain/submissionWatcher";
import type { FetchJobSpecOptions } from "../sdk/spec/fetchJobSpec";
import { mountOracleRoutes } from "./http/oracleRoutes";
import { mountHeartbeatBodyCap, mountHeartbeatRoutes } from "./http/heartbeatRoutes";
import { registeredOperatorCheck } from "./chain/registeredOperatorCheck";
import { HeartbeatStore } from "./store/heartbeatStore";
import { byteSize, mountRequestGuards } from "./http/mountRequestGuards";
import { startMetricsServer, type MetricsServer } from "./http/startMetricsServer";
import { RateLimiter } from "./http/rateLimiter";
import { createOracleMetrics, type OracleMetrics } from "./metrics";
import { ProofService, type ContainerItemVerifier } from "./proofService";
import { gatherShardSignatures, settleVerdictBatch, settleWithQuorum } from "./relay/relayVerdicts";
import { VerdictBatchCosigner } from "./relay/verdictBatchCosigner";
import { VerdictBatcher, type BatchLeaf, type BatchTimers } from "./relay/verdictBatcher";
import { BatchSigner } from "./attest/batchSigner";
import { OracleClient } from "../sdk/oracleApi/client";
import {
  shardAttestationFromJson,
  shardVerdictOfAttestation,
  type SignedShardAttestation,
} from "../sdk/oracleApi/types";
import { DecisionStore } from "./store/decisionStore";
import { ProofArrivalStore } from "./store/proofArrivalStore";
import { ClaimStore } from "./store/claimStore";
import { ClaimService, DEFAULT_CLAIM_MARGIN_SEC } from "./claims/claimService";
import { ChallengeStore } from "./capacity/challengeStore";
import { CapacityRounds } from "./capacity/capacityRounds";
import { CapacityService, DEFAULT_CAPACITY_POLICY, type CapacityPolicy } from "./capacity/capacityService";
import { openOracleDatabase, openReplayDatabase } from "./store/oracleDatabase";
import { SqliteReplayGuard } from "./store/sqliteReplayGuard";
import { SubmissionStore } from "./store/submissionStore";

/** What an oracle node needs; everything external is passed in, so tests can run several in-process. */
export interface OracleNodeParameters {
  account: LocalAccount;
  publicClient: PublicClient;
  /** For the relay (on-chain settle); absent: no relaying. */
  walletClient?: WalletClient;
  chainId: number;
  market: Address;
  committee: Address;
  logger: Logger;
  dataDir: string;
  host: string;
  port: number;
  peers: readonly string[];
  relay: boolean;
  relayValid: boolean;
  /** A relay's verdict batch closes at this many shards (default 100, PROTOCOL §20.6). */
  batchMaxSize?: number;
  /** … or this many ms after its oldest shard (default 2000). */
  batchMaxDelayMs?: number;
  /** The batcher's clock and timers (default `Date.now`, `setTimeout`; tests drive their own). */
  batchClock?: { now: () => number; timers: BatchTimers };
  startBlock: bigint;
  /** The market's deployment block: no job's `JobCreated` log is older (default 0). */
  deploymentBlock?: bigint;
  revealWindowSec: number;
  /** A claim must leave more than this many seconds before the job's deadline (default 60; PROTOCOL §20.10). */
  claimMarginSec?: number;
  bodyLimit: string;
  /** Signed requests a minute per confirmed signer (and per claimed key, before the body). */
  ratePerMinute: number;
  /** Heartbeats a minute per operator (default 12; PROTOCOL §12.6). */
  heartbeatsPerMinute?: number;
  /** Requests a minute per client address, before anything else (default 600; PROTOCOL §13). */
  ratePerAddressPerMinute?: number;
  /** A request body must arrive whole within this many ms, else the socket is closed (default 10 000). */
  bodyTimeoutMs?: number;
  /**
   * `/metrics` on the public port: "off" (the default), "public", or behind a bearer token;
   * `metricsPort` (with `metricsHost`, default 127.0.0.1) serves it on a separate listener too.
   */
  metrics?: "public" | "off" | { bearerToken: string };
  metricsPort?: number;
  metricsHost?: string;
  /** Where the oracle may read job specs from besides `data:` URIs (default: loopback http, no file://). */
  specSources?: FetchJobSpecOptions;
  containerVerifier?: ContainerItemVerifier;
  /** Verifies llm-inference proofs (PROTOCOL §19.6); absent: such proofs get 422 ORACLE_UNSUPPORTED. */
  llmVerifier?: ContainerItemVerifier;
  /** Coordinate capacity rounds: OperatorStaking's address and the mean seconds between rounds. */
  capacityRounds?: { staking: Address; meanIntervalSec: number };
  /** Capacity challenge sizing and timing (defaults: DEFAULT_CAPACITY_POLICY; the validity is the chain's). */
  capacityPolicy?: Partial<Omit<CapacityPolicy, "validitySeconds">>;
  /** The clock that times capacity challenges, in ms (default `Date.now`; tests share a fake one). */
  capacityClock?: () => number;
  /** The signed-digest log of the key (PROTOCOL §18.5; default `<dataDir>/signed.jsonl`). */
  signLog?: string;
  /** Blocks every log follower stays behind the head (default: 0 on chain 31337, else 3; PROTOCOL §18.4). */
  confirmations?: bigint;
}

/** Open submissions looked at per main-loop pass (a page; the sweep's cursor walks them all, PROTOCOL §18.4). */
const PAGE = 50;
/** Claims the relay's claim sweep looks at per sweep, and how often it sweeps (PROTOCOL §20.10). */
const CLAIM_PAGE = 200;
const CLAIM_SWEEP_MS = 2_000;

/**
 * One committee member: the HTTP API, the chain watcher, the missing-reveal sweep and the optional
 * relay, over one SQLite database. `init` opens everything, `tick` is one main-loop pass,
 * `shutdown` closes the HTTP server and the database.
 *
 * Availability (PROTOCOL §18.3): `availableSince` is the chain time of the first pass of the current
 * unbroken run of passes that read the chain (undefined at start and after a failed pass); the node
 * signs MISSING_REVEAL / LATE_REVEAL only for shards submitted at or after it.
 */
export class OracleNode implements Daemon {
  db?: SqliteDatabase;
  private replayDb?: SqliteDatabase;
  /** The capacity-round coordinator, when this node runs rounds. */
  rounds?: CapacityRounds;
  http?: HttpService;
  /** The separate metrics listener, when `metricsPort` is set. */
  metricsServer?: MetricsServer;
  metrics?: OracleMetrics;
  proofs?: ProofService;
  claims?: ClaimService;
  private watcher?: LogFollower;
  private submissions?: SubmissionStore;
  private claimStore?: ClaimStore;
  private signer?: ShardSigner;
  /** The relay's batch coordinator (relay nodes with a wallet only). */
  batcher?: VerdictBatcher;
  /** Key safety (PROTOCOL §18.5): the signed-digest log, the halt, and the chain check feeding it. */
  guard?: SigningGuard;
  private signatureWatcher?: LogFollower;
  private readonly reader: MarketReader;
  private readonly domain: RigelDomain;
  private lastPollOk = false;
  private threshold?: number;
  /** Chain time since which every pass read the chain; undefined: not available (start, failed pass). */
  private availableFrom?: bigint;
  /** The sweep's place: the last open submission it looked at (0: start over). */
  private sweepCursor = 0;
  /** The relay's claim sweep's place: the last open claim it looked at (0: start over). */
  private claimSweepCursor = 0;
  /** When the claim sweep last ran (ms); it runs on the first pass, then every CLAIM_SWEEP_MS. */
  private claimSweptAtMs: number | undefined;

  constructor(private readonly p: OracleNodeParameters) {
    this.reader = new MarketReader(p.publicClient, p.market, p.committee, { fromBlock: p.deploymentBlock });
    this.domain = rigelDomain(p.chainId, p.committee);
  }

  /** The chain time since which this node has read the chain without a break (PROTOCOL §18.3). */
  get availableSince(): bigint | undefined {
    return this.availableFrom;
  }

  get url(): string {
    if (!this.http) throw new Error("the node is not started");
    return this.http.url;
  }

  async init(): Promise<void> {
    const { p } = this;
    const db = openOracleDatabase(path.join(p.dataDir, "oracle.sqlite"));
    this.db = db;
    this.submissions = new SubmissionStore(db);
    this.claimStore = new ClaimStore(db);
    const decisions = new DecisionStore(db);
    const confirmations = p.confirmations ?? confirmationsFor(-1, p.chainId);
    const guard = new SigningGuard(
      new SignedDigestLog(p.signLog ?? path.join(p.dataDir, "signed.jsonl")),
      db,
      p.logger.child({ layer: "keys" }),
    );
    this.guard = guard;
    this.signatureWatcher = createSignatureWatcher({
      client: p.publicClient,
      market: p.market,
      domain: this.domain,
      signer: p.account.address,
      guard,
      cursor: sqliteCursorStore(db),
      startBlock: p.startBlock,
      confirmations,
      logger: p.logger.child({ layer: "keys" }),
    });
    this.signer = new ShardSigner(p.account, this.domain, decisions, guard);
    const batchSigner = new BatchSigner(p.account, this.domain, guard);
    const cosigner = new VerdictBatchCosigner({
      market: p.market,
      shards: this.signer,
      batches: batchSigner,
      isCommitteeMember: (signer) => this.reader.isActiveSigner(signer),
    });
    // The attestation's lifetime is the chain's: OperatorStaking refuses any other (PROTOCOL §6.5).
    const staking = await p.publicClient.readContract({
      address: p.market,
      abi: jobMarketAbi,
      functionName: "staking",
    });
    const validitySeconds = Number(
      await p.publicClient.readContract({
        address: staking,
        abi: operatorStakingAbi,
        functionName: "capacityValidity",
      }),
    );
    const capacity = new CapacityService({
      account: p.account,
      domain: this.domain,
      challenges: new ChallengeStore(db),
      decisions,
      isCommitteeMember: (signer) => this.reader.isActiveSigner(signer),
      peers: p.peers,
      policy: { ...DEFAULT_CAPACITY_POLICY, ...p.capacityPolicy, validitySeconds },
      logger: p.logger.child({ layer: "capacity" }),
      now: p.capacityClock,
      chainTime: () => this.reader.chainTime(),
      guard,
    });
    this.watcher = createSubmissionWatcher({
      client: p.publicClient,
      market: p.market,
      cursor: sqliteCursorStore(db),
      startBlock: p.startBlock,
      submissions: this.submissions,
      confirmations,
    });
    if (p.capacityRounds) {
      this.rounds = new CapacityRounds({
        db,
        client: p.publicClient,
        staking: p.capacityRounds.staking,
        cursor: sqliteCursorStore(db),
        startBlock: p.startBlock,
        capacity,
        meanIntervalSec: p.capacityRounds.meanIntervalSec,
        logger: p.logger.child({ layer: "rounds" }),
        confirmations,
      });
    }
    this.replayDb = openReplayDatabase(path.join(p.dataDir, "replay.sqlite"));
    const replayGuard = new SqliteReplayGuard(this.replayDb);
    const rateLimiter = new RateLimiter(p.ratePerMinute);
    // Heartbeats have their own budget (PROTOCOL §12.6): an agent's every 15 s never eats its proofs' one.
    const heartbeatLimiter = new RateLimiter(p.heartbeatsPerMinute ?? 12);
    const heartbeats = new HeartbeatStore(db);
    const isRegisteredOperator = registeredOperatorCheck(p.publicClient, staking);
    const submissions = this.submissions;
    const logger = p.logger;
    this.http = await startHttpService({
      name: "oracle",
      host: p.host,
      port: p.port,
      logger: logger.child({ layer: "http" }),
      bodyLimit: p.bodyLimit,
      metrics: p.metrics ?? "off",
      // Rate limits, auth headers and a body deadline before any body byte is read (PROTOCOL §13).
      beforeBody: (app) => {
        mountRequestGuards(app, {
          perAddressPerMinute: p.ratePerAddressPerMinute ?? 600,
          perKeyPerMinute: p.ratePerMinute,
          bodyTimeoutMs: p.bodyTimeoutMs ?? 10_000,
          maxBodyBytes: byteSize(p.bodyLimit),
          onRefused: (code) => this.metrics?.refused.inc({ code }),
        });
        mountHeartbeatBodyCap(app, (code) => {
          this.metrics?.refused.inc({ code });
          this.metrics?.heartbeats.inc({ result: "too_large" });
        });
      },
      health: () => ({
        ok: this.lastPollOk && !guard.halted(),
        signingHalted: guard.halted() ?? null,
        signer: p.account.address,
        chainId: p.chainId,
        lastBlock: this.watcher?.lastBlock?.toString() ?? null,
        head: this.watcher?.head?.toString() ?? null,
      }),
      routes: (app, registry) => {
        const metrics = createOracleMetrics(registry);
        this.metrics = metrics;
        const claims = this.claimStore!;
        this.claims = new ClaimService({
          reader: this.reader,
          claims,
          chainId: p.chainId,
          claimMarginSec: p.claimMarginSec ?? DEFAULT_CLAIM_MARGIN_SEC,
          logger: logger.child({ layer: "claims" }),
          rateLimit: (signer) => rateLimiter.take(signer),
        });
        this.proofs = new ProofService({
          reader: this.reader,
          signer: this.signer!,
          chainId: p.chainId,
          logger: logger.child({ layer: "proofs" }),
          metrics,
          revealWindowSec: p.revealWindowSec,
          containerVerifier: p.containerVerifier,
          llmVerifier: p.llmVerifier,
          submissions,
          arrivals: new ProofArrivalStore(db),
          availableSince: () => this.availableFrom,
          rateLimit: (signer) => rateLimiter.take(signer),
          specSources: p.specSources,
          claims,
        });
        mountOracleRoutes(app, {
          proofs: this.proofs,
          claims: this.claims,
          signer: this.signer!,
          market: p.market,
          replayGuard,
          rateLimiter,
          metrics,
          capacity,
          batches: cosigner,
        });
        mountHeartbeatRoutes(app, {
          store: heartbeats,
          replayGuard,
          rateLimiter: heartbeatLimiter,
          isRegisteredOperator,
          metrics,
        });
      },
    });
    if (p.relay && p.walletClient) this.startBatcher(batchSigner);
    await this.startMetrics();
  }

  /** The separate metrics listener (after `init`, which made the registry). */
  private async startMetrics(): Promise<void> {
    if (this.p.metricsPort === undefined || !this.http) return;
    this.metricsServer = await startMetricsServer(
      this.http.registry,
      this.p.metricsHost ?? "127.0.0.1",
      this.p.metricsPort,
    );
  }

  /** The relay's batch coordinator (PROTOCOL §20.6); every decided shard is offered to it as it is signed. */
  private startBatcher(batchSigner: BatchSigner): void {
    const { p } = this;
    const walletClient = p.walletClient!;
    const logger = p.logger.child({ layer: "relay" });
    this.batcher = new VerdictBatcher({
      market: p.market,
      domain: this.domain,
      signer: batchSigner,
      peers: p.peers.map((url) => {
        const client = new OracleClient({ baseUrl: url, account: p.account, timeoutMs: 5_000 });
        return { url, cosign: (request) => client.cosignVerdictBatch(request) };
      }),
      threshold: async () => (this.threshold ??= await this.reader.threshold()),
      isActiveSigner: (signer) => this.activeSigner(signer),
      chainTime: () => this.reader.chainTime(),
      settleVerdicts: async (batch, signatures, verdicts) =>
        (
          await settleVerdictBatch({
            publicClient: p.publicClient,
            walletClient,
            market: p.market,
            batch,
            signatures,
            verdicts,
            logger,
          })
        ).hash,
      settleSingle: (leaf) => this.relaySingle(leaf.own),
      onRelayed: (leaves) => {
        for (const l of leaves) {
          this.submissions!.markRelayed(l.verdict.jobId, l.verdict.shard);
          this.claimStore!.markDone(p.market, l.verdict.jobId, l.verdict.shard);
        }
      },
      maxSize: p.batchMaxSize ?? 100,
      maxDelayMs: p.batchMaxDelayMs ?? 2000,
      now: p.batchClock?.now,
      timers: p.batchClock?.timers,
      metrics: this.metrics,
      logger,
    });
    this.signer!.onSigned = (answer) => this.offer(answer);
  }

  /** Committee membership of co-signers, read at most once a minute per signer. */
  private readonly members = new Map<string, { active: boolean; at: number }>();
  private async activeSigner(signer: Address): Promise<boolean> {
    const key = signer.toLowerCase();
    const known = this.members.get(key);
    if (known && Date.now() - known.at < 60_000) return known.active;
    const active = await this.reader.isActiveSigner(signer);
    this.members.set(key, { active, at: Date.now() });
    return active;
  }

  /** Offers a signed verdict to the batcher: Invalid always, Valid and DeveloperFault only with relayValid. */
  private offer(own: SignedShardAttestation): void {
    const batcher = this.batcher;
    if (!batcher) return;
    if (own.attestation.verdict !== Verdict.Invalid && !this.p.relayValid) return;
    const attestation = shardAttestationFromJson(own.attestation);
    if (batcher.holds(attestation.jobId, attestation.shard)) return;
    const leaf: BatchLeaf = { verdict: shardVerdictOfAttestation(attestation), own, expiry: attestation.expiry };
    batcher.add(leaf);
  }

  /** One pass: follow the chain, sign Invalid for missing reveals (a page), relay what has a quorum. */
  async tick(): Promise<void> {
    await this.watchSignatures();
    const watcher = this.watcher!;
    try {
      await watcher.poll();
      this.availableFrom ??= await this.reader.chainTime();
      this.lastPollOk = true;
      if (watcher.head !== undefined && watcher.lastBlock !== undefined)
        this.metrics?.chainLagBlocks.set(Number(watcher.head - watcher.lastBlock));
    } catch (err) {
      this.lastPollOk = false;
      this.availableFrom = undefined;
      this.p.logger.warn({ err }, "chain watcher pass failed; retrying next pass");
      return;
    }
    if (this.rounds) {
      try {
        await this.rounds.tick();
      } catch (err) {
        this.p.logger.warn({ err }, "capacity round pass failed");
      }
    }
    const page = this.sweepPage();
    // One chain-time read a pass (PROTOCOL §20.8): shards whose reveal deadline it has not reached cost no RPC.
    const chainNow = page.length > 0 ? await this.reader.chainTime().catch(() => undefined) : undefined;
    for (const s of page) {
      try {
        await this.proofs!.signMissingReveal(s.jobId, s.shard, chainNow);
        const own = this.signer!.stored(this.p.market, s.jobId, s.shard);
        if (own) this.offer(own);
      } catch (err) {
        this.p.logger.warn({ err, jobId: s.jobId.toString(), shard: s.shard }, "shard pass failed");
      }
    }
    const claimSweepDue = this.claimSweptAtMs === undefined || Date.now() - this.claimSweptAtMs >= CLAIM_SWEEP_MS;
    if (this.batcher && this.p.relayValid && claimSweepDue) {
      this.claimSweptAtMs = Date.now();
      await this.sweepClaims(chainNow);
    }
    await this.batcher?.poll();
  }

  /**
   * The relay's claim sweep (PROTOCOL §20.10), a page of CLAIM_PAGE on the first pass and then every
   * CLAIM_SWEEP_MS (its chain-time read stays off a busy relay's 250 ms passes): a claim this node
   * signed Valid and has not relayed is offered to the batcher again (the batcher skips what it
   * holds), so a relay that restarted with claims decided but not settled settles them; a claim whose
   * shard is final or whose deadline passed is marked done. Old rule: only submissions were swept,
   * and such claims waited for another relay or the agent's own `settle`.
   */
  private async sweepClaims(chainTime: bigint | undefined): Promise<void> {
    const store = this.claimStore!;
    const market = this.p.market;
    let page = store.openAfter(market, this.claimSweepCursor, CLAIM_PAGE);
    if (page.length === 0 && this.claimSweepCursor !== 0) page = store.openAfter(market, 0, CLAIM_PAGE);
    this.claimSweepCursor = page.length < CLAIM_PAGE ? 0 : page[page.length - 1].seq;
    if (page.length === 0) return;
    const now = chainTime ?? (await this.reader.chainTime().catch(() => undefined));
    for (const c of page) {
      if ((now !== undefined && now >= c.deadline) || this.submissions!.get(c.jobId, c.shard)?.final) {
        store.markDone(market, c.jobId, c.shard);
        continue;
      }
      const own = this.signer!.stored(market, c.jobId, c.shard);
      if (own?.attestation.verdict === Verdict.Valid) this.offer(own);
    }
  }

  /** The chain check of PROTOCOL §18.5: this key's signatures on settled shards against the log. */
  private async watchSignatures(): Promise<void> {
    try {
      await this.signatureWatcher?.poll();
    } catch (err) {
      this.p.logger.warn({ err }, "signature watcher pass failed; retrying next pass");
    }
  }

  /** The next page of open submissions after the sweep's cursor; the cursor wraps at the end. */
  private sweepPage() {
    let page = this.submissions!.openAfter(this.sweepCursor, PAGE);
    if (page.length === 0 && this.sweepCursor !== 0) page = this.submissions!.openAfter(0, PAGE);
    this.sweepCursor = page.length < PAGE ? 0 : page[page.length - 1].seq;
    return page;
  }

  /**
   * The single path (PROTOCOL §13.1, relay): this shard's attestations gathered from the peers and,
   * with a quorum, `settle`. Whether the shard is done with (settled now, or no longer Submitted).
   */
  private async relaySingle(own: SignedShardAttestation): Promise<boolean> {
    const jobId = BigInt(own.attestation.jobId);
    const shard = own.attestation.shard;
    this.threshold ??= await this.reader.threshold();
    const signatures = await gatherShardSignatures({ own, peers: this.p.peers, domain: this.domain });
    if (signatures.length < this.threshold) return false;
    const onChain = await this.reader.getShard(jobId, shard);
    // A claimed shard's Valid verdict settles it straight from Open (PROTOCOL §20.10): no
    // submission to wait for. (No other decision exists for an Open shard.)
    const claimed = onChain.state === ShardState.Open && own.attestation.verdict === Verdict.Valid;
    if (onChain.state === ShardState.Submitted || claimed) {
      await settleWithQuorum({
        publicClient: this.p.publicClient,
        walletClient: this.p.walletClient!,
        market: this.p.market,
        attestation: own.attestation,
        signatures,
        threshold: this.threshold,
        logger: this.p.logger.child({ layer: "relay" }),
      });
    }
    return true;
  }

  async shutdown(): Promise<void> {
    await this.batcher?.close();
    await this.metricsServer?.close();
    this.metricsServer = undefined;
    await this.http?.close();
    this.http = undefined;
    this.guard?.log.close();
    this.db?.close();
    this.db = undefined;
    this.replayDb?.close();
    this.replayDb = undefined;
  }
}

// The load run (scripts/load.ts is the command; the e2e bench suite calls this too): the network of
// scripts/lib/network.ts, developers that create single-shard matmul-int8 jobs straight against
// JobMarket with viem (the spec on-chain as a data: URI, as `rigel job submit` does) in batches at a
// steady pace, a follower that reads JobMarket's events until every shard is final, then the
// figures: shards settled per minute, create→settle percentiles, final states, and what was lost
// (shards not final, escrow not paid out or refunded), plus the conservation check.
//
// Times are wall clock at observation: a job's create time is when its createJob transaction was
// sent (Hardhat mines it at once), its accept and final times when the follower first saw the
// event (it polls every `pollMs`, so they are late by up to that much). Block timestamps are
// not used: with `--block-clock` Hardhat's automine gives every transaction its own block at least
// a second after the last (the chain runs ahead under load), and even at the wall clock a block's
// timestamp is whole seconds.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  encodeFunctionData,
  http,
  maxUint256,
  parseEther,
  toFunctionSelector,
  type AbiItem,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
} from "viem";
import {
  computeTokenAbi,
  jobMarketAbi,
  operatorStakingAbi,
  oracleCommitteeAbi,
  rewardsDistributorAbi,
} from "../../sdk/contracts/abis";
import type { ShardStateName } from "../../sdk/market/enums";
import { jobParamsForSpec } from "../../sdk/market/jobParamsForSpec";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { matmulUnits } from "../../sdk/spec/shardWork";
import { checkConservation } from "../lib/conservation";
import type { DevAccount, Devnet } from "../lib/devnet";
import type { ChainKind } from "../lib/localNode";
import { sendAs, startNetwork, type Network } from "../lib/network";
import { percentile } from "../lib/percentile";
import { cpuSnapshot } from "./processCpu";
import { startRpcCounter, type RpcCounter } from "./rpcCounter";

export interface LoadOptions {
  /** Single-shard jobs to create. */
  jobs: number;
  agents: number;
  /** m = n = k of every job. */
  size: number;
  port: number;
  workDir: string;
  /** Developer accounts that create jobs (round robin over batches). */
  developers: number;
  /** Jobs sent per batch (their transactions are sent together, then awaited). */
  batch: number;
  /** Wall-clock period between the starts of two batches (0: as fast as receipts come back). */
  intervalMs: number;
  /** Give up on shards not final this long after the last job was created. */
  timeoutMs: number;
  /** Concurrent shards per agent (RIGEL_AGENT_CPU_SLOTS). */
  cpuSlots: number;
  /**
   * Assign each job's shard to one agent at creation (round robin, JobMarket's shardOperators, as
   * `rigel job submit --plan` does). Without it every agent races for every open shard and all
   * but one accept transaction revert.
   */
  assign: boolean;
  /** Follower and service poll period. */
  pollMs: number;
  /**
   * Batching (PROTOCOL §20.7, §20.6): each agent's finished shards per `submitMany` and the committee's
   * verdicts per `settleVerdicts`, each batch closed after `batchDelayMs` at the latest; assigned
   * shards are run first and sent with `acceptAndSubmit`. Off: every shard accepted, submitted and
   * settled alone, as before issue 20.
   */
  batching: boolean;
  /** Longest a shard waits for an agent's submission batch or the committee's verdict batch (ms). */
  batchDelayMs: number;
  /**
   * The chain's mining during the load: 0 = automine (one block per transaction, each at least one
   * second after the last: the chain clock runs ahead), else one block every this many ms (Hardhat
   * interval mining, switched on after the network is set up: a transaction waits up to one block).
   */
  miningIntervalMs: number;
  /**
   * The chain's node: anvil (default: it runs the EVM without recording a trace of every step, which
   * cost Hardhat's node ~85 % of its CPU under load, BENCHMARKS "Seventh round") or `hardhat node`.
   */
  chain: ChainKind;
  /**
   * The node keeps the chain clock at the wall clock (automined blocks may share a timestamp, as
   * blocks of a real chain hold many transactions). Off: each automined block is a second after the
   * last, so under load the chain clock runs ahead by one second per transaction and shard
   * reservations (10 chain minutes) lapse within a couple of wall-clock minutes.
   */
  wallClock: boolean;
  /** Offers each agent decides side by side (RIGEL_AGENT_ADMISSION_CONCURRENCY). */
  admissionConcurrency: number;
  /**
   * Agents claim and prove at the first t oracles (the relay first) and at the third only when those
   * give no quorum (RIGEL_AGENT_CLAIM_FIRST_QUORUM); off: at every oracle at once.
   */
  claimFirstQuorum: boolean;
  /**
   * Count the services' JSON-RPC traffic (agents and oracles each through a counting proxy on
   * `port + 8` and `port + 9`; the load's own through `port + 10`) from the first create to the end:
   * the profile of what loads the node.
   */
  rpcStats?: boolean;
  /** Log level of the services (default warn: logging costs CPU the run measures). */
  logLevel?: string;
  /** The oracles' own log level, when it differs from `logLevel` (e.g. info: the relay's batches). */
  oracleLogLevel?: string;
  /** Before the load: runs of sequential RGL transfers timed as the chain's baseline (0: none). */
  baselineRuns?: number;
  log: (line: string) => void;
}

export const LOAD_DEFAULTS: Omit<LoadOptions, "workDir" | "log"> = {
  jobs: 1000,
  agents: 3,
  size: 32,
  port: 8940,
  developers: 2,
  batch: 20,
  intervalMs: 1000,
  timeoutMs: 20 * 60_000,
  cpuSlots: 32,
  assign: true,
  pollMs: 250,
  batching: true,
  batchDelayMs: 1000,
  miningIntervalMs: 0,
  chain: "anvil",
  wallClock: true,
  admissionConcurrency: 16,
  claimFirstQuorum: true,
};

export const FINAL_EVENTS = {
  ShardSettled: "Settled",
  ShardFailed: "Failed",
  ShardDeveloperFault: "DeveloperFault",
  ShardCancelled: "Cancelled",
  ShardExpired: "Expired",
} as const satisfies Record<string, ShardStateName>;

export interface LoadResult {
  jobs: number;
  shards: number;
  /** Final shards by state; `open` counts the ones not final at the end. */
  states: Record<string, number>;
  /** Shards not final plus jobs whose escrow is not fully accounted for (must be 0). */
  lost: number;
  /** One line per loss. */
  lostDetail: string[];
  /** Settled shards per minute, from the first create to the last settle. */
  settledPerMinute: number;
  /** Create→final seconds over settled shards (wall clock at observation). */
  createToSettle: { p50: number; p99: number; max: number };
  /** Create→accepted seconds of every accepted shard (wall clock at observation, unsorted). */
  createToAccept: number[];
  /**
   * Where a shard's time goes, per phase (seconds, p50 / p95 over the shards that reached both ends):
   * create → admitted (the agent journaled `accepting`) → ran → submitted (on-chain, seen by the
   * follower) → attested (the agent holds the committee's quorum) → settled (seen by the follower).
   * The agent's times come from its journal's transitions, the others are wall clock at observation.
   */
  phases: { phase: string; n: number; p50: number; p95: number }[];
  /** Create→settled seconds of every settled shard (unsorted). */
  settleSeconds: number[];
  /** Sequential transactions per second (transfer, then wait for its receipt), one per baseline run. */
  txPerSecond: number[];
  /** Seconds spent creating jobs, and from the first create to the last final shard. */
  submitSeconds: number;
  runSeconds: number;
  /** Chain time minus wall clock at the end, seconds (Hardhat's one-second-per-block drift). */
  chainDriftSeconds: number;
  conservation: { ok: boolean; problems: string[] };
  /**
   * CPU seconds each process used from the first create to the end of the run (Linux): the node,
   * each oracle and agent, and the load itself (its developers and follower).
   */
  cpuSeconds: Record<string, number>;
  /** JSON-RPC traffic of the agents and of the oracles during the run (with `rpcStats`). */
  rpc?: Record<"agents" | "oracles" | "load", ReturnType<RpcCounter["counts"]>>;
  /** The service settings the load run set. */
  settings: Record<string, string>;
}

interface Tracked {
  developer: Address;
  created: number;
  escrow: bigint;
  paidOut: bigint;
  accepted?: number;
  submitted?: number;
  final?: { state: string; at: number };
}

/** HTTP to the node with a 60 s timeout and retries (the load's own requests). */
const loadTransport = (url: string) => http(url, { timeout: 60_000, retryCount: 5, retryDelay: 500 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Service environment for throughput: more concurrent shards per agent, a higher oracle rate limit,
 * and batching: the relay (oracle 1) settles Valid verdicts too, in `settleVerdicts` batches, and the
 * agents leave it that job (they settle a shard alone only if it is still unsettled a minute later).
 */
function serviceSettings(o: LoadOptions): { agentEnv: Record<string, string>; oracleEnv: Record<string, string> } {
  const batching: { agentEnv: Record<string, string>; oracleEnv: Record<string, string> } = o.batching
    ? {
        agentEnv: {
          RIGEL_AGENT_SUBMIT_MAX_BATCH: "50",
          RIGEL_AGENT_SUBMIT_MAX_DELAY_MS: String(o.batchDelayMs),
          RIGEL_AGENT_COMPUTE_BEFORE_ACCEPT: "assigned",
          RIGEL_AGENT_SETTLE_DELAY_SEC: "60",
        },
        oracleEnv: {
          RIGEL_ORACLE_RELAY_VALID: "true",
          RIGEL_ORACLE_BATCH_MAX_SIZE: "100",
          RIGEL_ORACLE_BATCH_MAX_DELAY_MS: String(o.batchDelayMs),
        },
      }
    : {
        agentEnv: {
          RIGEL_AGENT_SUBMIT_MAX_BATCH: "1",
          RIGEL_AGENT_COMPUTE_BEFORE_ACCEPT: "never",
          RIGEL_AGENT_SETTLE_DELAY_SEC: "0",
        },
        oracleEnv: { RIGEL_ORACLE_RELAY_VALID: "false", RIGEL_ORACLE_BATCH_MAX_SIZE: "1" },
      };
  return {
    agentEnv: {
      RIGEL_AGENT_CPU_SLOTS: String(o.cpuSlots),
      RIGEL_AGENT_ADMISSION_CONCURRENCY: String(o.admissionConcurrency),
      RIGEL_AGENT_POLL_INTERVAL_MS: String(o.pollMs),
      RIGEL_AGENT_CAPACITY_POLL_SEC: "0",
      RIGEL_AGENT_LOG_LEVEL: o.logLevel ?? "warn",
      RIGEL_AGENT_CLAIM_FIRST_QUORUM: String(o.claimFirstQuorum),
      ...batching.agentEnv,
    },
    oracleEnv: {
      RIGEL_ORACLE_POLL_MS: String(o.pollMs),
      RIGEL_ORACLE_RATE_PER_MINUTE: "100000",
      RIGEL_ORACLE_LOG_LEVEL: o.oracleLogLevel ?? o.logLevel ?? "warn",
      ...batching.oracleEnv,
    },
  };
}

/**
 * Fees of the developers' transactions: fixed, so that a create costs one RPC round trip (the raw
 * transaction), not three (fees, nonce, send). Hardhat's base fee starts at 1 gwei and only falls
 * while blocks stay under half full, as every automined block of one transaction does.
 */
const CREATE_FEES = { maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1_000_000n } as const;

/**
 * Creates `count` jobs from `dev` with consecutive nonces, each signed here and sent raw, then reads
 * every receipt at once (one batched RPC request).
 */
export async function createBatch(
  devnet: Devnet,
  client: PublicClient,
  dev: DevAccount,
  nonce: number,
  params: (i: number) => JobInput,
  first: number,
  count: number,
  rpcUrl: string = devnet.rpcUrl,
): Promise<{ jobId: bigint; escrow: bigint; sentAt: number }[]> {
  const wallet = createWalletClient({ account: dev.account, chain: devnet.chain, transport: loadTransport(rpcUrl) });
  const market = devnet.deployment.contracts.JobMarket;
  const signed: Hex[] = [];
  for (let i = 0; i < count; i++) {
    signed.push(
      await dev.account.signTransaction({
        chainId: devnet.chain.id,
        type: "eip1559",
        to: market,
        data: encodeFunctionData({
          abi: jobMarketAbi,
          functionName: "createJob",
          args: [jobParamsTuple(params(first + i))],
        }),
        nonce: nonce + i,
        gas: 1_000_000n,
        ...CREATE_FEES,
      }),
    );
  }
  const hashes: Hash[] = [];
  const sentAt: number[] = [];
  for (const raw of signed) {
    sentAt.push(Date.now());
    hashes.push(await wallet.sendRawTransaction({ serializedTransaction: raw }));
  }
  const receipts = await Promise.all(
    hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 300_000 })),
  );
  const out: { jobId: bigint; escrow: bigint; sentAt: number }[] = [];
  for (const [i, receipt] of receipts.entries()) {
    const hash = hashes[i];
    if (receipt.status !== "success") throw new Error(`createJob ${hash} reverted`);
    for (const l of receipt.logs) {
      if (l.address.toLowerCase() !== market.toLowerCase()) continue;
      try {
        const ev = decodeEventLog({ abi: jobMarketAbi, data: l.data, topics: l.topics });
        if (ev.eventName === "JobCreated")
          out.push({ jobId: ev.args.jobId, escrow: ev.args.job.escrow, sentAt: sentAt[i] });
      } catch {
        // another event of the market
      }
    }
  }
  if (out.length !== count) throw new Error(`expected ${count} JobCreated events, got ${out.length}`);
  return out;
}

export interface JobInput {
  paymentToken: Address;
  seed: bigint;
  size: number;
  price: bigint;
  deadline: bigint;
  operator?: Address;
}

/** JobMarket.createJob's parameters for one single-shard matmul-int8 job. */
export function jobParamsTuple(j: JobInput) {
  const spec = parseJobSpec({
    kind: "matmul-int8",
    seed: `0x${j.seed.toString(16).padStart(64, "0")}`,
    m: j.size,
    n: j.size,
    k: j.size,
  });
  return jobParamsForSpec({
    spec,
    paymentToken: j.paymentToken,
    maxUnitsPerShard: matmulUnits(j.size, j.size, j.size),
    maxPricePerUnit: j.price,
    deadline: j.deadline,
    shardOperators: j.operator ? [j.operator] : [],
  }).params;
}

/** Names a protocol `eth_call` by its selector (`JobMarket.getJob`); an unknown one by the selector. */
function protocolFunctionNames(): (data: string) => string {
  const abis = {
    ComputeToken: computeTokenAbi,
    OperatorStaking: operatorStakingAbi,
    OracleCommittee: oracleCommitteeAbi,
    JobMarket: jobMarketAbi,
    RewardsDistributor: rewardsDistributorAbi,
  };
  const names = new Map<string, string>();
  for (const [contract, abi] of Object.entries(abis))
    for (const item of abi as readonly AbiItem[])
      if (item.type === "function") names.set(toFunctionSelector(item), `${contract}.${item.name}`);
  return (data) => names.get(data.slice(0, 10).toLowerCase()) ?? data.slice(0, 10);
}

/** Runs the load; the network is stopped before it returns or throws. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  fs.rmSync(o.workDir, { recursive: true, force: true });
  fs.mkdirSync(o.workDir, { recursive: true });
  const settings = serviceSettings(o);
  const upstream = `http://127.0.0.1:${o.port}`;
  const functionOf = protocolFunctionNames();
  const counters = o.rpcStats
    ? {
        agents: await startRpcCounter({ upstream, port: o.port + 8, functionOf }),
        oracles: await startRpcCounter({ upstream, port: o.port + 9, functionOf }),
        load: await startRpcCounter({ upstream, port: o.port + 10, functionOf }),
      }
    : undefined;
  const network: Network = await startNetwork({
    serviceRpcUrl: counters?.agents.url,
    oracleRpcUrls: counters ? [1, 2, 3].map(() => counters.oracles.url) : undefined,
    port: o.port,
    workDir: o.workDir,
    agents: Array.from({ length: o.agents }, (_, i) => ({ name: `agent-${i + 1}` })),
    developers: o.developers,
    delegators: 0,
    chain: o.chain,
    wallClock: o.wallClock,
    agentEnv: settings.agentEnv,
    oracleEnv: settings.oracleEnv,
    log: o.log,
  });
  try {
    return await drive(network, o, settings, counters);
  } finally {
    await network.stop();
    await counters?.agents.close();
    await counters?.oracles.close();
    await counters?.load.close();
  }
}

async function drive(
  network: Network,
  o: LoadOptions,
  settings: { agentEnv: Record<string, string>; oracleEnv: Record<string, string> },
  counters?: { agents: RpcCounter; oracles: RpcCounter; load: RpcCounter },
): Promise<LoadResult> {
  const { devnet } = network;
  // The load's own client: a node starved by the load (or a busy host) may take longer than viem's
  // default 10 s to answer; one slow answer must not end the run.
  const client = createPublicClient({
    chain: devnet.chain,
    transport: loadTransport(counters?.load.url ?? devnet.rpcUrl),
    cacheTime: 0,
    pollingInterval: 250,
  }) as PublicClient;
  const { JobMarket: market, ComputeToken: rgl } = devnet.deployment.contracts;
  const price = parseEther("1") / 1000n;
  for (const dev of devnet.developers) {
    await sendAs(devnet, dev, {
      address: rgl,
      abi: computeTokenAbi,
      functionName: "approve",
      args: [market, maxUint256],
    });
  }
  const txPerSecond: number[] = [];
  for (let r = 0; r < (o.baselineRuns ?? 0); r++) {
    const dev = devnet.developers[0];
    const t = Date.now();
    for (let i = 0; i < 20; i++) {
      await sendAs(devnet, dev, {
        address: rgl,
        abi: computeTokenAbi,
        functionName: "transfer",
        args: [dev.address, 1n],
      });
    }
    txPerSecond.push(20 / ((Date.now() - t) / 1000));
  }
  // The node stops logging every JSON-RPC call and transaction to its log file: under load that
  // logging (formatting, console writes) cost the node more CPU than the transactions' blocks.
  await client.request({ method: "hardhat_setLoggingEnabled" as never, params: [false] as never });
  if (o.miningIntervalMs > 0) {
    // Interval mining from here on: many transactions per block, the chain clock at the wall clock's.
    await client.request({ method: "evm_setAutomine" as never, params: [false] as never });
    // Hardhat's interval is in milliseconds, anvil's in seconds (old rule: 200 sent to anvil meant 200 s).
    const interval = o.chain === "anvil" ? o.miningIntervalMs / 1000 : o.miningIntervalMs;
    await client.request({ method: "evm_setIntervalMining" as never, params: [interval] as never });
  }
  const nonces = await Promise.all(devnet.developers.map((d) => client.getTransactionCount({ address: d.address })));
  const deadline = BigInt(Number((await client.getBlock()).timestamp) + 7 * 86_400);
  const tracked = new Map<bigint, Tracked>();
  const counts = { accepted: 0, submitted: 0 };
  let fromBlock = (await client.getBlockNumber()) + 1n;
  let submitting = true;
  let submitDone = Infinity;
  const t0 = Date.now();
  const cpu = cpuSnapshot({
    node: devnet.node.pid,
    ...Object.fromEntries(network.oracles.map((s) => [s.name, s.pid])),
    ...Object.fromEntries(network.agents.map((s) => [s.name, s.pid])),
    load: process.pid,
  });
  counters?.agents.reset();
  counters?.oracles.reset();
  counters?.load.reset();
  const elapsed = () => (Date.now() - t0) / 1000;
  const finals = () => [...tracked.values()].filter((t) => t.final).length;

  // The follower: every event of the market since the last poll.
  const early = new Map<bigint, { state: string; at: number; paid: bigint }>();
  const earlyAccept = new Map<bigint, number>();
  const earlySubmit = new Map<bigint, number>();
  const follow = async () => {
    const to = await client.getBlockNumber({ cacheTime: 0 });
    if (to < fromBlock) return;
    const events = await client.getContractEvents({ address: market, abi: jobMarketAbi, fromBlock, toBlock: to });
    const now = Date.now();
    for (const ev of events) {
      if (ev.eventName === "ShardAccepted") {
        counts.accepted++;
        const jobId = ev.args.jobId as bigint;
        const t = tracked.get(jobId);
        if (t) t.accepted ??= now;
        else earlyAccept.set(jobId, now);
      } else if (ev.eventName === "ShardSubmitted") {
        counts.submitted++;
        const jobId = ev.args.jobId as bigint;
        const t = tracked.get(jobId);
        if (t) t.submitted ??= now;
        else earlySubmit.set(jobId, now);
      } else if (ev.eventName in FINAL_EVENTS) {
        const args = ev.args as { jobId: bigint; paid?: bigint; fee?: bigint; refund?: bigint };
        const paid = (args.paid ?? 0n) + (args.fee ?? 0n) + (args.refund ?? 0n);
        const state = FINAL_EVENTS[ev.eventName as keyof typeof FINAL_EVENTS];
        const t = tracked.get(args.jobId);
        if (t) {
          t.paidOut += paid;
          t.final ??= { state, at: now };
        } else early.set(args.jobId, { state, at: now, paid });
      }
    }
    fromBlock = to + 1n;
  };
  let followerError: unknown;
  const follower = (async () => {
    let lastLine = 0;
    while (submitting || finals() < tracked.size) {
      try {
        await follow();
      } catch (err) {
        followerError = err;
        return;
      }
      if (Date.now() - lastLine >= 10_000) {
        lastLine = Date.now();
        o.log(
          `t=${elapsed().toFixed(0)} s: created ${tracked.size}/${o.jobs}, accepted ${counts.accepted}, ` +
            `submitted ${counts.submitted}, final ${finals()}`,
        );
      }
      if (!submitting && elapsed() > submitDone + o.timeoutMs / 1000) return;
      network.assertRunning();
      await sleep(o.pollMs);
    }
  })();

  // The developers: batches at a steady pace, each batch split over the accounts, which send their
  // parts side by side (one nonce sequence each).
  try {
    for (let first = 0; first < o.jobs; first += o.batch) {
      const started = Date.now();
      const count = Math.min(o.batch, o.jobs - first);
      const per = Math.ceil(count / devnet.developers.length);
      const parts = devnet.developers
        .map((dev, d) => ({ dev, d, from: first + d * per, n: Math.max(0, Math.min(per, count - d * per)) }))
        .filter((part) => part.n > 0);
      const created = await Promise.all(
        parts.map(async ({ dev, d, from, n }) => {
          const jobs = await createBatch(
            devnet,
            client,
            dev,
            nonces[d],
            (i) => ({
              paymentToken: rgl,
              seed: BigInt(i + 1),
              size: o.size,
              price,
              deadline,
              operator: o.assign ? network.operators[i % network.operators.length].address : undefined,
            }),
            from,
            n,
            counters?.load.url,
          );
          nonces[d] += n;
          return jobs.map((c) => ({ ...c, developer: dev.address }));
        }),
      );
      for (const c of created.flat()) {
        const t: Tracked = { developer: c.developer, created: c.sentAt, escrow: c.escrow, paidOut: 0n };
        t.accepted = earlyAccept.get(c.jobId);
        earlyAccept.delete(c.jobId);
        t.submitted = earlySubmit.get(c.jobId);
        earlySubmit.delete(c.jobId);
        const e = early.get(c.jobId);
        if (e) {
          t.final = { state: e.state, at: e.at };
          t.paidOut = e.paid;
          early.delete(c.jobId);
        }
        tracked.set(c.jobId, t);
      }
      const wait = o.intervalMs - (Date.now() - started);
      if (wait > 0) await sleep(wait);
    }
  } finally {
    submitDone = elapsed();
    submitting = false;
  }
  o.log(`all ${o.jobs} jobs created in ${submitDone.toFixed(0)} s; waiting for every shard to be final`);
  await follower;
  if (followerError) throw followerError;
  await follow();

  // Escrow: every job's escrow paid out or refunded, and nothing left in it on-chain.
  const lostDetail: string[] = [];
  const states: Record<string, number> = {
    Settled: 0,
    Failed: 0,
    DeveloperFault: 0,
    Cancelled: 0,
    Expired: 0,
    open: 0,
  };
  const latencies: number[] = [];
  const createToAccept: number[] = [];
  let lastFinal = t0;
  for (const [jobId, t] of tracked) {
    if (t.accepted !== undefined) createToAccept.push((t.accepted - t.created) / 1000);
    if (!t.final) {
      states.open++;
      lostDetail.push(`job ${jobId}: shard not final`);
      continue;
    }
    states[t.final.state]++;
    if (t.final.state === "Settled") latencies.push((t.final.at - t.created) / 1000);
    lastFinal = Math.max(lastFinal, t.final.at);
  }
  const ids = [...tracked.keys()];
  for (let i = 0; i < ids.length; i += 50) {
    const jobs = await Promise.all(
      ids
        .slice(i, i + 50)
        .map((jobId) =>
          client.readContract({ address: market, abi: jobMarketAbi, functionName: "getJob", args: [jobId] }),
        ),
    );
    jobs.forEach((job, k) => {
      const jobId = ids[i + k];
      const t = tracked.get(jobId)!;
      if (t.final && (job.escrow !== 0n || t.paidOut !== t.escrow)) {
        lostDetail.push(`job ${jobId}: escrow ${t.escrow}, paid out or refunded ${t.paidOut}, left ${job.escrow}`);
      }
    });
  }
  const cpuSeconds = cpu.since();
  const rpc = counters && {
    agents: counters.agents.counts(),
    oracles: counters.oracles.counts(),
    load: counters.load.counts(),
  };
  const conservation = await checkConservation(client, devnet.deployment);
  const chainNow = Number((await client.getBlock()).timestamp);
  const runSeconds = (lastFinal - t0) / 1000;
  return {
    jobs: o.jobs,
    shards: tracked.size,
    states,
    lost: lostDetail.length + (o.jobs - tracked.size),
    lostDetail,
    settledPerMinute: runSeconds > 0 ? (states.Settled / runSeconds) * 60 : 0,
    createToSettle: latencies.length
      ? { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: percentile(latencies, 1) }
      : { p50: NaN, p99: NaN, max: NaN },
    createToAccept,
    phases: phaseBreakdown(tracked, agentJournalTimes(o)),
    settleSeconds: latencies,
    txPerSecond,
    submitSeconds: submitDone,
    runSeconds,
    chainDriftSeconds: chainNow - Date.now() / 1000,
    conservation: { ok: conservation.ok, problems: conservation.problems },
    cpuSeconds,
    rpc,
    settings: {
      ...settings.agentEnv,
      ...settings.oracleEnv,
      chain: o.chain,
      mining: o.miningIntervalMs > 0 ? `interval ${o.miningIntervalMs} ms` : "automine",
      chainClock: o.wallClock ? "wall" : "a second per block",
    },
  };
}

/** Per job (single-shard jobs): when an agent first journaled `accepting`, `ran` and `attested` (ms). */
type JournalTimes = Map<bigint, { admitted?: number; ran?: number; attested?: number }>;

/** Reads the agents' journals (`<workDir>/agent-i/journal.db`, read-only) after the run. */
function agentJournalTimes(o: LoadOptions): JournalTimes {
  const out: JournalTimes = new Map();
  for (let i = 1; i <= o.agents; i++) {
    const file = path.join(o.workDir, `agent-${i}`, "journal.db");
    if (!fs.existsSync(file)) continue;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare(
          `SELECT job_id, to_state, MIN(at) AS at FROM transitions
           WHERE to_state IN ('accepting', 'ran', 'attested') GROUP BY job_id, to_state`,
        )
        .all() as { job_id: string; to_state: string; at: number }[];
      for (const r of rows) {
        const jobId = BigInt(r.job_id);
        const t = out.get(jobId) ?? {};
        if (r.to_state === "accepting") t.admitted = r.at;
        else if (r.to_state === "ran") t.ran = r.at;
        else t.attested = r.at;
        out.set(jobId, t);
      }
    } finally {
      db.close();
    }
  }
  return out;
}

/** p50 / p95 of each phase of a shard's life, and of create → each point (seconds). */
function phaseBreakdown(tracked: Map<bigint, Tracked>, journal: JournalTimes): LoadResult["phases"] {
  const points = ["created", "admitted", "ran", "submitted", "attested", "settled"] as const;
  const timesOf = (jobId: bigint, t: Tracked): Record<(typeof points)[number], number | undefined> => {
    const j = journal.get(jobId) ?? {};
    return {
      created: t.created,
      admitted: j.admitted,
      ran: j.ran,
      submitted: t.submitted,
      attested: j.attested,
      settled: t.final?.state === "Settled" ? t.final.at : undefined,
    };
  };
  const all = [...tracked].map(([jobId, t]) => timesOf(jobId, t));
  const row = (phase: string, from: (typeof points)[number], to: (typeof points)[number]) => {
    const d = all.flatMap((x) => (x[from] !== undefined && x[to] !== undefined ? [(x[to]! - x[from]!) / 1000] : []));
    return d.length
      ? { phase, n: d.length, p50: percentile(d, 0.5), p95: percentile(d, 0.95) }
      : { phase, n: 0, p50: NaN, p95: NaN };
  };
  const steps = points.slice(1).map((to, i) => row(`${points[i]}→${to}`, points[i], to));
  const cumulative = points.slice(2).map((to) => row(`created→${to}`, "created", to));
  return [...steps, ...cumulative];
}

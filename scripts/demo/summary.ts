// The demo's closing summary, rebuilt from the chain's logs alone: jobs and shards with their
// outcome and cost, each operator's payment (credited, then withdrawn: pull payments, PROTOCOL §20.1),
// rewards, slash and stake, the developers' spend, refunds and withdrawals, and the gas of each step.
import { formatEther, getAddress, type Address, type Hash, type PublicClient } from "viem";
import { jobMarketAbi, operatorStakingAbi, rewardsDistributorAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/deployments";
import type { ShardStateName } from "../../sdk/market/enums";
import { textTable } from "../lib/textTable";

type ShardOutcome = ShardStateName;

export interface ShardLine {
  jobId: bigint;
  shard: number;
  operator?: Address;
  outcome: ShardOutcome;
  paid: bigint;
  fee: bigint;
  refund: bigint;
  slashed: bigint;
  /** Units the verdict paid for (tokens for llm-inference), from ShardSettled / ShardDeveloperFault. */
  units: bigint;
}

export interface DemoSummary {
  jobs: { jobId: bigint; developer: Address; kind: number; shards: number; escrow: bigint }[];
  shards: ShardLine[];
  operators: {
    operator: Address;
    paid: bigint;
    /** RGL withdrawn from the market (`Withdrawn`) and still owed (`owedOf`) at the end. */
    withdrawn: bigint;
    owed: bigint;
    rewardsClaimed: bigint;
    rewardsPending: bigint;
    slashed: bigint;
    selfStake: bigint;
    delegated: bigint;
  }[];
  developers: {
    developer: Address;
    escrowed: bigint;
    paid: bigint;
    refunded: bigint;
    /** RGL withdrawn from the market and still owed (refunds are credited, not sent). */
    withdrawn: bigint;
    owed: bigint;
  }[];
  gas: { step: string; count: number; median: bigint; total: bigint }[];
}

const STEP_OF_EVENT: Record<string, string> = {
  OperatorRegistered: "register",
  Staked: "stake",
  CapacityRecorded: "record capacity",
  JobCreated: "create job",
  ShardAccepted: "accept shard",
  ShardSubmitted: "submit result",
  ShardSettled: "settle (valid)",
  ShardFailed: "settle (invalid, slash)",
  ShardDeveloperFault: "settle (developer fault)",
  ShardCancelled: "cancel",
  ShardExpired: "expire",
  RewardsClaimed: "claim rewards",
  Delegated: "delegate",
  Withdrawn: "withdraw",
};

/**
 * The step of a transaction from the events it emitted: one event's step, or for the batched and
 * combined entrypoints of §20.4 their own (`acceptAndSubmit` emits ShardAccepted and ShardSubmitted,
 * `submitMany` several ShardSubmitted, `settleVerdicts` several outcomes; a settled claim, §20.10,
 * all three in its settlement).
 */
function stepOf(events: string[]): string | undefined {
  const count = (name: string) => events.filter((e) => e === name).length;
  const outcomes = events.filter((e) => ["ShardSettled", "ShardFailed", "ShardDeveloperFault"].includes(e));
  // Claims (§20.10) are accepted, submitted and settled by the settlement itself.
  if (outcomes.length > 0 && count("ShardAccepted") > 0)
    return outcomes.length > 1 ? "settle (batch)" : "settle (valid)";
  if (count("ShardAccepted") > 0 && count("ShardSubmitted") > 0) return "accept and submit";
  if (count("ShardSubmitted") > 1) return "submit results (batch)";
  if (outcomes.length > 1) return "settle (batch)";
  for (const e of events) if (STEP_OF_EVENT[e]) return STEP_OF_EVENT[e];
  return undefined;
}

/** Reads everything from the deployment's first block. */
export async function buildSummary(client: PublicClient, deployment: Deployment): Promise<DemoSummary> {
  const { JobMarket: market, OperatorStaking: staking, RewardsDistributor: rewards } = deployment.contracts;
  const range = { fromBlock: deployment.block, toBlock: await client.getBlockNumber({ cacheTime: 0 }) };
  const marketLogs = await client.getContractEvents({ address: market, abi: jobMarketAbi, ...range });
  const stakingLogs = await client.getContractEvents({ address: staking, abi: operatorStakingAbi, ...range });
  const rewardLogs = await client.getContractEvents({ address: rewards, abi: rewardsDistributorAbi, ...range });

  const jobs: DemoSummary["jobs"] = [];
  const shards = new Map<string, ShardLine>();
  const key = (jobId: bigint, shard: number) => `${jobId}/${shard}`;
  const shardOf = (jobId: bigint, shard: number) => {
    let line = shards.get(key(jobId, shard));
    if (!line) {
      line = { jobId, shard, outcome: "Open", paid: 0n, fee: 0n, refund: 0n, slashed: 0n, units: 0n };
      shards.set(key(jobId, shard), line);
    }
    return line;
  };
  for (const log of marketLogs) {
    const a = log.args as Record<string, unknown>;
    const jobId = a.jobId as bigint;
    const shard = a.shard as number;
    switch (log.eventName) {
      case "JobCreated": {
        const job = a.job as { shards: number; kind: number; escrow: bigint };
        jobs.push({
          jobId,
          developer: getAddress(a.developer as string),
          kind: job.kind,
          shards: job.shards,
          escrow: job.escrow,
        });
        for (let s = 0; s < job.shards; s++) shardOf(jobId, s);
        break;
      }
      case "ShardAccepted":
        Object.assign(shardOf(jobId, shard), { outcome: "Accepted", operator: getAddress(a.operator as string) });
        break;
      case "ShardSubmitted":
        shardOf(jobId, shard).outcome = "Submitted";
        break;
      case "ShardSettled":
        Object.assign(shardOf(jobId, shard), {
          outcome: "Settled",
          paid: a.paid,
          fee: a.fee,
          refund: a.refund,
          units: a.units,
        });
        break;
      case "ShardDeveloperFault":
        // The developer's code failed: paid for the units used, like Settled, but no slash (PROTOCOL §18.2).
        Object.assign(shardOf(jobId, shard), { outcome: "DeveloperFault", paid: a.paid, fee: a.fee, refund: a.refund });
        break;
      case "ShardFailed":
        Object.assign(shardOf(jobId, shard), { outcome: "Failed", slashed: a.slashed, refund: a.refund });
        break;
      case "ShardCancelled":
        Object.assign(shardOf(jobId, shard), { outcome: "Cancelled", refund: a.refund });
        break;
      case "ShardExpired":
        Object.assign(shardOf(jobId, shard), { outcome: "Expired", slashed: a.slashed, refund: a.refund });
        break;
    }
  }

  const operatorSet = new Set<Address>();
  const slashedBy = new Map<Address, bigint>();
  for (const log of stakingLogs) {
    const a = log.args as Record<string, unknown>;
    if (log.eventName === "OperatorRegistered") operatorSet.add(getAddress(a.operator as string));
    if (log.eventName === "Slashed") {
      const op = getAddress(a.operator as string);
      slashedBy.set(op, (slashedBy.get(op) ?? 0n) + (a.fromSelf as bigint) + (a.fromPool as bigint));
    }
  }
  const withdrawnBy = new Map<Address, bigint>();
  for (const log of marketLogs) {
    if (log.eventName !== "Withdrawn") continue;
    const a = log.args as { token: Address; account: Address; amount: bigint };
    if (getAddress(a.token) !== getAddress(deployment.contracts.ComputeToken)) continue;
    withdrawnBy.set(getAddress(a.account), (withdrawnBy.get(getAddress(a.account)) ?? 0n) + a.amount);
  }
  const owedOf = (account: Address) =>
    client.readContract({
      address: market,
      abi: jobMarketAbi,
      functionName: "owedOf",
      args: [deployment.contracts.ComputeToken, account],
    });
  const claimedBy = new Map<Address, bigint>();
  for (const log of rewardLogs) {
    if (log.eventName !== "RewardsClaimed") continue;
    const a = log.args as { operator: Address; amount: bigint };
    claimedBy.set(getAddress(a.operator), (claimedBy.get(getAddress(a.operator)) ?? 0n) + a.amount);
  }
  const operators: DemoSummary["operators"] = [];
  for (const operator of operatorSet) {
    const info = await client.readContract({
      address: staking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [operator],
    });
    const pending = await client.readContract({
      address: rewards,
      abi: rewardsDistributorAbi,
      functionName: "pendingRewards",
      args: [operator],
    });
    const paid = [...shards.values()].filter((s) => s.operator === operator).reduce((x, s) => x + s.paid, 0n);
    operators.push({
      operator,
      paid,
      withdrawn: withdrawnBy.get(operator) ?? 0n,
      owed: await owedOf(operator),
      rewardsClaimed: claimedBy.get(operator) ?? 0n,
      rewardsPending: pending,
      slashed: slashedBy.get(operator) ?? 0n,
      selfStake: info.selfStake,
      delegated: info.poolTokens,
    });
  }

  const developers = new Map<Address, DemoSummary["developers"][number]>();
  for (const job of jobs) {
    const d = developers.get(job.developer) ?? {
      developer: job.developer,
      escrowed: 0n,
      paid: 0n,
      refunded: 0n,
      withdrawn: withdrawnBy.get(job.developer) ?? 0n,
      owed: await owedOf(job.developer),
    };
    d.escrowed += job.escrow;
    for (const s of shards.values()) {
      if (s.jobId !== job.jobId) continue;
      d.paid += s.paid + s.fee;
      d.refunded += s.refund;
    }
    developers.set(job.developer, d);
  }

  const gasByStep = new Map<string, bigint[]>();
  const eventsOfTx = new Map<Hash, string[]>();
  for (const log of [...stakingLogs, ...marketLogs, ...rewardLogs]) {
    eventsOfTx.set(log.transactionHash, [...(eventsOfTx.get(log.transactionHash) ?? []), log.eventName]);
  }
  for (const [hash, events] of eventsOfTx) {
    const step = stepOf(events);
    if (!step) continue;
    const receipt = await client.getTransactionReceipt({ hash });
    gasByStep.set(step, [...(gasByStep.get(step) ?? []), receipt.gasUsed]);
  }
  const gas = [...gasByStep.entries()].map(([step, list]) => {
    const sorted = [...list].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return { step, count: list.length, median: sorted[sorted.length >> 1], total: list.reduce((x, y) => x + y, 0n) };
  });

  return {
    jobs,
    shards: [...shards.values()].sort((x, y) => (x.jobId === y.jobId ? x.shard - y.shard : x.jobId < y.jobId ? -1 : 1)),
    operators,
    developers: [...developers.values()],
    gas,
  };
}

const rgl = (x: bigint) => `${Number(formatEther(x)).toLocaleString("en-US", { maximumFractionDigits: 4 })}`;
const short = (a?: Address) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : "-");

/** The summary as text tables; `names` labels known addresses (operators, developers). */
export function renderSummary(s: DemoSummary, names: Record<string, string> = {}): string {
  const name = (a?: Address) => (a ? (names[getAddress(a)] ?? short(a)) : "-");
  const kinds = ["matmul-int8", "container", "llm-inference"];
  const parts = [
    "Jobs and shards (amounts in RGL; payments and refunds are credited, then withdrawn)",
    textTable(
      ["job", "kind", "shard", "operator", "outcome", "units", "paid", "fee", "refund", "slashed"],
      s.shards.map((x) => {
        const job = s.jobs.find((j) => j.jobId === x.jobId);
        return [
          String(x.jobId),
          kinds[job?.kind ?? 0] ?? "?",
          String(x.shard),
          name(x.operator),
          x.outcome,
          x.units > 0n ? `${x.units}${job?.kind === 2 ? " tokens" : ""}` : "-",
          rgl(x.paid),
          rgl(x.fee),
          rgl(x.refund),
          rgl(x.slashed),
        ];
      }),
    ),
    "",
    "Operators (RGL)",
    textTable(
      [
        "operator",
        "paid for work",
        "withdrawn",
        "owed",
        "rewards claimed",
        "rewards pending",
        "slashed",
        "self-stake",
        "delegated",
      ],
      s.operators.map((o) => [
        name(o.operator),
        rgl(o.paid),
        rgl(o.withdrawn),
        rgl(o.owed),
        rgl(o.rewardsClaimed),
        rgl(o.rewardsPending),
        rgl(o.slashed),
        rgl(o.selfStake),
        rgl(o.delegated),
      ]),
    ),
    "",
    "Developers (RGL)",
    textTable(
      ["developer", "escrowed", "spent (paid + fees)", "refunded", "withdrawn", "owed"],
      s.developers.map((d) => [
        name(d.developer),
        rgl(d.escrowed),
        rgl(d.paid),
        rgl(d.refunded),
        rgl(d.withdrawn),
        rgl(d.owed),
      ]),
    ),
    "",
    "Gas per step",
    textTable(
      ["step", "transactions", "median gas", "total gas"],
      s.gas.map((g) => [g.step, String(g.count), g.median.toLocaleString("en-US"), g.total.toLocaleString("en-US")]),
    ),
  ];
  return parts.join("\n");
}

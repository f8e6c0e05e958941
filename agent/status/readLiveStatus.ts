import type { Address, PublicClient } from "viem";
import { jobMarketAbi, rewardsDistributorAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/parseDeployment";
import { formatRgl } from "../../sdk/cli/humanFormat";
import { fetchHeartbeats } from "../../sdk/liveness/fetchHeartbeats";
import type { ReceivedHeartbeat } from "../../sdk/liveness/heartbeat";
import { formatAge, livenessOf } from "../../sdk/liveness/liveness";

/** Input of {@link readLiveStatus}. */
export interface ReadLiveStatusParameters {
  publicClient: PublicClient;
  deployment: Pick<Deployment, "contracts" | "block">;
  operator: Address;
  /** Oracle base URLs whose heartbeats say whether the node is up; empty: live state unknown. */
  oracleUrls: readonly string[];
  /** Epochs of the earnings summary (default 24). */
  epochs?: number;
  nowSec?: number;
  fetch?: typeof fetch;
}

/**
 * The rows `rigel agent status` adds: the node's live state as the oracles see it (the Operator
 * page's, PROTOCOL §16.8) and an earnings summary over the last `epochs` epochs (work payments by
 * block time, the operator part of settled rewards).
 */
export async function readLiveStatus(p: ReadLiveStatusParameters): Promise<[string, string][]> {
  const nowSec = p.nowSec ?? Math.floor(Date.now() / 1000);
  const rows: [string, string][] = [...(await liveRows(p, nowSec))];
  rows.push(...(await earningsRows(p)));
  return rows;
}

async function liveRows(p: ReadLiveStatusParameters, nowSec: number): Promise<[string, string][]> {
  if (p.oracleUrls.length === 0) return [["live", "unknown: no oracle configured (oracleUrls)"]];
  let hb: ReceivedHeartbeat | undefined;
  try {
    const got = await fetchHeartbeats({ oracleUrls: p.oracleUrls, nowSec, ...(p.fetch ? { fetch: p.fetch } : {}) });
    hb = got.heartbeats.get(p.operator.toLowerCase());
  } catch (err) {
    return [["live", `unknown: ${(err as Error).message}`]];
  }
  const state = livenessOf(hb, nowSec);
  const rows: [string, string][] = [
    [
      "live",
      state.online ? `online (last heartbeat ${formatAge(nowSec - state.lastSeen!)} ago)` : `offline: ${state.reason}`,
    ],
  ];
  if (!hb) return rows;
  rows.push(
    [
      "GPUs",
      hb.gpus.length === 0
        ? "none reported"
        : hb.gpus
            .map((g) =>
              `${g.index}: ${g.model} ${g.vramMiB} MiB ${g.utilisationPct === null ? "" : `${g.utilisationPct}%`}`.trim(),
            )
            .join("; "),
    ],
    [
      "in flight",
      hb.shardsInFlight.length === 0
        ? "none"
        : hb.shardsInFlight.map((s) => `${s.jobId}/${s.shard} ${s.phase}`).join(", "),
    ],
    ...hb.recentFailures
      .slice(-5)
      .reverse()
      .map((f): [string, string] => [`failed ${f.jobId}/${f.shard}`, `${f.reason} (${f.code})`]),
  );
  return rows;
}

async function earningsRows(p: ReadLiveStatusParameters): Promise<[string, string][]> {
  const { RewardsDistributor: rewards, JobMarket: market } = p.deployment.contracts;
  const fromBlock = p.deployment.block;
  const [current, settled, paid] = await Promise.all([
    p.publicClient.readContract({ address: rewards, abi: rewardsDistributorAbi, functionName: "currentEpoch" }),
    p.publicClient.getContractEvents({
      address: rewards,
      abi: rewardsDistributorAbi,
      eventName: "EpochSettled",
      args: { operator: p.operator },
      fromBlock,
    }),
    p.publicClient.getContractEvents({
      address: market,
      abi: jobMarketAbi,
      eventName: "ShardSettled",
      args: { operator: p.operator },
      fromBlock,
    }),
  ]);
  const n = BigInt(p.epochs ?? 24);
  const first = current > n ? current - n : 0n;
  const rewardSum = settled
    .filter((e) => e.args.epoch! >= first)
    .reduce((s, e) => s + e.args.commission! + e.args.selfShare!, 0n);
  const workSum = paid.reduce((s, e) => s + e.args.paid!, 0n);
  return [
    [`rewards, epochs ${first}–${current}`, formatRgl(rewardSum)],
    ["work paid (all time)", `${formatRgl(workSum)} over ${paid.length} settled shard${paid.length === 1 ? "" : "s"}`],
  ];
}

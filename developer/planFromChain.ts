// `rigel job plan` and `submit --plan`: the planning flags, and planning over the chain with them
// (sdk/planner/planOnChain, which the dapp uses too).
import type { Address } from "viem";
import { UsageError } from "../sdk/cli/commands";
import { RigelError } from "../sdk/errors/RigelError";
import { fetchHeartbeats } from "../sdk/liveness/fetchHeartbeats";
import { planOnChain } from "../sdk/planner/planOnChain";
import { formatTokenAmount } from "../sdk/cli/humanFormat";
import { PlannerInfeasibleError } from "../sdk/planner/errors";
import type { Plan, PlannerJob, PlannerLiveness } from "../sdk/planner/types";
import type { JobSpec } from "../sdk/spec/jobSpecTypes";
import type { Connection } from "./connect";
import { budgetOf, maxPriceOf } from "./moneyFlags";
import type { TokenInfo } from "./tokenAmount";

export { maxPriceOf } from "./moneyFlags";

/** The planning flags shared by `plan` and `submit --plan`. */
export const PLAN_FLAGS = {
  budget: {
    type: "string",
    value: "AMOUNT",
    description: "fastest plan costing at most AMOUNT tokens (100 or 100RGL; 100wei for base units)",
  },
  within: { type: "string", value: "SECONDS", description: "cheapest plan finishing within SECONDS of the start" },
  "max-price": {
    type: "string",
    value: "AMOUNT",
    description: "most paid per unit, in tokens (0.001 or 0.001RGL; 1000wei for base units)",
  },
  "max-price-per-1k-tokens": {
    type: "string",
    value: "AMOUNT",
    description:
      "llm-inference: most paid per 1,000 tokens, in payment tokens (1 = 1 RGL per 1,000 tokens), instead of --max-price",
  },
  "max-shards": { type: "string", value: "N", description: "most shards/operators (1..64)", default: "64" },
  vram: { type: "string", value: "MiB", description: "VRAM each shard needs", default: "0" },
  "min-ops": { type: "string", value: "OPS", description: "least attested ops/s", default: "0" },
  "item-seconds": { type: "string", value: "S", description: "container jobs: seconds per item on the reference GPU" },
  "reference-ops": {
    type: "string",
    value: "OPS",
    description: "container jobs: attested ops/s of that reference GPU",
  },
  exclude: { type: "string", value: "ADDRS", description: "comma-separated operators never to take" },
  token: { type: "string", value: "ADDR", description: "payment token (default: RGL)" },
  oracle: {
    type: "string",
    value: "URL",
    multiple: true,
    description:
      "an oracle whose operator heartbeats leave offline operators out of the plan (repeatable; env RIGEL_ORACLE_URLS, comma-separated; none: liveness unknown)",
  },
} as const;

export interface PlanFlags {
  budget?: string;
  within?: string;
  "max-price"?: string;
  "max-price-per-1k-tokens"?: string;
  "max-shards"?: string;
  vram?: string;
  "min-ops"?: string;
  "item-seconds"?: string;
  "reference-ops"?: string;
  exclude?: string;
  token?: string;
  oracle?: string;
}

/** The oracle URLs to read liveness from: `--oracle` (repeatable), else `RIGEL_ORACLE_URLS` (comma-separated). */
export function oracleUrlsOf(flags: { oracle?: string }, env: Record<string, string | undefined>): string[] {
  return (flags.oracle ?? env.RIGEL_ORACLE_URLS ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
}

/**
 * The operators' liveness from the oracles' heartbeats (PROTOCOL §12.6); undefined when no oracle is
 * configured. Oracles that answer are enough; none answering is an error (the user asked for liveness).
 */
export async function livenessFromOracles(urls: readonly string[]): Promise<PlannerLiveness | undefined> {
  if (urls.length === 0) return undefined;
  try {
    const { heartbeats, nowSec } = await fetchHeartbeats({ oracleUrls: urls });
    return { heartbeats, nowSec };
  } catch (err) {
    throw new RigelError(
      "RIGEL_JOB_NO_LIVENESS",
      `no oracle answered for operator liveness (${urls.join(", ")}): check --oracle / RIGEL_ORACLE_URLS, or leave them out to plan without liveness`,
      { cause: err },
    );
  }
}

export function bigintFlag(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError("RIGEL_JOB_BAD_FLAG", `--${name} must be a whole number, not "${value}"`);
  return BigInt(value);
}

export function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError("RIGEL_JOB_BAD_FLAG", `--${name} must be a number ≥ 0, not "${value}"`);
  return n;
}

export function paymentTokenOf(conn: Connection, flags: { token?: string }): Address {
  return (flags.token as Address | undefined) ?? conn.deployment.contracts.ComputeToken;
}

/** A budget the planner found below the least the job can cost, in tokens: a sentence and a hint. */
function budgetTooLow(err: PlannerInfeasibleError, token: TokenInfo): RigelError {
  const amount = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol, { exact: true });
  const budget = BigInt(err.details.budget as bigint);
  const minCost = BigInt(err.details.minCost as number);
  return new RigelError(
    "RIGEL_JOB_BUDGET_TOO_LOW",
    `--budget ${amount(budget)} is below the least this job can cost: about ${amount(minCost)} at the cheapest eligible operator's price`,
    {
      details: {
        budget,
        minCost,
        hint: `raise --budget to at least ${amount(minCost)}, or plan with --within SECONDS`,
      },
    },
  );
}

/** Plans `spec` over the chain's operators (sdk `planOnChain`: the collateral filter from the plan's own largest shard). */
export async function planFromChain(
  conn: Connection,
  spec: JobSpec,
  flags: PlanFlags,
  token: TokenInfo,
  env: Record<string, string | undefined> = process.env,
): Promise<{ plan: Plan; job: PlannerJob; operatorsRead: number }> {
  const budget = budgetOf(flags, token);
  const within = numberFlag(flags.within, "within");
  if ((budget === undefined) === (within === undefined)) {
    throw new UsageError("RIGEL_JOB_OBJECTIVE", "give exactly one of --budget (fastest) or --within (cheapest)");
  }
  const maxPrice = maxPriceOf(flags, spec, token);
  const { deployment } = conn;
  const liveness = await livenessFromOracles(oracleUrlsOf(flags, env));
  const planned = await planOnChain(conn.publicClient, {
    liveness,
    contracts: deployment.contracts,
    fromBlock: deployment.block,
    paymentToken: paymentTokenOf(conn, flags),
    spec,
    objective: budget !== undefined ? "fastest" : "cheapest",
    budget,
    deadlineSec: within,
    maxPricePerUnit: maxPrice,
    maxShards: numberFlag(flags["max-shards"], "max-shards") ?? 64,
    vramMiB: numberFlag(flags.vram, "vram") ?? 0,
    minOpsPerSec: numberFlag(flags["min-ops"], "min-ops") ?? 0,
    itemSeconds: numberFlag(flags["item-seconds"], "item-seconds"),
    referenceOpsPerSec: numberFlag(flags["reference-ops"], "reference-ops"),
    exclude: flags.exclude ? flags.exclude.split(",").map((a) => a.trim()) : [],
    // Accepting takes a moment: ask for a capacity record valid a little beyond now.
    capacityMarginSec: 60,
  }).catch((err: unknown) => {
    if (err instanceof PlannerInfeasibleError && err.constraint === "budget") throw budgetTooLow(err, token);
    throw err;
  });
  return { plan: planned.plan, job: planned.job, operatorsRead: planned.operators.length };
}

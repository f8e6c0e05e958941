// `rigel job ...`: a developer's jobs from the command line — plan, submit, status, list, results,
// cancel, expire, refund, withdraw (what the market owes you), release (gang jobs). Every command takes --json; see `rigel job <command> --help`.
import fs from "node:fs";
import readline from "node:readline/promises";
import { getAddress, type Hex } from "viem";
import { defineCommand, runCli, UsageError, type CliOutput, type CommandSpec } from "../sdk/cli/commands";
import { jobMarketAbi } from "../sdk/contracts/abis";
import { createJob } from "../sdk/market/createJob";
import { expirable } from "../sdk/market/expirable";
import { JobParamsError, jobParamsForSpec, type JobParamsForSpecParameters } from "../sdk/market/jobParamsForSpec";
import { exactTokenPlan } from "../sdk/planner/exactTokenPlan";
import type { Plan } from "../sdk/planner/types";
import type { JobSpec } from "../sdk/spec/jobSpecTypes";
import { hashJobSpec } from "../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../sdk/spec/parseJobSpec";
import { perThousandTokensFromPricePerUnit } from "../sdk/pricing/pricePerThousandTokens";
import { CONNECTION_FLAGS, connect, type Connection, type JobCliDeps } from "./connect";
import { LLM_SPEC_FLAGS, llmSpecFromFlags, type LlmSpecFlags } from "./llmSpecFromFlags";
import { jobIdArg, jobStatus, sendTx, toJson, type WriteRequest } from "./commandHelpers";
import { initCommand } from "./initCommand";
import { listCommand } from "./listCommand";
import { formatAddress, formatDate, formatTokenAmount } from "../sdk/cli/humanFormat";
import { maxPriceOf } from "./moneyFlags";
import { decisionText, secondsText } from "./planDecisionText";
import { bigintFlag, numberFlag, paymentTokenOf, PLAN_FLAGS, planFromChain } from "./planFromChain";
import { readTokenInfo, type TokenInfo } from "./tokenAmount";
import { refundCommand } from "./refundCommand";
import { resultsCommand } from "./resultsCommand";
import { logsCommand } from "./logsCommand";
import { statusCommand } from "./statusCommand";
import { withdrawCommand } from "./withdrawCommand";

/** The job's spec: the SPEC file, or an llm-inference spec from `--prompts FILE --model DIR …`. */
function readSpec(file: string | undefined, flags: LlmSpecFlags = {}): JobSpec {
  const fromFlags = llmSpecFromFlags(flags);
  if (fromFlags && file) throw new UsageError("RIGEL_JOB_TWO_SPECS", "give a SPEC file or --prompts, not both");
  if (fromFlags) return parseJobSpec(fromFlags);
  if (!file) throw new UsageError("RIGEL_JOB_NO_SPEC", "the spec file (or --prompts FILE --model DIR) is required");
  return parseJobSpec(fs.readFileSync(file, "utf8"));
}

/** A price per unit in tokens, and for an llm-inference job per 1,000 tokens (a unit is a token). */
function priceText(spec: Pick<JobSpec, "kind">, perUnit: bigint, token: TokenInfo): string {
  const amount = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  return spec.kind === "llm-inference"
    ? `${amount(perThousandTokensFromPricePerUnit(perUnit))} per 1,000 tokens`
    : `${amount(perUnit)} per unit`;
}

function planText(plan: Plan, operatorsRead: number, spec: JobSpec, token: TokenInfo): string {
  const unit = spec.kind === "llm-inference" ? "tokens" : "units";
  const amount = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  const rows = plan.shards.map((s) => [
    String(s.shard),
    formatAddress(s.operator),
    `[${s.start}, ${s.end})`,
    String(s.items),
    String(s.units),
    amount(s.cost),
    secondsText(s.seconds),
  ]);
  const head = ["shard", "operator", "range", "items", unit, "cost", "time"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    "  " + r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const lines = [
    `${plan.objective} plan: ${plan.shards.length} shard(s) from ${operatorsRead} operator(s) read`,
    `  estimated cost ${amount(plan.cost)}, done in about ${secondsText(plan.makespanSec)}` +
      ` (relaxed optimum ${secondsText(plan.relaxed.makespanSec)}, ${amount(BigInt(Math.ceil(plan.relaxed.cost)))}${plan.exact ? ", exact" : ", best of pools"})`,
    `  escrow ${amount(plan.escrow)} (at most ${plan.maxUnitsPerShard} ${unit} per shard; the unused escrow is refunded)`,
    line(head),
    ...rows.map(line),
    "  why:",
  ];
  for (const d of plan.decisions) lines.push(`    ${decisionText(d, plan, token)}`);
  if (plan.liveness === "unknown")
    lines.push("  liveness: unknown (no oracle given: --oracle URL or RIGEL_ORACLE_URLS leave offline operators out)");
  return lines.join("\n");
}

async function send(conn: Connection, request: WriteRequest): Promise<Hex> {
  return (await sendTx(conn, request)).transactionHash;
}

async function defaultConfirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError("RIGEL_JOB_CONFIRM", "no terminal to confirm on: pass --yes to create the job without asking");
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The `rigel job` commands, bound to `deps`. */
export function jobCommands(deps: JobCliDeps = {}): CommandSpec[] {
  const plan = defineCommand({
    name: "plan",
    summary: "choose operators and split a job's work across them (reads the chain, sends nothing)",
    args: "[SPEC.json]",
    flags: { ...CONNECTION_FLAGS, ...PLAN_FLAGS, ...LLM_SPEC_FLAGS },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, false);
      const spec = readSpec(positionals[0], flags);
      const token = await readTokenInfo(conn.publicClient, paymentTokenOf(conn, flags));
      const { plan: planned, operatorsRead } = await planFromChain(conn, spec, flags, token, deps.env);
      // llm-inference: each shard's exact token bound, not the heaviest prompt's repeated.
      const p = exactTokenPlan(spec, planned, maxPriceOf(flags, spec, token));
      out.result(flags.json ? toJson({ plan: p, split: p.split, token }) : planText(p, operatorsRead, spec, token));
    },
  });

  const submit = defineCommand({
    name: "submit",
    summary: "create a job: escrow from your wallet, the spec on-chain as a data: URI unless --spec-uri",
    args: "[SPEC.json]",
    flags: {
      ...CONNECTION_FLAGS,
      ...PLAN_FLAGS,
      ...LLM_SPEC_FLAGS,
      plan: { type: "boolean", description: "assign operators and uneven ranges from the planner" },
      shards: { type: "string", value: "N", description: "shards of an even split (without --plan)", default: "1" },
      "max-units": { type: "string", value: "N", description: "max units per shard (default: from the spec)" },
      operators: {
        type: "string",
        value: "ADDR,…",
        description: "assign shard i of an even split to the i-th operator (one per shard; without --plan)",
      },
      deadline: {
        type: "string",
        value: "SECONDS",
        description: "seconds from now to accept and submit",
        default: "86400",
      },
      gang: {
        type: "string",
        value: "SECONDS",
        description: "a gang job: every shard accepted within SECONDS, then all start",
      },
      "spec-uri": { type: "string", value: "URI", description: "where the spec lives (default: a data: URI)" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const spec = readSpec(positionals[0], flags);
      const token = paymentTokenOf(conn, flags);
      const tokenInfo = await readTokenInfo(conn.publicClient, token);
      const maxPrice = maxPriceOf(flags, spec, tokenInfo);
      const now = (await conn.publicClient.getBlock()).timestamp;
      const job: JobParamsForSpecParameters = {
        spec,
        paymentToken: token,
        maxPricePerUnit: maxPrice,
        minVramMiB: numberFlag(flags.vram, "vram") ?? 0,
        minOpsPerSec: BigInt(numberFlag(flags["min-ops"], "min-ops") ?? 0),
        deadline: now + BigInt(numberFlag(flags.deadline, "deadline") ?? 86_400),
        specURI: flags["spec-uri"],
      };
      let planned: Plan | undefined;
      if (flags.plan) {
        const fromChain = await planFromChain(conn, spec, flags, tokenInfo, deps.env);
        // llm-inference: each shard's exact token bound, not the heaviest prompt's repeated.
        const p = exactTokenPlan(spec, fromChain.plan, maxPrice);
        const operatorsRead = fromChain.operatorsRead;
        planned = p;
        job.plan = p;
        if (!flags.json) out.info(planText(p, operatorsRead, spec, tokenInfo));
      } else {
        job.shards = numberFlag(flags.shards, "shards") ?? 1;
        job.maxUnitsPerShard = bigintFlag(flags["max-units"], "max-units");
        if (job.maxUnitsPerShard === undefined && spec.kind === "container") {
          throw new UsageError("RIGEL_JOB_MAX_UNITS", "container jobs are metered in GPU-seconds: pass --max-units");
        }
        if (flags.operators) {
          job.shardOperators = flags.operators.split(",").map((a) => getAddress(a.trim()));
          if (job.shardOperators.length !== job.shards) {
            throw new UsageError(
              "RIGEL_JOB_OPERATORS",
              `--operators names ${job.shardOperators.length} operator(s) for ${job.shards} shard(s)`,
            );
          }
        }
      }
      let built;
      try {
        built = jobParamsForSpec(job);
      } catch (err) {
        if (err instanceof JobParamsError) throw new UsageError("RIGEL_JOB_BAD_JOB", err.message);
        throw err;
      }
      const { params, escrow } = built;
      const estimate = planned?.cost ?? escrow;
      const amount = (v: bigint) => formatTokenAmount(v, tokenInfo.decimals, tokenInfo.symbol);
      const summary =
        `job: ${spec.kind}, ${params.shards} shard(s) × at most ${params.maxUnitsPerShard} ${spec.kind === "llm-inference" ? "tokens" : "units"}` +
        ` × ${priceText(spec, params.maxPricePerUnit, tokenInfo)}, escrow ${amount(escrow)}` +
        ` (token ${formatAddress(token)}), estimated cost at most ${amount(estimate)}, deadline ${formatDate(job.deadline)}`;
      if (!flags.yes) {
        const ok = await (deps.confirm ?? defaultConfirm)(`${summary}. Create it?`);
        if (!ok) {
          out.error("not created");
          return 1;
        }
      } else if (!flags.json) out.info(summary);
      const gang = numberFlag(flags.gang, "gang");
      const created = await createJob(
        { publicClient: conn.publicClient, walletClient: conn.walletClient! },
        {
          ...job,
          market: conn.deployment.contracts.JobMarket,
          gang:
            gang === undefined
              ? undefined
              : { acceptDeadline: (await conn.publicClient.getBlock()).timestamp + BigInt(gang) },
        },
      );
      const result = {
        jobId: created.jobId,
        transaction: created.hash,
        shards: params.shards,
        maxUnitsPerShard: params.maxUnitsPerShard,
        maxPricePerUnit: params.maxPricePerUnit,
        ...(spec.kind === "llm-inference"
          ? { maxPricePer1kTokens: perThousandTokensFromPricePerUnit(params.maxPricePerUnit) }
          : {}),
        escrow,
        specHash: params.specHash,
        split: created.spec.split ?? null,
        operators: params.shardOperators,
        gang: gang !== undefined,
        paymentToken: token,
        deadline: job.deadline,
      };
      out.result(
        flags.json
          ? toJson(result)
          : `created job ${created.jobId}: escrow ${amount(escrow)} (transaction ${created.hash})\n` +
              `follow it: rigel job status ${created.jobId} --watch`,
      );
    },
  });

  const specCommand = defineCommand({
    name: "spec",
    summary: "print the llm-inference spec that --prompts FILE --model DIR … make (canonical JSON), to save and submit",
    flags: { ...LLM_SPEC_FLAGS },
    async run({ flags, out }) {
      if (flags.prompts === undefined)
        throw new UsageError("RIGEL_JOB_NO_SPEC", "--prompts FILE --model DIR are required");
      out.result(hashJobSpec(readSpec(undefined, flags)).canonical);
    },
  });

  const cancel = defineCommand({
    name: "cancel",
    summary: "cancel every open shard of your job and get their escrow back",
    args: "JOB_ID",
    flags: { ...CONNECTION_FLAGS },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const hash = await send(conn, {
        address: conn.deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        functionName: "cancel",
        args: [jobId],
        account: conn.account!,
        chain: conn.walletClient!.chain,
      });
      out.result(
        flags.json ? toJson({ jobId, transaction: hash }) : `cancelled the open shards of job ${jobId} (${hash})`,
      );
    },
  });

  const expire = defineCommand({
    name: "expire",
    summary: "expire the shards of a job that are past their deadline or verify window (refunds)",
    args: "JOB_ID",
    flags: { ...CONNECTION_FLAGS, shard: { type: "string", value: "N", description: "only this shard" } },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const s = await jobStatus(conn, jobId);
      const only = numberFlag(flags.shard, "shard");
      const expired: { shard: number; transaction: Hex }[] = [];
      for (const sh of s.shards) {
        if (only !== undefined && sh.shard !== only) continue;
        if (!expirable({ job: s, shard: sh, now: s.timestamp })) continue;
        const hash = await send(conn, {
          address: conn.deployment.contracts.JobMarket,
          abi: jobMarketAbi,
          functionName: "expire",
          args: [jobId, sh.shard],
          account: conn.account!,
          chain: conn.walletClient!.chain,
        });
        expired.push({ shard: sh.shard, transaction: hash });
      }
      out.result(flags.json ? toJson({ jobId, expired }) : `expired ${expired.length} shard(s) of job ${jobId}`);
    },
  });

  const release = defineCommand({
    name: "release",
    summary: "release a gang job that did not start by its accept deadline (refund, collateral back)",
    args: "JOB_ID",
    flags: { ...CONNECTION_FLAGS },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, true);
      const jobId = jobIdArg(positionals);
      const hash = await send(conn, {
        address: conn.deployment.contracts.JobMarket,
        abi: jobMarketAbi,
        functionName: "releaseGang",
        args: [jobId],
        account: conn.account!,
        chain: conn.walletClient!.chain,
      });
      out.result(flags.json ? toJson({ jobId, transaction: hash }) : `released gang job ${jobId} (${hash})`);
    },
  });

  return [
    initCommand(),
    plan,
    submit,
    specCommand,
    statusCommand(deps),
    listCommand(deps),
    resultsCommand(deps),
    logsCommand(deps),
    cancel,
    expire,
    refundCommand(deps),
    withdrawCommand(deps),
    release,
  ] as CommandSpec[];
}

/** `rigel job <command> [flags]`: returns the exit code. */
export async function main(argv: string[], deps: JobCliDeps = {}, out?: CliOutput): Promise<number> {
  return runCli({
    program: "rigel job",
    summary: "A developer's jobs on the Rigel market.",
    commands: jobCommands(deps),
    argv,
    out,
  });
}

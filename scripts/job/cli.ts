// `rigel job ...`: a developer's jobs from the command line — plan, submit, status, results, cancel,
// expire, refund, release (gang jobs). Every command takes --json; see `rigel job <command> --help`.
import fs from "node:fs";
import readline from "node:readline/promises";
import { erc20Abi, getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { defineCommand, runCli, UsageError, type CliOutput, type CommandSpec } from "../../sdk/cli/commands";
import { jobMarketAbi } from "../../sdk/contracts/abis";
import { specWithPlan } from "../../sdk/planner/plannerJobForSpec";
import type { Plan } from "../../sdk/planner/types";
import { jobSpecDataUri } from "../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";
import { matmulUnits, shardWorkRange } from "../../sdk/spec/shardWork";
import { CONNECTION_FLAGS, connect, type Connection, type JobCliDeps } from "./connect";
import { jobIdArg, sendTx, toJson, type WriteRequest } from "./commandHelpers";
import { FINAL, readStatus, type JobStatus } from "./jobStatus";
import { bigintFlag, numberFlag, paymentTokenOf, PLAN_FLAGS, planFromChain } from "./planFromChain";
import { refundCommand } from "./refundCommand";
import { resultsCommand } from "./resultsCommand";

function readSpec(file: string | undefined): JobSpec {
  if (!file) throw new UsageError("RIGEL_JOB_NO_SPEC", "the spec file is required");
  return parseJobSpec(fs.readFileSync(file, "utf8"));
}

function planText(plan: Plan, operatorsRead: number): string {
  const lines = [
    `${plan.objective} plan: ${plan.shards.length} shard(s) from ${operatorsRead} operator(s) read`,
    `  estimated cost ${plan.cost}, makespan ~${plan.makespanSec.toFixed(1)} s` +
      ` (relaxed optimum ${plan.relaxed.makespanSec.toFixed(1)} s, ${Math.ceil(plan.relaxed.cost)}${plan.exact ? ", exact" : ", best of pools"})`,
    `  escrow ${plan.escrow} (max ${plan.maxUnitsPerShard} units per shard; unused escrow is refunded)`,
    "  shard  operator                                    range            items  units  cost  est. s",
  ];
  for (const s of plan.shards) {
    lines.push(
      `  ${String(s.shard).padEnd(6)} ${s.operator}  [${s.start}, ${s.end})`.padEnd(78) +
        ` ${String(s.items).padStart(6)} ${String(s.units).padStart(6)} ${String(s.cost).padStart(5)} ${s.seconds.toFixed(1).padStart(7)}`,
    );
  }
  lines.push("  why:");
  for (const d of plan.decisions)
    lines.push(`    ${d.address} ${d.taken ? "TAKEN" : "left out"} (${d.code}): ${d.reason}`);
  return lines.join("\n");
}

async function send(conn: Connection, request: WriteRequest): Promise<Hex> {
  return (await sendTx(conn, request)).transactionHash;
}

async function defaultConfirm(question: string): Promise<boolean> {
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
    args: "SPEC.json",
    flags: { ...CONNECTION_FLAGS, ...PLAN_FLAGS },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, false);
      const spec = readSpec(positionals[0]);
      const { plan: p, operatorsRead } = await planFromChain(conn, spec, flags);
      out.result(flags.json ? toJson({ plan: p, split: p.split }) : planText(p, operatorsRead));
    },
  });

  const submit = defineCommand({
    name: "submit",
    summary: "create a job: escrow from your wallet, the spec on-chain as a data: URI unless --spec-uri",
    args: "SPEC.json",
    flags: {
      ...CONNECTION_FLAGS,
      ...PLAN_FLAGS,
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
      let spec = readSpec(positionals[0]);
      const token = paymentTokenOf(conn, flags);
      const maxPrice = bigintFlag(flags["max-price"], "max-price");
      if (maxPrice === undefined) throw new UsageError("RIGEL_JOB_NO_PRICE", "--max-price is required");
      let shards: number;
      let maxUnits: bigint;
      let operators: Address[] = [];
      let planned: Plan | undefined;
      const minOps = BigInt(numberFlag(flags["min-ops"], "min-ops") ?? 0);
      if (flags.plan) {
        const { plan: p, operatorsRead } = await planFromChain(conn, spec, flags);
        planned = p;
        spec = parseJobSpec(specWithPlan(spec, p));
        shards = p.shards.length;
        maxUnits = p.maxUnitsPerShard;
        operators = p.shards.map((s) => s.operator as Address);
        if (!flags.json) out.info(planText(p, operatorsRead));
      } else {
        shards = numberFlag(flags.shards, "shards") ?? 1;
        maxUnits = bigintFlag(flags["max-units"], "max-units") ?? largestShardUnits(spec, shards);
        if (flags.operators) {
          operators = flags.operators.split(",").map((a) => getAddress(a.trim()));
          if (operators.length !== shards) {
            throw new UsageError(
              "RIGEL_JOB_OPERATORS",
              `--operators names ${operators.length} operator(s) for ${shards} shard(s)`,
            );
          }
        }
      }
      const deadline = BigInt(
        Number((await conn.publicClient.getBlock()).timestamp) + (numberFlag(flags.deadline, "deadline") ?? 86_400),
      );
      const specUri = flags["spec-uri"] ?? jobSpecDataUri(spec);
      const escrow = BigInt(shards) * maxUnits * maxPrice;
      const estimate = planned?.cost ?? escrow;
      const summary = `job: ${spec.kind}, ${shards} shard(s), escrow ${escrow} of token ${token}, estimated cost ≤ ${estimate}`;
      if (!flags.yes) {
        const ok = await (deps.confirm ?? defaultConfirm)(`${summary}. Create it?`);
        if (!ok) {
          out.error("not created");
          return 1;
        }
      } else if (!flags.json) out.info(summary);
      const market = conn.deployment.contracts.JobMarket;
      const owner = conn.account?.address as Address;
      const allowance = await conn.publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "allowance",
        args: [owner, market],
      });
      if (allowance < escrow) {
        await sendTx(conn, {
          address: token,
          abi: erc20Abi,
          functionName: "approve",
          args: [market, escrow],
          account: conn.account!,
          chain: conn.walletClient!.chain,
        });
      }
      const params = {
        paymentToken: token,
        kind: spec.kind === "matmul-int8" ? 0 : 1,
        verificationMode: spec.kind === "container" && spec.verification === "receipt" ? 1 : 0,
        shards,
        maxUnitsPerShard: maxUnits,
        maxPricePerUnit: maxPrice,
        minVramMiB: numberFlag(flags.vram, "vram") ?? 0,
        minOpsPerSec: minOps,
        deadline,
        specHash: hashJobSpec(spec).hash,
        specURI: specUri,
        shardOperators: operators,
      } as const;
      const gang = numberFlag(flags.gang, "gang");
      const receipt =
        gang === undefined
          ? await sendTx(conn, {
              address: market,
              abi: jobMarketAbi,
              functionName: "createJob",
              args: [params],
              account: conn.account!,
              chain: conn.walletClient!.chain,
            })
          : await sendTx(conn, {
              address: market,
              abi: jobMarketAbi,
              functionName: "createGangJob",
              args: [params, BigInt(Number((await conn.publicClient.getBlock()).timestamp) + gang)],
              account: conn.account!,
              chain: conn.walletClient!.chain,
            });
      const created = parseEventLogs({ abi: jobMarketAbi, eventName: "JobCreated", logs: receipt.logs });
      if (created.length !== 1)
        throw new UsageError("RIGEL_JOB_NO_EVENT", "the transaction emitted no JobCreated event");
      const jobId = created[0].args.jobId;
      const hash = receipt.transactionHash;
      const result = {
        jobId,
        transaction: hash,
        shards,
        maxUnitsPerShard: maxUnits,
        escrow,
        specHash: params.specHash,
        split: spec.split ?? null,
        operators,
        gang: gang !== undefined,
      };
      out.result(flags.json ? toJson(result) : `created job ${jobId} (${hash})`);
    },
  });

  const status = defineCommand({
    name: "status",
    summary: "a job's shards and their progress (--watch to follow until every shard is final)",
    args: "JOB_ID",
    flags: {
      ...CONNECTION_FLAGS,
      watch: { type: "boolean", description: "poll until every shard is final" },
      interval: { type: "string", value: "MS", description: "poll interval for --watch", default: "2000" },
    },
    async run({ flags, positionals, out }) {
      const conn = await connect(flags, deps, false);
      const jobId = jobIdArg(positionals);
      let last = "";
      for (;;) {
        const s = await readStatus(conn, jobId);
        const text = flags.json ? toJson(s) : statusText(s);
        if (text !== last) out.result(text);
        last = text;
        if (!flags.watch || s.shards.every((x) => FINAL.has(x.state))) return;
        await (deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(
          numberFlag(flags.interval, "interval") ?? 2000,
        );
      }
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
      const s = await readStatus(conn, jobId);
      const only = numberFlag(flags.shard, "shard");
      const now = Number((await conn.publicClient.getBlock()).timestamp);
      const expired: { shard: number; transaction: Hex }[] = [];
      for (const sh of s.shards) {
        if (only !== undefined && sh.shard !== only) continue;
        const due =
          (sh.state === 1 && now > Number(s.deadline) && (!s.gang || s.gang.startedAt > 0n)) ||
          (sh.state === 2 && now > Number(sh.submittedAt) + Number(s.verifyWindow));
        if (!due) continue;
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

  return [plan, submit, status, resultsCommand(deps), cancel, expire, refundCommand(deps), release] as CommandSpec[];
}

/** Units of the largest shard of an even split: matmul from the spec; container jobs need --max-units. */
function largestShardUnits(spec: JobSpec, shards: number): bigint {
  if (spec.kind !== "matmul-int8") {
    throw new UsageError("RIGEL_JOB_MAX_UNITS", "container jobs are metered in GPU-seconds: pass --max-units");
  }
  let max = 0n;
  for (let i = 0; i < shards; i++) {
    const r = shardWorkRange(spec, shards, i)!;
    const u = matmulUnits(r.end - r.start, spec.n, spec.k);
    if (u > max) max = u;
  }
  return max;
}

function statusText(s: JobStatus): string {
  const done = s.shards.filter((x) => FINAL.has(x.state)).length;
  const lines = [
    `job ${s.jobId}: ${done}/${s.shards.length} shard(s) final, escrow left ${s.escrow}, deadline ${s.deadline}`,
  ];
  if (s.gang) {
    lines.push(
      s.gang.startedAt > 0n
        ? `  gang started at ${s.gang.startedAt}`
        : `  gang: ${s.gang.accepted}/${s.shards.length} accepted, accept deadline ${s.gang.acceptDeadline}${s.gang.released ? ", released" : ""}`,
    );
  }
  for (const x of s.shards) {
    const who =
      x.state === 0
        ? x.assigned === "0x0000000000000000000000000000000000000000"
          ? "anyone"
          : `for ${x.assigned}`
        : x.operator;
    lines.push(`  shard ${x.shard}: ${x.stateName}${x.units > 0n ? ` (${x.units} units)` : ""} ${who}`);
  }
  return lines.join("\n");
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

// `npm run load`: a bounded load run on 127.0.0.1 (scripts/load/runLoad.ts does the work). Prints
// progress lines, then throughput, create→settle percentiles, final states, LOST and the
// conservation check; exits 1 when anything is lost or conservation fails, 2 on a usage error.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stopChildGroups } from "./lib/childGroups";
import { CHAIN_KINDS, type ChainKind } from "./lib/localNode";
import { LOAD_DEFAULTS, runLoad, type LoadOptions, type LoadResult } from "./load/runLoad";

const HELP = `Usage: npm run load -- [options]

Starts a local network (a chain node, 3 oracles 2-of-3, agents) on 127.0.0.1, creates single-shard
matmul-int8 jobs in batches at a steady pace, waits for every shard to be final, and prints shards
settled per minute, p50/p99 create→settle (wall clock at observation), final states, LOST (must be 0)
and a conservation check. Stops every process it started, also when interrupted (Ctrl-C or
SIGTERM: exit 130).

Options:
  --jobs N          jobs (one shard each)                       (default ${LOAD_DEFAULTS.jobs})
  --agents N        agents                                      (default ${LOAD_DEFAULTS.agents})
  --size N          m = n = k of each job                       (default ${LOAD_DEFAULTS.size})
  --developers N    developer accounts creating jobs            (default ${LOAD_DEFAULTS.developers})
  --batch N         jobs per batch                              (default ${LOAD_DEFAULTS.batch})
  --interval-ms MS  period between batch starts                 (default ${LOAD_DEFAULTS.intervalMs})
  --no-assign       leave shards unassigned (every agent races for every shard)
  --cpu-slots N     concurrent shards per agent                 (default ${LOAD_DEFAULTS.cpuSlots})
  --no-batching     every shard accepted, submitted and settled alone (no submitMany, acceptAndSubmit
                    or settleVerdicts batches): the pre-issue-20 path, for comparison
  --batch-delay-ms MS  longest a shard waits for a submission or verdict batch  (default ${LOAD_DEFAULTS.batchDelayMs})
  --chain C         the chain's node: anvil (Foundry's, from npm @foundry-rs/anvil) or hardhat
                    (\`hardhat node\`, which traces every EVM step: ~8× the node's CPU)  (default ${LOAD_DEFAULTS.chain})
  --mining M        auto (a block per transaction) or an interval in ms (whole seconds on anvil)
                                                                (default ${LOAD_DEFAULTS.miningIntervalMs > 0 ? LOAD_DEFAULTS.miningIntervalMs : "auto"})
  --block-clock     with --chain hardhat: each automined block a second after the last (Hardhat's
                    default: the chain clock runs ahead under load); default: the chain clock keeps
                    to the wall clock (anvil always does)
  --admission-concurrency N  offers each agent decides side by side  (default ${LOAD_DEFAULTS.admissionConcurrency})
  --claim-every-oracle  agents claim and prove at all three oracles at once (default: the first two,
                    the relay first, and the third only when those give no quorum)
  --rpc-stats       count the agents', oracles' and the load's own JSON-RPC calls per job, by method and
                    eth_call function (proxies on port+8, +9, +10)
  --timeout-s S     give up this long after the last create     (default ${LOAD_DEFAULTS.timeoutMs / 1000})
  --port P          chain port; oracles P+1..3, agents P+11..    (default ${LOAD_DEFAULTS.port})
  --work-dir DIR    logs and service data                       (default $TMPDIR/rigel-load)
  --log-level L     the services' log level: trace|debug|info|warn|error   (default warn)
  --oracle-log-level L  the oracles' log level only (e.g. info: every relay batch and its timing)
  --json            print the result as JSON (progress goes to stderr)
  -h, --help`;

const int = (v: string | undefined, name: string, fallback: number, min = 1): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, not "${v}"`);
  return n;
};

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"];
const logLevelOf = (v: string | undefined): string | undefined => {
  if (v !== undefined && !LOG_LEVELS.includes(v))
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  return v;
};

/** `--mining auto` (0) or an interval of at least 50 ms. */
const miningOf = (v: string | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  if (v === "auto") return 0;
  return int(v, "mining", fallback, 50);
};

export function parseLoadArgs(argv: string[]): (Omit<LoadOptions, "log"> & { json: boolean }) | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      jobs: { type: "string" },
      agents: { type: "string" },
      size: { type: "string" },
      developers: { type: "string" },
      batch: { type: "string" },
      "interval-ms": { type: "string" },
      "cpu-slots": { type: "string" },
      "timeout-s": { type: "string" },
      port: { type: "string" },
      "work-dir": { type: "string" },
      json: { type: "boolean", default: false },
      "log-level": { type: "string" },
      "oracle-log-level": { type: "string" },
      "no-assign": { type: "boolean", default: false },
      "no-batching": { type: "boolean", default: false },
      "batch-delay-ms": { type: "string" },
      mining: { type: "string" },
      chain: { type: "string" },
      "admission-concurrency": { type: "string" },
      "rpc-stats": { type: "boolean", default: false },
      "block-clock": { type: "boolean", default: false },
      "claim-every-oracle": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const d = LOAD_DEFAULTS;
  const chain = (values.chain ?? d.chain) as ChainKind;
  if (!CHAIN_KINDS.includes(chain))
    throw new Error(`--chain must be one of ${CHAIN_KINDS.join(", ")}, not "${values.chain}"`);
  if (values["block-clock"] && chain !== "hardhat") throw new Error("--block-clock needs --chain hardhat");
  const miningIntervalMs = miningOf(values.mining, d.miningIntervalMs);
  // Anvil's evm_setIntervalMining takes whole seconds (Hardhat's, milliseconds).
  if (chain === "anvil" && miningIntervalMs % 1000 !== 0)
    throw new Error(`--mining with --chain anvil takes whole seconds (1000, 2000, …), not ${miningIntervalMs} ms`);
  return {
    jobs: int(values.jobs, "jobs", d.jobs),
    agents: int(values.agents, "agents", d.agents),
    size: int(values.size, "size", d.size, 8),
    developers: int(values.developers, "developers", d.developers),
    batch: int(values.batch, "batch", d.batch),
    intervalMs: int(values["interval-ms"], "interval-ms", d.intervalMs, 0),
    cpuSlots: int(values["cpu-slots"], "cpu-slots", d.cpuSlots),
    timeoutMs: int(values["timeout-s"], "timeout-s", d.timeoutMs / 1000) * 1000,
    port: int(values.port, "port", d.port, 1024),
    pollMs: d.pollMs,
    assign: !values["no-assign"],
    batching: !values["no-batching"],
    batchDelayMs: int(values["batch-delay-ms"], "batch-delay-ms", d.batchDelayMs, 0),
    miningIntervalMs,
    chain,
    wallClock: !values["block-clock"],
    claimFirstQuorum: !values["claim-every-oracle"],
    admissionConcurrency: int(values["admission-concurrency"], "admission-concurrency", d.admissionConcurrency),
    rpcStats: values["rpc-stats"] ?? false,
    logLevel: logLevelOf(values["log-level"]),
    oracleLogLevel: logLevelOf(values["oracle-log-level"]),
    workDir: path.resolve(values["work-dir"] ?? path.join(os.tmpdir(), "rigel-load")),
    json: values.json ?? false,
  };
}

export function loadReport(r: LoadResult): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
  return [
    `jobs ${r.jobs}, shards ${r.shards}`,
    `final states: ${Object.entries(r.states)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `timing: ${f(r.runSeconds)} s from the first create to the last final shard; creating took ${f(r.submitSeconds)} s`,
    `create→settle (wall clock at observation): p50 ${f(r.createToSettle.p50)} s, p99 ${f(r.createToSettle.p99)} s, max ${f(r.createToSettle.max)} s`,
    `phases (p50 / p95 s, n): ${r.phases.map((p) => `${p.phase} ${f(p.p50)} / ${f(p.p95)} (${p.n})`).join("; ")}`,
    `cpu seconds from the first create to the end: ${Object.entries(r.cpuSeconds)
      .map(([who, s]) => `${who} ${s.toFixed(1)}`)
      .join(", ")} (of ${f(r.runSeconds * os.cpus().length)} core-seconds)`,
    `chain clock ahead of the wall clock by ${f(r.chainDriftSeconds)} s at the end`,
    ...Object.entries(r.rpc ?? {}).map(([who, c]) => {
      const per = (n: number) => (r.jobs > 0 ? (n / r.jobs).toFixed(1) : "n/a");
      const top = Object.entries(c.byMethod)
        .slice(0, 6)
        .map(([m, n]) => `${m} ${per(n)}`)
        .join(", ");
      const calls = Object.entries(c.byFunction)
        .slice(0, 8)
        .map(([fn, n]) => `${fn} ${per(n)}`)
        .join(", ");
      return (
        `rpc ${who} per job: ${per(c.calls)} calls in ${per(c.requests)} HTTP requests (${top})` +
        (calls ? `; eth_call by function: ${calls}` : "")
      );
    }),
    `conservation: ${r.conservation.ok ? "ok" : `FAILED: ${r.conservation.problems.join("; ")}`}`,
    `settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
    `LOST: ${r.lost}${r.lostDetail.length ? ` (${r.lostDetail.slice(0, 10).join("; ")}${r.lostDetail.length > 10 ? "; …" : ""})` : ""}`,
    // The last line, always: what scripts and the issue's target read.
    `throughput: ${f(r.settledPerMinute)} shards settled per minute`,
  ].join("\n");
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof parseLoadArgs>;
  try {
    opts = parseLoadArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`load: ${(err as Error).message} (see --help)`);
    return 2;
  }
  if (opts === "help") {
    console.log(HELP);
    return 0;
  }
  const { json, ...rest } = opts;
  const t0 = Date.now();
  const say = (line: string) =>
    (json ? console.error : console.log)(`[load ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  say(`${rest.jobs} jobs of ${rest.size}³ through ${rest.agents} agents; logs in ${path.join(rest.workDir, "logs")}`);
  // Interrupted (Ctrl-C, or a SIGTERM from outside): stop the chain and every service it started,
  // then exit 130. Before, they kept running, holding their ports, after the load itself was gone.
  let stopping = false;
  const onInterrupt = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${sig}: stopping every process the load started`);
    void stopChildGroups().finally(() => process.exit(130));
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  const result = await runLoad({ ...rest, log: say });
  if (json) console.log(JSON.stringify(result, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v), 2));
  else console.log(loadReport(result));
  return result.lost === 0 && result.conservation.ok ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`load: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}

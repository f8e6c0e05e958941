// `npm run demo`: the whole network on one machine. A Hardhat node with the protocol deployed, a
// 2-of-3 oracle committee, three honest agents and one that cheats (two with inference), a developer
// who submits a planned multi-shard matmul job (a container job when a Docker engine answers, and
// language-model inference jobs when python3 with numpy runs), the cheats caught and slashed, a reward epoch rolled and claimed by an operator and a delegator; then a summary
// rebuilt from the chain and a conservation check. Everything it starts, it stops, on Ctrl-C too
// (each service runs in its own process group; the demo stops each group). With --keep the whole
// network (chain, oracles, agents) keeps running until Ctrl-C, and the command that opens the app
// against it is printed (scripts/demo/keep.ts). Run `npm run demo -- --help` for the options.
import path from "node:path";
import { parseArgs } from "node:util";
import type { Network } from "./lib/network";
import { stopChildGroups } from "./lib/childGroups";
import { keepBanner, keepNetwork, nextStopSignal } from "./demo/keep";
import { runDemo, type DemoOptions, type DemoResult } from "./demo/runDemo";
import { renderSummary } from "./demo/summary";

const root = path.resolve(__dirname, "..");

const HELP = `Usage: npm run demo -- [flags]

Runs the whole Rigel network on this machine and prints what happened.

Flags:
  --agents N        honest agents (default 3); one more agent cheats
  --shards N        shards of the planned matmul job (default 3)
  --jobs N          planned matmul jobs (default 1)
  --size N          m = n = k of each matmul job (default 256)
  --port N          the chain's port on 127.0.0.1 (default 8545); oracles N+1..N+3, agents N+11..
  --work-dir DIR    logs, databases and the deployment record (default .rigel-demo)
  --no-container    skip the container job even when Docker answers
  --no-inference    skip the inference jobs (they need python3 with numpy)
  --keep            keep the whole network (chain, oracles, agents, and the indexer on
                    http://127.0.0.1:42069/graphql) running until Ctrl-C and print the command
                    that opens the app against it
  -h, --help        this help`;

function options(argv: string[]): DemoOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: "string", default: "3" },
      shards: { type: "string", default: "3" },
      jobs: { type: "string", default: "1" },
      size: { type: "string", default: "256" },
      port: { type: "string", default: "8545" },
      "work-dir": { type: "string", default: ".rigel-demo" },
      "no-container": { type: "boolean", default: false },
      "no-inference": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const int = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
  return {
    agents: int("agents", values.agents!, 1, 8),
    shards: int("shards", values.shards!, 1, 16),
    jobs: int("jobs", values.jobs!, 1, 10),
    size: int("size", values.size!, 16, 4096),
    port: int("port", values.port!, 1024, 65000),
    workDir: path.resolve(root, values["work-dir"]!),
    container: !values["no-container"],
    inference: !values["no-inference"],
    keep: values.keep!,
  };
}

const started = Date.now();
function say(line: string): void {
  const s = Math.floor((Date.now() - started) / 1000);
  console.log(`[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}] ${line}`);
}

function report(result: DemoResult): void {
  console.log(`\n${renderSummary(result.summary, result.names)}\n`);
  console.log(result.conservation.ok ? "Conservation: ok" : "Conservation: FAILED");
  for (const f of result.conservation.facts) console.log(`  ${f}`);
  for (const p of result.conservation.problems) console.log(`  PROBLEM: ${p}`);
  if (result.containerSkipped) console.log(`\nContainer job: not run (${result.containerSkipped})`);
  if (result.inferenceSkipped) console.log(`\nInference jobs: not run (${result.inferenceSkipped})`);
  if (result.inference) {
    const { jobId, cheatedJobId, items, modelSeconds } = result.inference;
    console.log(
      `\nInference job ${jobId} (a 2-layer GPT-2 made in ${modelSeconds.toFixed(1)} s; job ${cheatedJobId} went to the cheater with half the layers):`,
    );
    for (const i of items) {
      console.log(
        `  #${i.index} ${JSON.stringify(i.prompt)} → ${JSON.stringify(i.text)} (${i.promptTokens} + ${i.generatedTokens} tokens)`,
      );
    }
  }
  console.log(
    `\nLogs: ${path.relative(process.cwd(), result.logsDir) || "."}/ (oracle-N.log, agent-N.log, cheater.log, cheater-llm.log, chain.log, deploy.log)`,
  );
}

/** The network once it runs: stopped on Ctrl-C whatever the demo is doing. */
let running: Network | undefined;
let stopping = false;

/** Stops every process the demo started: the network's services and chain, then any child group left. */
async function stopEverything(): Promise<void> {
  await running?.stop();
  await stopChildGroups();
}

/** Ctrl-C (or SIGTERM) before the demo's end: stop everything and exit 130. */
function onInterrupt(sig: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  say(`${sig}: stopping every process the demo started`);
  stopEverything().finally(() => process.exit(130));
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (!opts) return 0;
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  say(
    `Rigel demo: ${opts.agents} honest agents + cheaters, ${opts.jobs} matmul job(s) of ${opts.size}³ over up to ${opts.shards} shards` +
      `${opts.inference ? ", inference jobs on a small GPT-2" : ""}; work dir ${path.relative(process.cwd(), opts.workDir) || "."}`,
  );
  const result = await runDemo({ ...opts, onNetwork: (n) => (running = n) }, say);
  running = result.network;
  const keep = opts.keep && result.failures.length === 0;
  try {
    report(result);
  } catch (err) {
    await stopEverything();
    throw err;
  }
  if (result.failures.length > 0) {
    say("stopping every process the demo started");
    await stopEverything();
    say(`demo FAILED: ${result.failures.join("; ")}`);
    return 1;
  }
  say(
    `demo finished: every shard is final, the ${result.inference ? "cheats were" : "cheat was"} slashed, tokens are conserved`,
  );
  if (!keep) {
    say("stopping every process the demo started");
    await stopEverything();
    return 0;
  }
  const kept = await keepNetwork(result.network, opts.workDir, say);
  for (const line of keepBanner(kept)) console.log(line);
  // From here Ctrl-C is the normal end: wait for it, then stop everything and exit 0.
  process.off("SIGINT", onInterrupt);
  process.off("SIGTERM", onInterrupt);
  const stopSignal = nextStopSignal();
  say(
    `ready: the chain, ${result.network.oracles.length} oracles and ${result.network.agents.length} agents keep running until Ctrl-C`,
  );
  const sig = await stopSignal;
  stopping = true;
  say(`${sig}: stopping every process the demo started`);
  await Promise.all(kept.extras.map((s) => s.stop()));
  await stopEverything();
  say("stopped");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    // runDemo stopped its network; anything else still running goes too.
    void stopChildGroups().finally(() => process.exit(1));
  },
);

// `npm run demo`: the whole network on one machine. A Hardhat node with the protocol deployed, a
// 2-of-3 oracle committee, three honest agents and one that cheats (two with inference), a developer
// who submits a planned multi-shard matmul job (a container job when a Docker engine answers, and
// language-model inference jobs when python3 with numpy runs), the cheats caught and slashed, a reward epoch rolled and claimed by an operator and a delegator; then a summary
// rebuilt from the chain and a conservation check. Everything it starts, it stops (the chain stays
// only with --keep). Run `npm run demo -- --help` for the options.
import path from "node:path";
import { parseArgs } from "node:util";
import { runDemo, type DemoOptions, type DemoResult } from "./demo/runDemo";
import { renderSummary } from "./demo/summary";
import { startDemoIndexer } from "./indexer/demoIndexer";

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
  --keep            leave the chain running at the end (the app can connect to it), and start the
                    indexer beside it (http://127.0.0.1:42069/graphql)
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

function report(result: DemoResult, opts: DemoOptions): void {
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
  if (opts.keep && result.failures.length === 0) {
    const { devnet } = result.network;
    console.log(`\nThe chain keeps running (--keep): ${devnet.rpcUrl} (chainId ${devnet.deployment.chainId})`);
    console.log(`Deployment: ${devnet.deploymentFile}`);
    for (const [n, a] of Object.entries(devnet.deployment.contracts)) console.log(`  ${n.padEnd(20)} ${a}`);
    console.log(
      `Open the app against it: VITE_RIGEL_RPC_URL=${devnet.rpcUrl} RIGEL_DEPLOYMENT=${devnet.deploymentFile} npm run app`,
    );
    console.log(`Stop the chain: kill -- -${devnet.node.pid}`);
  }
}

/** --keep: the indexer runs beside the kept chain (PROTOCOL §21); a failure to start it is reported, not fatal. */
async function keepIndexer(result: DemoResult, opts: DemoOptions): Promise<void> {
  try {
    await startDemoIndexer(result.network.devnet, opts.workDir, say);
  } catch (err) {
    say(`the indexer did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (!opts) return 0;
  say(
    `Rigel demo: ${opts.agents} honest agents + cheaters, ${opts.jobs} matmul job(s) of ${opts.size}³ over up to ${opts.shards} shards` +
      `${opts.inference ? ", inference jobs on a small GPT-2" : ""}; work dir ${path.relative(process.cwd(), opts.workDir) || "."}`,
  );
  const result = await runDemo(opts, say);
  const keepChain = opts.keep && result.failures.length === 0;
  try {
    report(result, opts);
  } finally {
    say(keepChain ? "stopping the services (the chain keeps running)" : "stopping every process the demo started");
    await result.network.stop({ keepChain });
  }
  if (result.failures.length > 0) {
    say(`demo FAILED: ${result.failures.join("; ")}`);
    return 1;
  }
  if (keepChain) await keepIndexer(result, opts);
  say(
    `demo finished: every shard is final, the ${result.inference ? "cheats were" : "cheat was"} slashed, tokens are conserved`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

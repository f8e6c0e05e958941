#!/usr/bin/env node
// The `rigel` command: `rigel <part> <command> [flags]`, e.g. `rigel oracle start`,
// `rigel agent run`, `rigel job submit spec.json`. Each part is a TypeScript module exporting
// `main(argv: string[]): Promise<number>` (the exit code); it is loaded through ts-node
// (transpile only: `npm test` typechecks). `rigel --help` lists the parts; `rigel <part> --help`
// lists a part's commands.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/** Part name → [module path relative to the root, one-line summary]. */
const PARTS = {
  oracle: ["oracle/cli.ts", "run an oracle node of the committee"],
  agent: ["agent/cli.ts", "an operator's agent: keystore, stake, capacity, the job daemon, withdraw earnings"],
  job: ["developer/cli.ts", "a developer's jobs: plan, submit, status, list, results, cancel, refund, withdraw"],
  store: ["store/cli.ts", "the results store: keeps result files after settlement (PROTOCOL §18.8)"],
  infer: ["sdk/llm/inferCli.ts", "check language-model inference results by hand (verify)"],
};

function help() {
  const lines = ["Usage: rigel <part> <command> [flags]", "", "Parts:"];
  for (const [name, [, summary]] of Object.entries(PARTS)) lines.push(`  ${name.padEnd(8)} ${summary}`);
  lines.push("", "Run `rigel <part> --help` for a part's commands.");
  return lines.join("\n");
}

async function run(argv) {
  const [part, ...rest] = argv;
  if (!part || part === "--help" || part === "-h" || part === "help") {
    process.stdout.write(help() + "\n");
    return part ? 0 : 2;
  }
  const entry = PARTS[part];
  if (!entry) {
    process.stderr.write(`error: rigel has no part "${part}"\n\n${help()}\n`);
    return 2;
  }
  const file = path.join(root, entry[0]);
  if (!fs.existsSync(file)) {
    process.stderr.write(`error: ${part} is not built in this checkout (${entry[0]} is missing)\n`);
    return 1;
  }
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  const mod = require(file);
  if (typeof mod.main !== "function") {
    process.stderr.write(`error: ${entry[0]} does not export main(argv)\n`);
    return 1;
  }
  return mod.main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = typeof code === "number" ? code : 0;
  },
  (err) => {
    // Each part's main reports its own failures (sdk/cli/runCli); this is a failure to load one.
    const verbose = process.argv.includes("--verbose");
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    process.stderr.write(
      `error: ${message}\n${verbose && err instanceof Error ? err.stack : "(run again with --verbose for the details)"}\n`,
    );
    process.exitCode = 1;
  },
);

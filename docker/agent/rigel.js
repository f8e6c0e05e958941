#!/usr/bin/env node
// The `rigel` command of an operator install (scripts/install-agent.sh) and of the agent image: the
// compiled agent's CLI, `rigel agent <command> [flags]`. A checkout runs scripts/rigel.js instead.
"use strict";
const path = require("node:path");

const HELP = [
  "Usage: rigel agent <command> [flags]",
  "",
  "This install holds the operator agent only. Run `rigel agent --help` for its commands.",
].join("\n");

async function run([part, ...rest]) {
  if (part !== "agent") {
    process.stdout.write(HELP + "\n");
    return part === "--help" || part === "-h" || part === "help" ? 0 : 2;
  }
  const { main } = require(path.join(__dirname, "agent", "cli.js"));
  return main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = typeof code === "number" ? code : 0;
  },
  (err) => {
    process.stderr.write(`rigel: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

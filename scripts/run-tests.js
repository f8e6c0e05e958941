#!/usr/bin/env node
// The project's one test command (`npm test`). Runs every stage in order, streams its output, and
// ends with one summary line: `N passed, N failed`. A stage that is a single check (lint, types)
// counts as one test; a test runner's stage counts its own tests. Exits non-zero on any failure.
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/** @typedef {{ name: string, cmd: string, args: string[], parse?: (out: string) => {passed: number, failed: number} | null, env?: Record<string,string> }} Stage */

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");

/** Mocha's spec reporter: "  12 passing (3s)", "  1 failing", "  2 pending". */
function parseMocha(out) {
  const text = stripAnsi(out);
  const passing = text.match(/^\s*(\d+) passing/m);
  const failing = text.match(/^\s*(\d+) failing/m);
  if (!passing && !failing) return null;
  return { passed: passing ? Number(passing[1]) : 0, failed: failing ? Number(failing[1]) : 0 };
}

/** Python's unittest: "Ran 7 tests in 0.1s" then "OK" or "FAILED (failures=1, errors=2)". */
function parsePyUnittest(out) {
  const text = stripAnsi(out);
  const ran = text.match(/^Ran (\d+) tests? in/m);
  if (!ran) return null;
  const total = Number(ran[1]);
  const failedLine = text.match(/^FAILED \(([^)]*)\)/m);
  let failed = 0;
  if (failedLine) for (const m of failedLine[1].matchAll(/(?:failures|errors)=(\d+)/g)) failed += Number(m[1]);
  return { passed: total - failed, failed };
}

/** Vitest: " Tests  5 passed | 1 failed (6)". */
function parseVitest(out) {
  const text = stripAnsi(out);
  const line = text.match(/^\s*Tests\s+(.*)$/m);
  if (!line) return null;
  const passed = line[1].match(/(\d+) passed/);
  const failed = line[1].match(/(\d+) failed/);
  return { passed: passed ? Number(passed[1]) : 0, failed: failed ? Number(failed[1]) : 0 };
}

/** @type {Stage[]} */
const stages = [
  { name: "lint: solhint", cmd: bin("solhint"), args: ["--max-warnings", "0", "contracts/**/*.sol"] },
  { name: "lint: eslint", cmd: bin("eslint"), args: ["--max-warnings", "0", "."] },
  { name: "lint: prettier", cmd: bin("prettier"), args: ["--check", "."] },
  { name: "compile", cmd: bin("hardhat"), args: ["compile", "--quiet"] },
  { name: "abis up to date", cmd: "node", args: ["scripts/gen-abis.js", "--check"] },
  { name: "typecheck", cmd: bin("tsc"), args: ["--noEmit", "-p", "tsconfig.json"] },
  {
    name: "typecheck: app",
    cmd: bin("tsc"),
    args: ["--noEmit", "-p", "app/tsconfig.json"],
    optionalFile: "app/tsconfig.json",
  },
  {
    name: "gas snapshot",
    cmd: "node",
    args: ["scripts/gas-snapshot.js", "--check"],
    optionalFile: "scripts/gas-snapshot.js",
  },
  { name: "tests: mocha (contracts, sdk, services)", cmd: bin("hardhat"), args: ["test"], parse: parseMocha },
  {
    name: "tests: python",
    cmd: "python3",
    args: ["-m", "unittest", "discover", "-s", "sdk/python", "-p", "test_*.py"],
    parse: parsePyUnittest,
    optionalFile: "sdk/python",
  },
  {
    name: "tests: app (vitest)",
    cmd: bin("vitest"),
    args: ["run", "--root", "app"],
    parse: parseVitest,
    optionalFile: "app/vitest.config.ts",
  },
];

function runStage(stage) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stdout.write(`\n=== ${stage.name} ===\n`);
    const child = spawn(stage.cmd, stage.args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0", ...(stage.env || {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on("error", (err) => resolve({ code: 127, out: out + String(err), ms: Date.now() - started }));
    child.on("close", (code) => resolve({ code: code ?? 1, out, ms: Date.now() - started }));
  });
}

async function main() {
  const fs = require("node:fs");
  let passed = 0;
  let failed = 0;
  const rows = [];
  for (const stage of stages) {
    if (stage.optionalFile && !fs.existsSync(path.join(root, stage.optionalFile))) continue;
    const { code, out, ms } = await runStage(stage);
    let counts = stage.parse ? stage.parse(out) : null;
    if (!counts) counts = code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
    // A runner that crashed after reporting only passes still failed.
    if (code !== 0 && counts.failed === 0) counts = { passed: counts.passed, failed: 1 };
    passed += counts.passed;
    failed += counts.failed;
    rows.push({ stage: stage.name, passed: counts.passed, failed: counts.failed, seconds: (ms / 1000).toFixed(1) });
  }
  process.stdout.write("\n=== summary ===\n");
  for (const r of rows) {
    process.stdout.write(
      `${r.failed ? "FAIL" : "ok  "}  ${r.stage.padEnd(44)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds}s\n`,
    );
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.stdout.write("0 passed, 1 failed\n");
  process.exit(1);
});

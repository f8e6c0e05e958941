#!/usr/bin/env node
// The project's one test command (`npm test`). Runs every stage, several at once where they share
// nothing (the mocha phase as a few groups of test files in separate `hardhat test` processes),
// prints each stage's output in one piece when it ends, and ends with one summary line:
// `N passed, N failed`. A stage that is a single check (lint, types) counts as one test; a test
// runner's stage counts its own tests. Exits non-zero on any failure.
//
//   node scripts/run-tests.js                 everything (npm test)
//   node scripts/run-tests.js --mocha         the mocha groups only, compiled first
//   node scripts/run-tests.js --group NAME    one mocha group only (see --list), compiled first
//   node scripts/run-tests.js --list          the mocha groups and the files each one runs
//
// RIGEL_TEST_JOBS=N: stages run at once (default 3). RIGEL_TEST_STREAM=1: stream every stage's
// lines live, each prefixed with its stage, instead of printing each stage whole when it ends.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/**
 * The mocha phase's groups, run side by side, each in its own `hardhat test` process. A group is a
 * list of folders under test/ (every *.test.ts below them, at any depth, new ones included); every
 * test file must fall in exactly one group, or the run fails. Groups never share a fixed port
 * (test/README.md has the port map); Docker tests touch only their own containers, so they may run
 * side by side. Balanced by measured time: the e2e networks are the longest part, alone.
 */
const MOCHA_GROUPS = [
  { name: "e2e", dirs: ["test/e2e", "test/readme"] },
  { name: "agent+app", dirs: ["test/agent", "test/app", "test/store"] },
  {
    name: "contracts+sdk+oracle+cli",
    dirs: ["test/contracts", "test/sdk", "test/oracle", "test/scripts", "test/developer", "test/indexer"],
  },
];

/** @typedef {{ name: string, cmd: string, args: string[], parse?: (out: string) => {passed: number, failed: number} | null, env?: Record<string,string>, needs?: string[], optionalFile?: string }} Stage */

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

/** Every file under `dir` (repository-relative, sorted), skipping node_modules. */
function walk(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  const out = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") out.push(...walk(rel));
    } else out.push(rel);
  }
  return out.sort();
}

const isTestFile = (f) => /\.test\.(ts|js)$/.test(f);
const inDir = (file, dir) => file.startsWith(`${dir}/`);

/**
 * The files of each mocha group, and the problems that must fail the run: a test file in no group
 * (it would silently never run) or in two, and a file that declares tests without the `.test.ts`
 * name (`hardhat test` with no arguments ran every file under test/; the groups run *.test.ts only).
 */
function planMochaGroups() {
  const files = walk("test").filter((f) => /\.(ts|js|cjs|mjs)$/.test(f));
  const problems = [];
  const groups = MOCHA_GROUPS.map((g) => ({ ...g, files: [] }));
  for (const file of files) {
    if (!isTestFile(file)) {
      if (/^\s*(describe|it)(\.only|\.skip)?\(/m.test(fs.readFileSync(path.join(root, file), "utf8"))) {
        problems.push(`${file} declares tests but is not named *.test.ts: it would not run`);
      }
      continue;
    }
    const owners = groups.filter((g) => g.dirs.some((d) => inDir(file, d)));
    if (owners.length === 0) {
      problems.push(`${file} belongs to no mocha group: add its folder to MOCHA_GROUPS in scripts/run-tests.js`);
    } else if (owners.length > 1) {
      problems.push(`${file} belongs to several mocha groups (${owners.map((g) => g.name).join(", ")})`);
    } else owners[0].files.push(file);
  }
  return { groups: groups.filter((g) => g.files.length > 0), problems };
}

/** @returns {Stage[]} */
function allStages(mochaGroups) {
  return [
    { name: "compile", cmd: bin("hardhat"), args: ["compile", "--quiet"] },
    // The mocha groups first after the compile: they are the long part.
    ...mochaGroups.map((g) => ({
      name: `tests: mocha [${g.name}]`,
      cmd: bin("hardhat"),
      args: ["test", "--no-compile", ...g.files],
      parse: parseMocha,
      needs: ["compile"],
    })),
    { name: "typecheck", cmd: bin("tsc"), args: ["--noEmit", "-p", "tsconfig.json"], needs: ["compile"] },
    { name: "lint: eslint", cmd: bin("eslint"), args: ["--max-warnings", "0", "."] },
    { name: "lint: solhint", cmd: bin("solhint"), args: ["--max-warnings", "0", "contracts/**/*.sol"] },
    { name: "lint: prettier", cmd: bin("prettier"), args: ["--check", "."] },
    { name: "abis up to date", cmd: "node", args: ["scripts/gen-abis.js", "--check"], needs: ["compile"] },
    {
      name: "typecheck: app",
      cmd: bin("tsc"),
      args: ["--noEmit", "-p", "app/tsconfig.json"],
      optionalFile: "app/tsconfig.json",
    },
    {
      name: "typecheck: indexer",
      cmd: bin("tsc"),
      args: ["--noEmit", "-p", "indexer/tsconfig.json"],
      optionalFile: "indexer/tsconfig.json",
    },
    {
      name: "gas snapshot",
      cmd: "node",
      args: ["scripts/gas-snapshot.js", "--check"],
      optionalFile: "scripts/gas-snapshot.js",
      needs: ["compile"],
    },
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
  ].filter((s) => !s.optionalFile || fs.existsSync(path.join(root, s.optionalFile)));
}

const t0 = Date.now();
const clock = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
const stream = process.env.RIGEL_TEST_STREAM === "1";

/** Runs one stage; its output is printed whole when it ends (or streamed, prefixed, with RIGEL_TEST_STREAM=1). */
function runStage(stage) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stdout.write(`${clock()} started  ${stage.name}\n`);
    const child = spawn(stage.cmd, stage.args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0", ...(stage.env || {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let partial = "";
    const take = (d) => {
      out += d;
      if (!stream) return;
      const lines = (partial + d).split("\n");
      partial = lines.pop();
      for (const line of lines) process.stdout.write(`[${stage.name}] ${line}\n`);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const done = (code, extra = "") => {
      const ms = Date.now() - started;
      if (stream && partial) process.stdout.write(`[${stage.name}] ${partial}\n`);
      if (!stream) {
        process.stdout.write(`\n=== ${stage.name} (exit ${code}, ${(ms / 1000).toFixed(1)}s) ===\n`);
        process.stdout.write(out + extra + (out.endsWith("\n") || out === "" ? "" : "\n"));
        process.stdout.write(`=== end of ${stage.name} ===\n\n`);
      }
      process.stdout.write(`${clock()} finished ${stage.name}: exit ${code}\n`);
      resolve({ code, out: out + extra, ms });
    };
    child.on("error", (err) => done(127, String(err)));
    child.on("close", (code) => done(code ?? 1));
  });
}

/** Runs the stages, at most `jobs` at once, each once its `needs` have passed; in declared order. */
async function runAll(stages, jobs) {
  const results = new Map();
  const pending = [...stages];
  const running = new Set();
  return new Promise((resolve) => {
    const pump = () => {
      for (let i = 0; i < pending.length && running.size < jobs;) {
        const stage = pending[i];
        const needs = stage.needs || [];
        const failedNeed = needs.find((n) => results.has(n) && results.get(n).code !== 0);
        if (failedNeed) {
          pending.splice(i, 1);
          process.stdout.write(`${clock()} skipped  ${stage.name}: ${failedNeed} failed\n`);
          results.set(stage.name, { code: 1, out: `not run: ${failedNeed} failed`, ms: 0 });
          continue;
        }
        if (!needs.every((n) => results.has(n))) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        const task = runStage(stage).then((r) => {
          results.set(stage.name, r);
          running.delete(task);
          pump();
        });
        running.add(task);
      }
      if (pending.length === 0 && running.size === 0) resolve(results);
    };
    pump();
  });
}

/** How much of one failed stage's report the digest before the summary repeats. */
const DIGEST_CHARS = 4000;

/**
 * What a failed stage reported about its failures, for the digest printed just before the summary
 * (a CI log that keeps only its tail still names the failing tests): mocha's list after "N failing",
 * vitest's failed tests, or else the stage's last lines. At most DIGEST_CHARS characters.
 */
function failureDigest({ out }) {
  const text = stripAnsi(out);
  const mocha = text.match(/^\s*\d+ failing[\s\S]*/m);
  let digest;
  if (mocha) digest = mocha[0];
  else {
    const vitest = text.split("\n").filter((l) => /^\s*(FAIL|×|✗)\s/.test(l) || /AssertionError|Error:/.test(l));
    digest = vitest.length > 0 ? vitest.join("\n") : text.split("\n").slice(-30).join("\n");
  }
  digest = digest.trim();
  return digest.length > DIGEST_CHARS
    ? `${digest.slice(0, DIGEST_CHARS)}\n[... cut at ${DIGEST_CHARS} characters]`
    : digest;
}

function counts(stage, { code, out }) {
  let c = stage.parse ? stage.parse(out) : null;
  if (!c) c = code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  // A runner that crashed after reporting only passes still failed.
  if (code !== 0 && c.failed === 0) c = { passed: c.passed, failed: 1 };
  return c;
}

async function main() {
  const args = process.argv.slice(2);
  const { groups, problems } = planMochaGroups();
  if (args[0] === "--list") {
    for (const g of groups) process.stdout.write(`${g.name} (${g.dirs.join(", ")}):\n  ${g.files.join("\n  ")}\n`);
    for (const p of problems) process.stdout.write(`PROBLEM: ${p}\n`);
    process.exit(problems.length === 0 ? 0 : 1);
  }
  let stages = allStages(groups);
  if (args[0] === "--mocha") stages = stages.filter((s) => s.name === "compile" || s.name.startsWith("tests: mocha"));
  if (args[0] === "--group") {
    const name = `tests: mocha [${args[1]}]`;
    if (!stages.some((s) => s.name === name)) {
      console.error(`no mocha group ${args[1]}; groups: ${groups.map((g) => g.name).join(", ")}`);
      process.exit(2);
    }
    stages = stages.filter((s) => s.name === name || s.name === "compile");
  }
  const jobs = Math.max(1, Number(process.env.RIGEL_TEST_JOBS || 3));
  process.stdout.write(
    `${clock()} ${stages.length} stages, ${jobs} at once; mocha groups: ${groups.map((g) => `${g.name} (${g.files.length} files)`).join(", ")}\n`,
  );
  const results = await runAll(stages, jobs);

  for (const stage of stages) {
    const r = results.get(stage.name);
    if (counts(stage, r).failed === 0) continue;
    process.stdout.write(`\n=== failures of ${stage.name} ===\n${failureDigest(r)}\n`);
  }

  let passed = 0;
  let failed = 0;
  process.stdout.write("\n=== summary ===\n");
  if (problems.length > 0) {
    for (const p of problems) process.stdout.write(`FAIL  mocha groups: ${p}\n`);
    failed += problems.length;
  }
  for (const stage of stages) {
    const r = results.get(stage.name);
    const c = counts(stage, r);
    passed += c.passed;
    failed += c.failed;
    process.stdout.write(
      `${c.failed ? "FAIL" : "ok  "}  ${stage.name.padEnd(44)} ${String(c.passed).padStart(5)} passed ${String(c.failed).padStart(3)} failed  ${(r.ms / 1000).toFixed(1)}s\n`,
    );
  }
  process.stdout.write(`wall time ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.stdout.write("0 passed, 1 failed\n");
    process.exit(1);
  });
}

module.exports = { failureDigest, parseMocha, parseVitest, parsePyUnittest, DIGEST_CHARS };

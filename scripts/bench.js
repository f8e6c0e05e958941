#!/usr/bin/env node
// `npm run bench`: runs every benchmark suite of the project and prints one table; also writes it
// to docs/BENCHMARKS.md with the machine, date and commit. Each suite is a script under
// scripts/bench/ that writes its rows as JSON to $RIGEL_BENCH_OUT (see scripts/bench/rows.ts).
// scripts/bench/ also holds two standalone benchmarks that are not suites (agentPhases.ts,
// spread.ts: see their headers and scripts/README.md).
//   npm run bench                 every suite
//   npm run bench -- --quick      smaller sizes and fewer runs (under 3 minutes)
//   npm run bench -- --only gas,pow
//   npm run bench -- --no-write   print only
// Numbers that depend on the machine's speed are shown as a ratio against a reference measured in
// the same run. GPU figures come from committed JSON files in docs/gpu/ (a run on a GPU machine).
// What follows the marker line KEEP_MARKER in docs/BENCHMARKS.md (the load figures, written by hand)
// is kept by every run.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const tsNode = (file) => [bin("ts-node"), ["--transpile-only", file]];

/** name → [command, args, summary]. Suites run in this order. */
const SUITES = {
  gas: [bin("hardhat"), ["run", "scripts/bench/gas.ts"], "gas of a job's life, per step"],
  pow: [...tsNode("scripts/bench/pow.ts"), "CPU int8 kernel, verify/prove, Freivalds"],
  container: [...tsNode("scripts/bench/container.ts"), "container start overhead (needs Docker)"],
  oracle: [...tsNode("scripts/bench/oracle.ts"), "proofs an oracle verifies per second"],
  "oracle-http": [bin("hardhat"), ["run", "scripts/bench/oracleHttp.ts"], "POST /v1/proofs latency under load"],
  planner: [...tsNode("scripts/bench/planner.ts"), "planner makespan against even splits, and run time"],
  e2e: [...tsNode("scripts/bench/e2e.ts"), "load run: shards settled per minute, create→settle, agent event→accept"],
};

function parseArgs(argv) {
  const opts = { quick: false, only: undefined, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--no-write") opts.write = false;
    else if (a === "--only") opts.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (a === "--help" || a === "-h") {
      console.log(
        [
          "Usage: npm run bench -- [--quick] [--only SUITE,...] [--no-write]",
          "",
          "Runs every benchmark suite and prints one table (written to docs/BENCHMARKS.md).",
          "",
          "Suites:",
          ...Object.entries(SUITES).map(([n, s]) => `  ${n.padEnd(10)} ${s[2]}`),
        ].join("\n"),
      );
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${a} (see --help)`);
      process.exit(2);
    }
  }
  for (const name of opts.only ?? []) {
    if (!(name in SUITES)) {
      console.error(`bench: unknown suite ${name}; suites: ${Object.keys(SUITES).join(", ")}`);
      process.exit(2);
    }
  }
  return opts;
}

const fmt = (x) => {
  if (x === undefined || x === null || Number.isNaN(x)) return "";
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString("en-US");
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(2);
};

function table(rows) {
  const header = ["suite", "what", "median", "min", "max", "unit", "runs", "reference", "ratio"];
  const body = rows.map((r) => [
    r.group,
    r.name + (r.note ? ` (${r.note})` : ""),
    fmt(r.median),
    fmt(r.min),
    fmt(r.max),
    r.unit,
    String(r.runs),
    r.reference ? `${r.reference.label}: ${fmt(r.reference.value)} ${r.reference.unit}` : "",
    r.ratio === undefined ? "" : `${fmt(r.ratio)}×`,
  ]);
  return { header, body };
}

function plain({ header, body }) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

function markdown({ header, body }) {
  const esc = (c) => c.replace(/\|/g, "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...body.map((b) => `| ${b.map(esc).join(" | ")} |`),
  ].join("\n");
}

function gpuRows() {
  const dir = path.join(root, "docs", "gpu");
  if (!fs.existsSync(dir)) return [];
  const rows = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".json"))) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    for (const r of data.rows ?? []) rows.push({ ...r, group: "gpu", note: `${data.card}, ${data.date}` });
  }
  return rows;
}

/** Everything below this line of docs/BENCHMARKS.md is written by hand and kept by every run. */
const KEEP_MARKER = "<!-- Below this line: written by hand; npm run bench keeps it. -->";

function keptSection(file) {
  if (!fs.existsSync(file)) return "";
  const text = fs.readFileSync(file, "utf8");
  const at = text.indexOf(KEEP_MARKER);
  return at < 0 ? "" : text.slice(at + KEEP_MARKER.length).replace(/^\n/, "");
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" }).stdout.trim() !== "";
  return {
    cpu: `${cpu}, ${os.cpus().length} cores`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    commit: commit ? commit + (dirty ? " (with uncommitted changes)" : "") : "unknown",
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const names = opts.only ?? Object.keys(SUITES);
  const started = Date.now();
  const loadBefore = machine().load;
  const rows = [];
  const skipped = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-bench-"));
  for (const name of names) {
    const [cmd, args] = SUITES[name];
    const out = path.join(tmp, `${name}.json`);
    const t = Date.now();
    process.stderr.write(`bench: ${name} ...\n`);
    const res = spawnSync(cmd, args, {
      cwd: root,
      env: { ...process.env, RIGEL_BENCH_OUT: out, RIGEL_BENCH_QUICK: opts.quick ? "1" : "0" },
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    if (res.status !== 0 || !fs.existsSync(out)) {
      const reason = (res.stderr || "").trim().split("\n").filter(Boolean).pop() ?? `exit ${res.status}`;
      skipped.push(`${name}: ${reason}`);
      process.stderr.write(`bench: ${name} did not run: ${reason}\n`);
      continue;
    }
    rows.push(...JSON.parse(fs.readFileSync(out, "utf8")));
    process.stderr.write(`bench: ${name} done in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  rows.push(...gpuRows());
  const m = machine();
  const t = table(rows);
  console.log(plain(t));
  if (skipped.length) console.log(`\nnot run: ${skipped.join("; ")}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(
    `\n${rows.length} rows in ${seconds} s${opts.quick ? " (quick)" : ""}; ${m.cpu}; load ${loadBefore} → ${m.load}`,
  );
  if (!opts.write) return;
  const file = path.join(root, "docs", "BENCHMARKS.md");
  const kept = keptSection(file);
  const md = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (scripts/bench.js); do not edit by hand. Each row is the median of its",
    "runs, with min and max; the ratio compares it with the reference, measured in the same run where",
    "the figure depends on the machine's speed. GPU rows come from docs/gpu/*.json and name their card.",
    "",
    `- Machine: ${m.cpu}, ${m.memory}, Node ${m.node}`,
    `- Date: ${m.date}`,
    `- Commit: ${m.commit}`,
    `- Mode: ${opts.quick ? "quick" : "full"}; ${seconds} s; load average ${loadBefore} at the start, ${m.load} at the end`,
    ...(skipped.length ? [`- Not run: ${skipped.join("; ")}`] : []),
    ...(gpuRows().length ? [] : ["- GPU: no GPU run recorded yet (docs/gpu/ is empty)"]),
    "",
    markdown(t),
    "",
    KEEP_MARKER,
    kept,
  ].join("\n");
  fs.writeFileSync(file, md);
  console.log("wrote docs/BENCHMARKS.md");
}

main();

#!/usr/bin/env node
// Gas snapshot of every contract entrypoint (the scenarios in scripts/gas/scenarios.ts).
//   node scripts/gas-snapshot.js          measure and write gas-snapshot.json
//   node scripts/gas-snapshot.js --check  measure and compare with the committed gas-snapshot.json;
//                                         fails on a drift above 2% or on added/removed scenarios
// The snapshot must be updated in the same commit as the change that moves the gas.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const snapshotPath = path.join(root, "gas-snapshot.json");
const TOLERANCE = 0.02;

function measure() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-gas-")), "gas.json");
  const res = spawnSync(path.join(root, "node_modules", ".bin", "hardhat"), ["run", "scripts/gas/measure.ts"], {
    cwd: root,
    env: { ...process.env, GAS_SNAPSHOT_OUT: out },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (res.status !== 0 || !fs.existsSync(out)) {
    console.error(`gas measurement failed (exit ${res.status})`);
    process.exit(1);
  }
  const data = JSON.parse(fs.readFileSync(out, "utf8"));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return data;
}

function sorted(obj) {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]),
  );
}

function main() {
  const check = process.argv.includes("--check");
  const measured = sorted(measure());
  if (!check) {
    fs.writeFileSync(snapshotPath, JSON.stringify(measured, null, 2) + "\n");
    for (const [name, gas] of Object.entries(measured)) console.log(`${String(gas).padStart(9)}  ${name}`);
    console.log(`wrote ${path.relative(root, snapshotPath)} (${Object.keys(measured).length} entrypoints)`);
    return;
  }
  if (!fs.existsSync(snapshotPath)) {
    console.error("gas-snapshot.json is missing: run `node scripts/gas-snapshot.js` and commit it");
    process.exit(1);
  }
  const committed = JSON.parse(fs.readFileSync(snapshotPath, "utf8"));
  const problems = [];
  for (const [name, gas] of Object.entries(measured)) {
    if (!(name in committed)) {
      problems.push(`new entrypoint not in the snapshot: ${name} (${gas})`);
      continue;
    }
    const old = committed[name];
    const drift = old === 0 ? (gas === 0 ? 0 : Infinity) : (gas - old) / old;
    const line = `${String(old).padStart(9)} -> ${String(gas).padStart(9)}  ${(drift * 100).toFixed(2).padStart(7)}%  ${name}`;
    if (Math.abs(drift) > TOLERANCE) problems.push(`drift above 2%: ${line}`);
    else console.log(`ok  ${line}`);
  }
  for (const name of Object.keys(committed)) {
    if (!(name in measured)) problems.push(`entrypoint in the snapshot but no longer measured: ${name}`);
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error("gas snapshot check failed: update it with `node scripts/gas-snapshot.js` in the same commit");
    process.exit(1);
  }
  console.log(`gas snapshot ok: ${Object.keys(measured).length} entrypoints within 2%`);
}

main();

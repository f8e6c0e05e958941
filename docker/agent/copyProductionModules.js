#!/usr/bin/env node
// Copies the production node_modules of the compiled agent: the packages its JavaScript requires,
// and theirs, found the way Node resolves them (nested node_modules first, then up the tree), from
// a checkout's node_modules into an install folder. Install-time tools (prebuild-install) and what
// Node never loads at run time (TypeScript sources and types, source maps, READMEs, native build
// leftovers, viem's ESM copy) are left out, to keep the install and the image small.
//
// Usage: node copyProductionModules.js SOURCE_ROOT APP_DIR
//   SOURCE_ROOT: the checkout (its node_modules is read); APP_DIR: the compiled agent (scanned for
//   require("…") of packages), which receives APP_DIR/node_modules.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** Needed only to install a package, never to run it. */
const INSTALL_ONLY = new Set(["prebuild-install", "node-gyp", "nan"]);
/** Per package: folders left out (relative to the package). */
const DROP_DIRS = {
  viem: ["_esm", "_types", "node_modules/.cache"],
  "better-sqlite3": [
    "deps",
    "src",
    "build/Release/obj",
    "build/Release/obj.target",
    "build/deps",
    "build/Release/.deps",
    "build/Release/test_extension.node",
  ],
  "@noble/curves": ["esm", "src"],
  "@noble/hashes": ["esm", "src"],
  "@scure/bip32": ["esm", "src"],
  "@scure/bip39": ["esm", "src"],
  ox: ["_esm", "_types"],
  abitype: ["dist/esm", "dist/types"],
};
/** Files Node never loads. */
const DROP_FILE =
  /(\.d\.ts|\.d\.mts|\.d\.cts|\.map|\.md|\.markdown|\.ts|\.tsx|\.mts|\.cts|\.gyp|\.gypi|\.a|\.o|\.cc|\.h|\.c)$/i;
const KEEP_FILE = /^(package\.json|LICENSE.*|better_sqlite3\.node)$/i;

function bareRequires(dir, found = new Set()) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") bareRequires(p, found);
    } else if (entry.name.endsWith(".js")) {
      const text = fs.readFileSync(p, "utf8");
      for (const m of text.matchAll(/require\("([^".][^"]*)"\)/g)) {
        const spec = m[1];
        if (spec.startsWith("node:")) continue;
        const parts = spec.split("/");
        found.add(spec.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]);
      }
    }
  }
  return found;
}

/** The folder Node would load `name` from when required from `fromDir`, or undefined. */
function resolvePackage(name, fromDir, root) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

function copyPackage(from, to, drops) {
  const skip = new Set(drops.map((d) => path.join(from, d)));
  const walk = (src, dst) => {
    fs.mkdirSync(dst, { recursive: true });
    for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
      const s = path.join(src, entry.name);
      const d = path.join(dst, entry.name);
      if (skip.has(s)) continue;
      if (entry.isDirectory()) {
        // Nested packages are copied on their own, only when something needs them; a package's own
        // tests and docs (at its top level only: viem has a runtime folder named "test") are not.
        if (entry.name === "node_modules") continue;
        if (src === from && ["test", "tests", "docs", "example", "examples"].includes(entry.name)) continue;
        walk(s, d);
      } else if (entry.isSymbolicLink()) {
        continue;
      } else if (KEEP_FILE.test(entry.name) || !DROP_FILE.test(entry.name)) {
        fs.copyFileSync(s, d);
      }
    }
  };
  walk(from, to);
}

function main([sourceRoot, appDir]) {
  if (!sourceRoot || !appDir) {
    process.stderr.write("usage: copyProductionModules.js SOURCE_ROOT APP_DIR\n");
    return 2;
  }
  const root = path.resolve(sourceRoot);
  const realModules = fs.realpathSync(path.join(root, "node_modules"));
  const queue = [...bareRequires(path.resolve(appDir))].map((name) => ({ name, from: root }));
  const copied = new Map();
  while (queue.length > 0) {
    const { name, from } = queue.shift();
    if (INSTALL_ONLY.has(name)) continue;
    const dir = resolvePackage(name, from, root);
    if (!dir) throw new Error(`package ${name} (needed from ${from}) is not in ${root}/node_modules`);
    const real = fs.realpathSync(dir);
    if (copied.has(real)) continue;
    const relative = path.relative(realModules, real);
    copied.set(real, relative);
    const manifest = JSON.parse(fs.readFileSync(path.join(real, "package.json"), "utf8"));
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push({ name: dep, from: dir });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {}))
      if (resolvePackage(dep, dir, root)) queue.push({ name: dep, from: dir });
  }
  for (const [real, relative] of copied) {
    const name = relative.split(path.sep + "node_modules" + path.sep).pop();
    copyPackage(real, path.join(appDir, "node_modules", relative), DROP_DIRS[name] ?? []);
  }
  process.stdout.write(`${copied.size} packages\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

// Transpiles agent/ and sdk/ once into cache/agent-build (TypeScript's transpileModule, no type
// check: npm test type-checks), so that a test can start `rigel agent` as a child process many
// times without ts-node compiling everything at each start (seconds per start on a loaded machine).
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const root = path.resolve(__dirname, "../../..");
export const AGENT_BUILD_DIR = path.join(root, "cache", "agent-build");

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Builds (or rebuilds) the transpiled tree and returns the command that runs `rigel agent <argv>`. */
export function buildAgent(): { command: string; args: (argv: string[]) => string[] } {
  fs.rmSync(AGENT_BUILD_DIR, { recursive: true, force: true });
  for (const part of ["agent", "sdk"]) {
    for (const file of walk(path.join(root, part))) {
      const rel = path.relative(root, file);
      const target = path.join(AGENT_BUILD_DIR, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (file.endsWith(".ts") && !file.endsWith(".d.ts")) {
        const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
          fileName: file,
        });
        fs.writeFileSync(target.replace(/\.ts$/, ".js"), outputText);
      } else {
        fs.copyFileSync(file, target);
      }
    }
  }
  const entry = path.join(AGENT_BUILD_DIR, "agent", "cli.js");
  return {
    command: process.execPath,
    args: (argv) => [
      "-e",
      `require(${JSON.stringify(entry)}).main(${JSON.stringify(argv)}).then((c) => { process.exitCode = c; })`,
    ],
  };
}

// Every command example of README.md's shell blocks runs, in order, and exits 0 (or fails with the
// message the README documents), against a network this test starts: a Hardhat node with the
// protocol deployed, a 2-of-3 oracle committee and two agents (scripts/lib/network.ts), so `rigel job
// submit` is taken, settled and downloadable. The commands run in a scratch folder that mirrors the
// repository root (symlinks, a fresh deployments/), so the files they write stay out of the checkout.
// What is not run is marked in the README right above its block, with the reason (readmeExamples.ts).
// Ports (group e2e): chain 9280, oracles 9281..9283, agents 9291..9292.
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startNetwork, type Network } from "../../scripts/lib/network";
import { readmeExamples, stripComment, type ReadmeExample } from "./readmeExamples";

const root = path.resolve(__dirname, "..", "..");
const PORT = 9280;

/** A folder that looks like the repository root: a symlink to every entry but deployments/ (fresh). */
function scratchCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-readme-"));
  for (const entry of fs.readdirSync(root)) {
    if (entry === "deployments" || entry === ".git") continue;
    fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  fs.mkdirSync(path.join(dir, "deployments"));
  return dir;
}

function runShell(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", `set -o pipefail; ${command}`], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const examples = readmeExamples(fs.readFileSync(path.join(root, "README.md"), "utf8"));

describe("README.md: the command examples", () => {
  it("parses the README's shell blocks: comments dropped, continuations joined, markers applied", () => {
    expect(stripComment(`echo '{"a":"#x"}' > f   # a comment`)).to.equal(`echo '{"a":"#x"}' > f`);
    expect(examples.length).to.be.greaterThan(20);
    const skipped = examples.filter((e) => e.skip);
    // Short, and every skip says why.
    expect(skipped.every((e) => e.skip!.length > 20)).to.equal(true);
    expect(examples.filter((e) => !e.skip).length).to.be.greaterThan(skipped.length);
    const plan = examples.find((e) => e.command.startsWith("npm run rigel -- job plan"));
    expect(plan, "the job plan example").to.not.equal(undefined);
    expect(plan!.skip).to.equal(undefined);
  });
});

describe("README.md: every command example runs", function () {
  this.timeout(40 * 60_000);
  let dir: string;
  let network: Network | undefined;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    dir = scratchCheckout();
    network = await startNetwork({
      port: PORT,
      workDir: path.join(dir, ".network"),
      agents: [{ name: "agent-1" }, { name: "agent-2" }],
      // The inference example points to its model by file:// URI in the scratch folder.
      agentEnv: { RIGEL_AGENT_INPUT_FILE_ROOTS: dir },
      oracleEnv: { RIGEL_ORACLE_INPUT_FILE_ROOTS: dir },
    });
    env = {
      RIGEL_LOCALHOST_URL: network.devnet.rpcUrl,
      RIGEL_DEPLOYMENTS_DIR: path.join(dir, "deployments"),
      RIGEL_RPC_URL: network.devnet.rpcUrl,
      RIGEL_DEPLOYMENT: network.devnet.deploymentFile,
    };
  });
  after(async () => {
    await network?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (e: ReadmeExample) =>
    runShell(e.command, dir, env, e.command.includes("--watch") ? 15 * 60_000 : 5 * 60_000);

  it("runs each example in order: exit 0, or the documented failure", async () => {
    const failures: string[] = [];
    for (const e of examples) {
      if (e.skip) continue;
      const { code, output } = await run(e);
      if (e.fails) {
        if (code === 0 || !output.includes(e.fails)) {
          failures.push(`README.md:${e.line} should fail with "${e.fails}" (exit ${code}): ${e.command}\n${output}`);
        }
      } else if (code !== 0) {
        failures.push(`README.md:${e.line} exited ${code}: ${e.command}\n${output.slice(-3000)}`);
      }
      network!.assertRunning();
    }
    expect(failures, failures.join("\n\n")).to.deep.equal([]);
    // What the examples claim happened did: the job settled, its results are on disk.
    expect(fs.existsSync(path.join(dir, "results", "job-1"))).to.equal(true);
    expect(fs.existsSync(path.join(dir, "results", "job-2", "texts.jsonl"))).to.equal(true);
  });
});

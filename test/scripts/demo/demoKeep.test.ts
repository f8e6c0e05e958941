// `npm run demo -- --keep` keeps the whole network running (chain, oracles, agents) until Ctrl-C,
// prints the command that opens the app against it, and on SIGINT stops every process it started
// (each by its process group). Ports: chain 8600, oracles 8601..8603, agents 8611..8612.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { alive, portAnswers } from "../helpers/processProbes";

const root = path.resolve(__dirname, "..", "..", "..");
const PORT = 8600;
const ORACLES = [PORT + 1, PORT + 2, PORT + 3];
const AGENTS = [PORT + 11, PORT + 12]; // agent-1 and the cheater

describe("npm run demo -- --keep", function () {
  this.timeout(20 * 60_000);
  let demo: ChildProcess | undefined;
  let workDir: string;
  let output = "";

  before(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-demo-keep-"));
  });
  after(async () => {
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 15_000));
      if (demo.exitCode === null) demo.kill("SIGKILL");
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("keeps chain, oracles and agents up until SIGINT, prints the app command, then stops every process", async () => {
    demo = spawn(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        "scripts/demo.ts",
        "--keep",
        "--port",
        String(PORT),
        "--agents",
        "1",
        "--shards",
        "1",
        "--size",
        "32",
        "--no-container",
        "--no-inference",
        "--work-dir",
        workDir,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => demo!.once("exit", (code) => resolve(code)));
    demo.stdout!.on("data", (b: Buffer) => (output += b.toString()));
    demo.stderr!.on("data", (b: Buffer) => (output += b.toString()));
    // The ready line, or the demo's end without it.
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (/\] ready: /.test(output) ? resolve() : setTimeout(check, 500));
        check();
      }),
      exited.then((code) => {
        throw new Error(`the demo exited (${code}) before it was ready:\n${output}`);
      }),
    ]);

    // Everything answers: the chain, every oracle and every agent.
    const chainId = await fetch(`http://127.0.0.1:${PORT}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    }).then((r) => r.json());
    expect(chainId.result).to.equal("0x7a69");
    for (const port of [...ORACLES, ...AGENTS]) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status, `port ${port}`).to.equal(200);
    }

    // The app's config and the one command that opens the app against the kept network.
    const config = JSON.parse(fs.readFileSync(path.join(workDir, "rigel.json"), "utf8"));
    expect(config.rpcUrl).to.equal(`http://127.0.0.1:${PORT}`);
    expect(config.deployment.chainId).to.equal(31337);
    expect(config.oracleUrls).to.deep.equal(ORACLES.map((p) => `http://127.0.0.1:${p}`));
    const command =
      /^ {2}(VITE_RIGEL_RPC_URL=\S+ RIGEL_DEPLOYMENT=\S+ RIGEL_ORACLE_URLS=\S+(?: VITE_RIGEL_INDEXER_URL=\S+)? npm run app -- --open)$/m.exec(
        output,
      );
    expect(command, output).to.not.equal(null);
    expect(command![1]).to.contain(`VITE_RIGEL_RPC_URL=http://127.0.0.1:${PORT} `);
    const pids = [...output.matchAll(/ pid (\d+)$/gm)].map((m) => Number(m[1]));
    // The chain, the oracles, the agents and the indexer (PROTOCOL §21), each with its pid.
    expect(output).to.match(/^ {2}indexer +pid \d+$/m);
    expect(pids).to.have.length(1 + ORACLES.length + AGENTS.length + 1);
    expect(pids.every(alive)).to.equal(true);

    // Ctrl-C: every process the demo started stops, and the demo exits 0.
    demo.kill("SIGINT");
    expect(await exited, output).to.equal(0);
    expect(output).to.match(/SIGINT: stopping every process the demo started/);
    expect(output).to.match(/\] stopped\n/);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).to.equal(false);
    for (const port of [PORT, ...ORACLES, ...AGENTS]) expect(await portAnswers(port), `port ${port}`).to.equal(false);
  });
});

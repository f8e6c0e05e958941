// `npm run load` interrupted (Ctrl-C, or a SIGTERM from outside) stops the chain and every service it
// started, each by its process group, and exits 130. Regression: before, the load exited and left
// its chain, oracles and agents running, holding their ports. Ports: chain 8630, oracles
// 8631..8633, agents 8641..8642.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { childPids } from "../../scripts/lib/childGroups";
import { alive, portAnswers } from "./helpers/processProbes";

const root = path.resolve(__dirname, "..", "..");
const PORT = 8630;
const SERVICE_PORTS = [PORT, PORT + 1, PORT + 2, PORT + 3, PORT + 11, PORT + 12];

describe("npm run load, interrupted", function () {
  this.timeout(10 * 60_000);
  let load: ChildProcess | undefined;
  let workDir: string;
  let output = "";

  before(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-load-interrupt-"));
  });
  after(async () => {
    if (load && load.exitCode === null && load.signalCode === null) load.kill("SIGKILL");
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("on SIGTERM stops the chain, the oracles and the agents it started, and exits 130", async () => {
    load = spawn(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        "scripts/load.ts",
        "--jobs",
        "40",
        "--agents",
        "2",
        "--batch",
        "2",
        "--interval-ms",
        "5000",
        "--port",
        String(PORT),
        "--work-dir",
        workDir,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => load!.once("exit", (code) => resolve(code)));
    load.stdout!.on("data", (b: Buffer) => (output += b.toString()));
    load.stderr!.on("data", (b: Buffer) => (output += b.toString()));
    // Mid-run: the network is up and jobs are being created (the first progress line).
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (/t=\d+ s: created \d+\/40/.test(output) ? resolve() : setTimeout(check, 250));
        check();
      }),
      exited.then((code) => {
        throw new Error(`the load exited (${code}) before its first progress line:\n${output}`);
      }),
    ]);
    const children = childPids(load.pid!);
    // The chain and the five services, each a direct child leading its own process group.
    expect(children.length, output).to.be.at.least(6);
    for (const port of SERVICE_PORTS) expect(await portAnswers(port), `port ${port}`).to.equal(true);

    load.kill("SIGTERM");
    expect(await exited, output).to.equal(130);
    expect(output).to.match(/SIGTERM: stopping every process the load started/);
    for (const pid of children) expect(alive(pid), `pid ${pid}`).to.equal(false);
    for (const port of SERVICE_PORTS) expect(await portAnswers(port), `port ${port}`).to.equal(false);
  });
});

import { expect } from "chai";
import type Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { defaultSandbox } from "../../../sdk/executor/containerSandbox";
import type { ContainerLogLine } from "../../../sdk/executor/dockerClient";
import { findContainers } from "../../../sdk/executor/findContainers";
import { ensurePublicBridge, PUBLIC_BRIDGE } from "../../../sdk/executor/publicBridgeNetwork";
import { runContainer } from "../../../sdk/executor/runContainer";
import { runContainerJob } from "../../../sdk/executor/runContainerJob";
import type { ContainerJobSpec } from "../../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";
import { SpecValidationError } from "../../../sdk/spec/SpecValidationError";
import { dockerForTests, shellRuns, tempDir, TEST_IMAGE } from "./dockerTestEnv";

/**
 * Hostile images against the real Docker engine (issue 18): each attack is contained, declined or
 * cut off with a clear reason, and a normal job runs right after it (the host keeps serving).
 * Limits are small so every case is quick.
 */
/**
 * A Docker network's gateway: its IPAM `Gateway`, or (some engines leave it out of the default
 * bridge's inspect output) the first host address of its IPv4 subnet, which Docker gives the bridge.
 */
function gatewayOf(config: { Gateway?: string; Subnet?: string } | undefined): string {
  if (config?.Gateway) return config.Gateway;
  const [net] = (config?.Subnet ?? "").split("/");
  const parts = net.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n)))
    throw new Error(`no gateway in ${JSON.stringify(config)}`);
  parts[3] += 1;
  return parts.join(".");
}

describe("sdk/executor hostile jobs (real Docker engine)", function () {
  let docker: Dockerode;
  let dir: string;
  const job = `9${randomBytes(4).readUInt32BE(0)}`;
  const sandbox = defaultSandbox({ logBytes: 64 * 1024 });

  before(async function () {
    docker = await dockerForTests(this);
    dir = await tempDir("hostile");
  });

  after(async function () {
    if (!docker) return;
    for (const c of await findContainers(docker, { job })) await docker.getContainer(c.id).remove({ force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  const params = shellRuns(job, () => dir, { memoryMiB: 64, pidsLimit: 32, timeoutSec: 20 }, { sandbox });

  /**
   * A shell line that prints `reached <target>` when an HTTP request to `host:port` gets an answer,
   * else `<otherwise> <target>` (busybox's nc: its static wget crashes resolving names).
   */
  function probe(target: string, otherwise: string): string {
    const [host, port] = target.split(":");
    return (
      `r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port} 2>/dev/null | head -c 12); ` +
      `if [ -n "$r" ]; then echo "reached ${target}"; else echo "${otherwise} ${target}"; fi`
    );
  }

  /** The host keeps serving: a normal job right after the attack runs and commits its output. */
  async function normalJobStillRuns(): Promise<void> {
    const p = params("echo fine > $RIGEL_OUTPUT/ok.txt");
    const result = await runContainer(docker, p);
    expect(result.succeeded, "a normal job after the attack").to.equal(true);
    expect(result.outputs.map((o) => o.path)).to.deep.equal(["ok.txt"]);
  }

  it("setuid drop: runs as nobody, and a setuid binary left in the output loses its setuid bit before any read", async function () {
    // Before: root in the container, output folder 0777, a setuid-root copy of busybox left behind
    // that any host user could run as root (`./sh -p -c 'cat /etc/shadow'`).
    const p = params(
      "id -u > $RIGEL_OUTPUT/uid.txt; cp /bin/busybox $RIGEL_OUTPUT/sh; chmod 6755 $RIGEL_OUTPUT/sh; " +
        "mkdir $RIGEL_OUTPUT/d; chmod 2777 $RIGEL_OUTPUT/d; touch /etc/x 2>$RIGEL_OUTPUT/rootfs.txt; true",
    );
    const result = await runContainer(docker, p);
    expect(result.succeeded).to.equal(true);
    expect((await fs.readFile(path.join(p.outputDir, "uid.txt"), "utf8")).trim()).to.equal("65534");
    expect(await fs.readFile(path.join(p.outputDir, "rootfs.txt"), "utf8")).to.match(/Read-only file system/);
    expect(result.strippedOutputs).to.deep.equal(["d", "sh"]);
    const sh = await fs.stat(path.join(p.outputDir, "sh"));
    expect(sh.mode & 0o6000, "no setuid/setgid bit left").to.equal(0);
    expect(sh.uid, "owned by the sandbox user, not root").to.equal(
      process.getuid?.() === 0 ? 65534 : process.getuid?.(),
    );
    const out = await fs.stat(p.outputDir);
    expect(out.mode & 0o777, "the output folder is closed to other users").to.equal(0o700);
    await fs.rm(path.dirname(p.outputDir), { recursive: true }); // the agent can remove the leftovers
    await normalJobStillRuns();
  });

  it("fork bomb: the pids limit holds the container to its processes", async function () {
    const p = params(
      // Shell builtins only once the limit is hit: counting /proc by a glob, killing with the builtin.
      "i=0; while [ $i -lt 200 ]; do (sleep 30 &) 2>/dev/null || true; i=$((i+1)); done; " +
        "set -- /proc/[0-9]*; echo $# > $RIGEL_OUTPUT/procs.txt; kill -9 -1",
      { pidsLimit: 16 },
    );
    const result = await runContainer(docker, p);
    const procs = Number((await fs.readFile(path.join(p.outputDir, "procs.txt"), "utf8")).trim());
    expect(procs).to.be.at.most(16).and.at.least(2);
    expect(result.timedOut).to.equal(false);
    await normalJobStillRuns();
  });

  it("memory bomb: killed for memory (the developer's fault, PROTOCOL §18.2)", async function () {
    const p = params("head -c 268435456 /dev/zero | tail > /dev/null", { memoryMiB: 16 });
    const result = await runContainer(docker, p);
    expect(result).to.include({ oomKilled: true, succeeded: false, timedOut: false });
    await normalJobStillRuns();
  });

  it("output bomb (bytes): no file grows past the limit, and the run fails naming it", async function () {
    const p = params("dd if=/dev/zero of=$RIGEL_OUTPUT/big bs=65536 count=1024 2>&1; exit 0", {
      outputBytes: 1024 * 1024,
      tmpMiB: 1,
    });
    const result = await runContainer(docker, p);
    expect(result.succeeded).to.equal(false);
    expect(result.limitExceeded).to.deep.include({ limit: "outputBytes", max: 1024 * 1024 });
    expect(result.outputs).to.deep.equal([]);
    const big = await fs.stat(path.join(p.outputDir, "big"));
    expect(big.size, "RLIMIT_FSIZE stops the write one byte past the limit").to.equal(1024 * 1024 + 1);
    // (dd's "File too large" is not asserted: the output watcher may kill it before it prints.)
    await normalJobStillRuns();
  });

  it("output bomb (bytes over many files): killed while it runs, long before its timeout", async function () {
    const p = params("i=0; while true; do head -c 65536 /dev/zero > $RIGEL_OUTPUT/f$i; i=$((i+1)); sleep 0.01; done", {
      outputBytes: 1024 * 1024,
      timeoutSec: 20,
    });
    const result = await runContainer(docker, p);
    expect(result.succeeded).to.equal(false);
    expect(result.timedOut).to.equal(false);
    // Killed by the output watcher, not by its timeout (no wall-clock bound: a busy host is slow).
    expect(result.limitExceeded).to.deep.include({ limit: "outputBytes" });
    await normalJobStillRuns();
  });

  it("output bomb (files): killed while it runs once it holds more entries than the limit", async function () {
    const p = params("i=0; while true; do touch $RIGEL_OUTPUT/f$i; i=$((i+1)); done", {
      outputFiles: 200,
      timeoutSec: 20,
    });
    const result = await runContainer(docker, p);
    expect(result).to.include({ succeeded: false, timedOut: false });
    expect(result.limitExceeded).to.deep.include({ limit: "outputFiles", max: 200 });
    await normalJobStillRuns();
  });

  it("log flood: 20 MiB of output gives the host at most the log budget, without stalling its event loop", async function () {
    // Before: 20 MiB of container output became 1.54 GiB of agent log with 19 s event-loop stalls.
    const p = params("yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxy | head -c 20971520");
    const lines: ContainerLogLine[] = [];
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const result = await runContainer(docker, { ...p, onLog: (l) => lines.push(l) });
    delay.disable();
    expect(result.succeeded).to.equal(true);
    const liveBytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l.text) + 1, 0);
    expect(liveBytes, "bytes handed to the agent's log").to.be.at.most(64 * 1024 + 200);
    expect(lines[lines.length - 1].text).to.match(
      /^\[rigel\] log truncated: the container wrote more than 65536 bytes/,
    );
    const file = await fs.readFile(p.logFile, "utf8");
    expect(Buffer.byteLength(file), "the log file").to.be.below(64 * 1024 + 16 * 1024);
    expect(file.trimEnd().split("\n").pop()).to.match(/^\[rigel\] log truncated/);
    const maxMs = delay.max / 1e6;
    console.log(`      event-loop delay during a 20 MiB log flood: max ${maxMs.toFixed(1)} ms`);
    expect(maxMs, "event-loop delay (generous bound)").to.be.below(1000);
    await normalJobStillRuns();
  });

  it("network probe: no route to the host's addresses or to the metadata address (network none)", async function () {
    const server = http.createServer((_req, res) => res.end("host secret"));
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const hostAddresses = Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && a.family === "IPv4" && !a.internal)
        .map((a) => a!.address);
      const targets = ["169.254.169.254:80", "172.17.0.1:" + port, ...hostAddresses.map((a) => `${a}:${port}`)];
      const script = targets.map((t) => probe(t, "no route")).join("; ");
      const p = params(`(${script}) > $RIGEL_OUTPUT/probe.txt`, { timeoutSec: 30 + 5 * targets.length });
      const result = await runContainer(docker, p);
      expect(result.succeeded).to.equal(true);
      const seen = await fs.readFile(path.join(p.outputDir, "probe.txt"), "utf8");
      expect(seen).to.not.match(/reached/);
      expect(seen.trim().split("\n")).to.have.length(targets.length);
    } finally {
      server.close();
    }
    await normalJobStillRuns();
  });

  it("network probe on the public bridge: eth0 is there, but the host, private and metadata addresses are dropped", async function () {
    let bridgeNetwork: string;
    try {
      bridgeNetwork = await ensurePublicBridge(docker);
    } catch (err) {
      // Not root here: the agent declines bridge specs with this reason (test/agent/shardPolicy.test.ts).
      console.log(`      (skipped: the public bridge cannot be set up here: ${(err as Error).message})`);
      return this.skip();
    }
    const info = await docker.getNetwork(bridgeNetwork).inspect();
    const gateway = gatewayOf(info.IPAM?.Config?.[0]);
    const server = http.createServer((_req, res) => res.end("host secret"));
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const hostAddresses = Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && a.family === "IPv4" && !a.internal)
        .map((a) => a!.address);
      const targets = ["169.254.169.254:80", `${gateway}:${port}`, ...hostAddresses.map((a) => `${a}:${port}`)];
      const script = targets.map((t) => probe(t, "blocked")).join("; ");
      // The old rule: `bridge` was Docker's default bridge, where the same probe reaches the host.
      const docker0 = gatewayOf((await docker.getNetwork("bridge").inspect()).IPAM?.Config?.[0]);
      const old = params(`${probe(`${docker0}:${port}`, "blocked")} > $RIGEL_OUTPUT/probe.txt`, {
        network: "bridge",
      });
      await runContainer(docker, { ...old, sandbox: { ...sandbox, bridgeNetwork: "bridge" } });
      expect(await fs.readFile(path.join(old.outputDir, "probe.txt"), "utf8")).to.equal(`reached ${docker0}:${port}\n`);

      // Each dropped probe waits its 2 s: a timeout with room for every target on a slow host.
      const p = params(`(ls /sys/class/net; ${script}) > $RIGEL_OUTPUT/probe.txt`, {
        network: "bridge",
        timeoutSec: 30 + 5 * targets.length,
      });
      const result = await runContainer(docker, { ...p, sandbox: { ...sandbox, bridgeNetwork } });
      expect(result.succeeded).to.equal(true);
      const seen = await fs.readFile(path.join(p.outputDir, "probe.txt"), "utf8");
      expect(seen.split("\n")).to.include("eth0");
      expect(seen).to.not.match(/reached/);
      expect(seen.match(/blocked/g)).to.have.length(targets.length);
      expect(bridgeNetwork).to.equal(PUBLIC_BRIDGE.name);
    } finally {
      server.close();
    }
    await normalJobStillRuns();
  });

  it("disk: nothing but /tmp, /dev/shm and the output folder is writable, and /tmp stops at tmpMiB", async function () {
    // No `--storage-opt size` is needed (overlay2 on ext4 has none): the root file system is read-only,
    // so the writable layer takes nothing a job writes; /tmp and /dev/shm are tmpfs (memory, counted in
    // the container's memory limit), the output folder is held by outputBytes/outputFiles.
    const dirs = ["/", "/etc", "/home", "/root", "/usr", "/var", "/var/tmp", "/run", "/dev", "/rigel"];
    const tries = dirs.map((d) => `if touch ${d}/w 2>/dev/null; then echo "wrote ${d}"; else echo "refused ${d}"; fi`);
    const p = params(
      `(${tries.join("; ")}; touch /tmp/w && echo "wrote /tmp"; echo x > /dev/shm/w && echo "wrote /dev/shm"; ` +
        `dd if=/dev/zero of=/tmp/fill bs=1048576 count=8 2>&1 | grep -o 'No space left on device' | head -1; ` +
        `echo "tmp holds $(wc -c < /tmp/fill)") > $RIGEL_OUTPUT/disk.txt`,
      { tmpMiB: 2 },
    );
    const result = await runContainer(docker, { ...p, keepContainer: true });
    expect(result.succeeded).to.equal(true);
    const seen = (await fs.readFile(path.join(p.outputDir, "disk.txt"), "utf8")).trim().split("\n");
    expect(seen).to.deep.equal([
      ...dirs.map((d) => `refused ${d}`),
      "wrote /tmp",
      "wrote /dev/shm",
      "No space left on device",
      seen[seen.length - 1],
    ]);
    const held = Number(/^tmp holds (\d+)$/.exec(seen[seen.length - 1])?.[1]);
    expect(held, "bytes /tmp took before it was full")
      .to.be.at.most(2 * 1024 * 1024)
      .and.at.least(1024 * 1024);
    const changes = await docker.getContainer(result.containerId).changes();
    await docker.getContainer(result.containerId).remove({ force: true });
    // Docker's own mount points (/etc/hosts, /dev, /run) may show; nothing the job tried to write does.
    const written = (changes ?? []).map((c: { Path: string }) => c.Path).filter((x: string) => x.endsWith("/w"));
    expect(written, "nothing of the job's in the container's writable layer").to.deep.equal([]);
    await normalJobStillRuns();
  });

  it("reading the agent's files: nothing of the host is mounted but the inputs and the output", async function () {
    const secret = path.join(dir, "agent-secret.json");
    await fs.writeFile(secret, '{"privateKey":"0xdead"}', { mode: 0o600 });
    const p = params(
      `cat ${secret} > $RIGEL_OUTPUT/secret.txt 2>&1; cat /proc/1/environ | tr '\\0' '\\n' | grep -c PRIVATE > $RIGEL_OUTPUT/env.txt; ` +
        "grep -c ' / ' /proc/mounts > /dev/null; awk '{print $2}' /proc/mounts | grep -c '^/rigel' > $RIGEL_OUTPUT/mounts.txt; true",
    );
    const result = await runContainer(docker, p);
    expect(result.succeeded).to.equal(true);
    expect(await fs.readFile(path.join(p.outputDir, "secret.txt"), "utf8")).to.match(/No such file or directory/);
    expect((await fs.readFile(path.join(p.outputDir, "env.txt"), "utf8")).trim()).to.equal("0");
    expect((await fs.readFile(path.join(p.outputDir, "mounts.txt"), "utf8")).trim()).to.equal("1");
    await normalJobStillRuns();
  });

  it("environment injection: reserved names are refused in the spec, before anything runs", async function () {
    const hostile = {
      LD_PRELOAD: "/rigel/output/evil.so",
      NVIDIA_VISIBLE_DEVICES: "all",
      CUDA_VISIBLE_DEVICES: "0,1,2,3",
      DOCKER_HOST: "tcp://10.0.0.1:2375",
      RIGEL_JOB: "1",
    };
    let err: unknown;
    try {
      parseJobSpec({ kind: "container", image: TEST_IMAGE, env: hostile });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(SpecValidationError);
    expect((err as SpecValidationError).issues.map((i) => i.path)).to.deep.equal(
      Object.keys(hostile).map((k) => `env.${k}`),
    );
    expect((err as SpecValidationError).issues[0].message).to.equal(
      "is reserved (LD_*): the executor sets it, a spec may not (PROTOCOL §12.3)",
    );
    // The job path refuses it too (runContainerJob parses nothing: the agent and the oracle take parsed specs).
    const spec = parseJobSpec({ kind: "container", image: TEST_IMAGE, env: { MODE: "fast" } }) as ContainerJobSpec;
    const ok = await runContainerJob(docker, {
      spec: { ...spec, command: ["sh", "-c", "echo $MODE > $RIGEL_OUTPUT/mode.txt"] },
      job,
      shard: 999,
      workDir: path.join(dir, "env-ok"),
      cacheDir: path.join(dir, "cache"),
      sandbox,
    });
    expect(ok.status).to.equal("succeeded");
    await normalJobStillRuns();
  });
});

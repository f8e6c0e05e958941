// Live logs of a running shard (PROTOCOL §14.10): `GET /v1/shards/:jobId/:shard/logs` follows a real
// container's output as Server-Sent Events, to the job's developer only (signed, v2 nonce, once),
// and ends when the shard's run ends.
import { expect } from "chai";
import type Dockerode from "dockerode";
import fs from "node:fs/promises";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { logsRoutes } from "../../agent/results/logsRoutes";
import { ShardLogHub } from "../../agent/results/shardLogs";
import { followShardLogs, shardLogsUrl, ShardLogsError, type ShardLogLine } from "../../sdk/agentApi/shardLogs";
import { MemoryReplayGuard } from "../../sdk/auth/replayGuard";
import { requestNonce } from "../../sdk/auth/requestNonce";
import { signRequest } from "../../sdk/auth/signRequest";
import { runContainer } from "../../sdk/executor/runContainer";
import { createLogger } from "../../sdk/log/createLogger";
import { startHttpService, type HttpService } from "../../sdk/service/startHttpService";
import { dockerForTests, shellRuns, tempDir } from "../sdk/executor/dockerTestEnv";

const developer = privateKeyToAccount(`0x${"22".repeat(32)}`);
const stranger = privateKeyToAccount(`0x${"33".repeat(32)}`);
const JOB = 41n;

async function refusal(p: AsyncGenerator<unknown>): Promise<ShardLogsError> {
  try {
    for await (const _ of p) {
      // Nothing is expected before the refusal.
    }
  } catch (err) {
    return err as ShardLogsError;
  }
  throw new Error("not refused");
}

describe("agent: live shard logs", function () {
  this.timeout(120_000);
  let docker: Dockerode;
  let dir: string;
  let http: HttpService;
  const hub = new ShardLogHub(64 * 1024);

  before(async function () {
    docker = await dockerForTests(this);
    dir = await tempDir("logs");
    http = await startHttpService({
      name: "agent",
      port: 0,
      logger: createLogger({ name: "agent", level: "silent" }),
      health: () => ({ ok: true }),
      routes: (app) =>
        logsRoutes({
          logs: hub,
          chain: { getJob: async () => ({ developer: developer.address as Address }) as never },
          replayGuard: new MemoryReplayGuard(),
        })(app),
    });
  });

  after(async function () {
    await http?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("refuses an unsigned request, another signer, a replay, and a shard without a log", async function () {
    hub.phase(JOB, 9, "running");
    hub.append(JOB, 9, { stream: "stdout", text: "secret", item: null });
    const url = shardLogsUrl(http.url, JOB, 9);
    expect((await fetch(url)).status).to.equal(401);
    const err = await refusal(followShardLogs(url, stranger));
    expect(err.code).to.equal("LOGS_REFUSED");
    expect(err.details).to.include({ status: 403, code: "NOT_DEVELOPER" });
    expect((await refusal(followShardLogs(shardLogsUrl(http.url, JOB, 8), developer))).details).to.include({
      status: 404,
      code: "NO_LOGS",
    });
    const path = new URL(url).pathname;
    const headers = await signRequest(developer, { method: "GET", path, body: "", nonce: requestNonce() });
    const first = await fetch(url, { headers });
    expect(first.status).to.equal(200);
    await first.body?.cancel();
    expect((await fetch(url, { headers })).status).to.equal(401);
    hub.end(JOB, 9);
  });

  it("follows a running container's lines as they are written, and ends when the shard's run ends", async function () {
    const params = shellRuns(String(JOB), () => dir, { memoryMiB: 64, timeoutSec: 60 });
    const p = params("for i in 1 2 3 4; do echo line-$i; sleep 1; done; echo done >&2");
    hub.phase(JOB, p.shard, "running");
    let runEnded = false;
    const run = runContainer(docker, { ...p, onLog: (line) => hub.append(JOB, p.shard, line) }).then((r) => {
      runEnded = true;
      hub.phase(JOB, p.shard, "ran");
      return r;
    });
    const got: { line: ShardLogLine; whileRunning: boolean }[] = [];
    for await (const line of followShardLogs(shardLogsUrl(http.url, JOB, p.shard), developer, { follow: true })) {
      got.push({ line, whileRunning: !runEnded });
    }
    expect((await run).exitCode).to.equal(0);
    expect(got.map((g) => [g.line.stream, g.line.text])).to.deep.equal([
      ["stdout", "line-1"],
      ["stdout", "line-2"],
      ["stdout", "line-3"],
      ["stdout", "line-4"],
      ["stderr", "done"],
    ]);
    expect(got.map((g) => g.line.seq)).to.deep.equal([0, 1, 2, 3, 4]);
    // Lines reached the reader before the container had exited: the stream follows, it does not wait.
    expect(got.filter((g) => g.whileRunning).length).to.be.greaterThan(0);
    // After the run: the whole log, then the end, at once; `follow: false` and `from` as well.
    const again: string[] = [];
    for await (const line of followShardLogs(shardLogsUrl(http.url, JOB, p.shard), developer, {
      follow: false,
      from: 3,
    }))
      again.push(line.text);
    expect(again).to.deep.equal(["line-4", "done"]);
  });

  it("keeps at most its byte cap of a shard's log, then one line that says it was cut", function () {
    const small = new ShardLogHub(20);
    small.phase(1n, 0, "running");
    for (const text of ["0123456789", "0123456789", "more", "and more"])
      small.append(1n, 0, { stream: "stdout", text, item: 0 });
    expect(small.get(1n, 0)!.lines.map((l) => l.text)).to.deep.equal(["0123456789", "[rigel] log cut at 20 bytes"]);
  });
});

// The results endpoint (PROTOCOL §14.3) by on-chain state (§18.7), with the journal on disk and the
// chain as a double: outputs leave the agent only once the shard is Settled or DeveloperFault.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { AgentChain } from "../../agent/chain/agentChain";
import { Journal, JOURNAL_MIGRATIONS } from "../../agent/journal/journal";
import type { ShardDataPatch } from "../../agent/journal/shardData";
import { resultsRoutes } from "../../agent/results/resultsRoutes";
import { shardWorkspace } from "../../agent/shard/shardWorkspace";
import { requestNonce } from "../../sdk/auth/requestNonce";
import { MemoryReplayGuard } from "../../sdk/auth/replayGuard";
import { signRequest } from "../../sdk/auth/signRequest";
import { openDatabase } from "../../sdk/db/openDatabase";
import { failedRunRoot } from "../../sdk/failedRun/failedRunRoot";
import { createLogger } from "../../sdk/log/createLogger";
import { ShardState, shardStateName } from "../../sdk/market/enums";
import { startHttpService, type HttpService } from "../../sdk/service/startHttpService";
import { tempDataDir } from "../../fixtures/agentHarness";

const developer = privateKeyToAccount(`0x${"31".repeat(32)}`);
const logger = createLogger({ name: "test", level: "silent", destination: { write: () => undefined } });
const FILES_JOB = 6n;
const FAILED_JOB = 5n;

describe("agent/results/resultsRoutes: release by on-chain state", function () {
  let http: HttpService;
  const states = new Map<bigint, number>();

  before(async function () {
    const dataDir = tempDataDir("results");
    const journal = new Journal(
      openDatabase({ file: path.join(dataDir, "journal.db"), migrations: JOURNAL_MIGRATIONS }),
    );
    // A single-run container shard with one output file, and a failed run (item 1 exited 7).
    const out = shardWorkspace(dataDir, FILES_JOB, 0).outputDir;
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "a.txt"), "result\n");
    const root: Hex = `0x${"ab".repeat(32)}`; // the route serves the files; the root is the downloader's to check
    const base = { specURI: "data:,", specHash: `0x${"00".repeat(32)}` as Hex, kind: "container" as const };
    const ran = (r: Hex): ShardDataPatch => ({
      ...base,
      root: r,
      units: 1n,
      itemHashList: [],
      receipt: { runs: [], root: r },
    });
    journal.transition(FILES_JOB, 0, "submitted", { ...ran(root), itemStart: null, itemEnd: null, submittedBlock: 1n });
    const failure = { item: 1, status: "failed" as const, exitCode: 7 };
    journal.transition(FAILED_JOB, 0, "submitted", {
      ...ran(failedRunRoot(failure)),
      itemStart: 0,
      itemEnd: 2,
      failure,
      submittedBlock: 1n,
    });
    const chain = {
      getJob: async () => ({ developer: developer.address }),
      getShard: async (jobId: bigint) => ({ state: states.get(jobId) ?? ShardState.Submitted }),
    } as unknown as Pick<AgentChain, "getJob" | "getShard">;
    http = await startHttpService({
      name: "results",
      port: 0,
      logger,
      health: () => ({ ok: true }),
      routes: (app) => resultsRoutes({ journal, chain, dataDir, replayGuard: new MemoryReplayGuard() })(app),
    });
  });

  after(async function () {
    await http?.close();
  });

  const get = async (target: string) => {
    const headers = await signRequest(developer, { method: "GET", path: target, body: "", nonce: requestNonce() });
    const res = await fetch(`${http.url}${target}`, { headers });
    return { status: res.status, body: await res.json() };
  };

  // Regression (PROTOCOL §18.7): the manifest and files were served from `ran` on, before any
  // verdict or payment.
  it("results before settlement: 409 AGENT_RESULTS_NOT_RELEASED with the state, for the manifest and each file", async function () {
    for (const state of [ShardState.Submitted, ShardState.Failed, ShardState.Expired]) {
      states.set(FILES_JOB, state);
      for (const target of [`/v1/results/${FILES_JOB}/0`, `/v1/results/${FILES_JOB}/0/file?path=output%2Fa.txt`]) {
        const { status, body } = await get(target);
        expect(status).to.equal(409);
        expect(body.error.code).to.equal("AGENT_RESULTS_NOT_RELEASED");
        expect(body.error.details.state).to.equal(shardStateName(state));
      }
    }
  });

  it("serves them once Settled, and once DeveloperFault (the developer paid for the time used)", async function () {
    for (const state of [ShardState.Settled, ShardState.DeveloperFault]) {
      states.set(FILES_JOB, state);
      const manifest = await get(`/v1/results/${FILES_JOB}/0`);
      expect(manifest.status).to.equal(200);
      expect(manifest.body.files.map((f: { path: string }) => f.path)).to.deep.equal(["output/a.txt"]);
    }
  });

  it("a failed run has no outputs: 409 before settlement, then 404 NO_RESULTS with its failure", async function () {
    states.set(FAILED_JOB, ShardState.Submitted);
    expect((await get(`/v1/results/${FAILED_JOB}/0`)).status).to.equal(409);
    states.set(FAILED_JOB, ShardState.DeveloperFault);
    const { status, body } = await get(`/v1/results/${FAILED_JOB}/0`);
    expect(status).to.equal(404);
    expect(body.error).to.deep.include({ code: "NO_RESULTS" });
    expect(body.error.details.failure).to.deep.equal({ item: 1, status: "failed", exitCode: 7 });
  });
});

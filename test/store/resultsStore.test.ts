// The results store (PROTOCOL §18.8): an agent's upload is accepted only when its manifest is signed
// by the shard's operator and its files recompute the root committed on-chain; the files go only to
// the job's developer on a signed request, the manifest to anyone; with the operator's agent gone,
// the developer's download from the store still checks against the on-chain root.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ResultsUploadError, uploadShardResults } from "../../agent/results/uploadResults";
import { downloadShardResults, downloadShardResultsFromSources } from "../../sdk/agentApi/results";
import { storeResultsUri } from "../../sdk/agentApi/resultsStoreUrl";
import { requestNonce } from "../../sdk/auth/requestNonce";
import { signRequest } from "../../sdk/auth/signRequest";
import { hashOutputDirectory } from "../../sdk/executor/hashOutputDirectory";
import { commitOutputs } from "../../sdk/executor/commitOutputs";
import { commitRows, rowHashes } from "../../sdk/pow/commitment";
import { createLogger } from "../../sdk/log/createLogger";
import { ShardState } from "../../sdk/market/enums";
import { ResultsStore } from "../../store/resultsStore";
import type { StoreChain } from "../../store/storeChain";

const operator = privateKeyToAccount(`0x${"11".repeat(32)}`);
const developer = privateKeyToAccount(`0x${"22".repeat(32)}`);
const stranger = privateKeyToAccount(`0x${"33".repeat(32)}`);

/** A chain of one market in memory: each shard's operator, state and committed root. */
class FakeChain implements StoreChain {
  shards = new Map<string, { operator: Address; state: number; resultRoot: Hex }>();
  async shard(jobId: bigint, shard: number) {
    return (
      this.shards.get(`${jobId}/${shard}`) ?? {
        operator: `0x${"00".repeat(20)}` as Address,
        state: 0,
        resultRoot: `0x${"00".repeat(32)}` as Hex,
      }
    );
  }
  async developer() {
    return developer.address;
  }
}

async function expectRefused(p: Promise<unknown>, status: number): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected HTTP ${status}`).to.be.instanceOf(ResultsUploadError);
  expect((err as ResultsUploadError).code).to.equal("AGENT_UPLOAD_REFUSED");
  expect((err as ResultsUploadError).details.status).to.equal(status);
}

describe("store: results store", function () {
  this.timeout(30_000);
  let dir: string;
  let store: ResultsStore;
  let chain: FakeChain;
  let clock = Math.floor(Date.now() / 1000);
  const files = new Map<string, string>();
  let root: Hex;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-store-"));
    const out = path.join(dir, "out");
    fs.mkdirSync(path.join(out, "b"), { recursive: true });
    fs.writeFileSync(path.join(out, "a.txt"), "alpha\n");
    fs.writeFileSync(path.join(out, "b", "c.json"), JSON.stringify({ x: 1 }));
    const hashed = await hashOutputDirectory(out);
    root = commitOutputs({ mode: "files", files: hashed.files }).root;
    files.set("output/a.txt", path.join(out, "a.txt"));
    files.set("output/b/c.json", path.join(out, "b", "c.json"));
    chain = new FakeChain();
    store = new ResultsStore({
      host: "127.0.0.1",
      port: 0,
      dataDir: path.join(dir, "store"),
      chain,
      limits: { maxFileBytes: 1024, maxShardBytes: 4096, maxShardFiles: 10, maxStoreBytes: 1 << 20 },
      pendingTtlSec: 60,
      ratePerAddressPerMinute: 10_000,
      logger: createLogger({ name: "store", level: "silent" }),
      now: () => clock,
    });
    await store.init();
  });

  after(async function () {
    await store.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const upload = (jobId: string, shard: number, account = operator, manifestRoot = root) =>
    uploadShardResults({
      uploadUrl: store.uploadUrl,
      account,
      manifest: { jobId, shard, root: manifestRoot, commitment: "container-files" },
      files,
      allowRemoteHosts: false,
      shardState: async () => ShardState.Settled,
    });

  it("accepts the operator's upload of a settled shard, serves the manifest to anyone and the files to the developer", async function () {
    chain.shards.set("1/0", { operator: operator.address, state: ShardState.Settled, resultRoot: root });
    const done = await upload("1", 0);
    expect(done.files).to.equal(2);
    const uri = storeResultsUri(store.uploadUrl, 1n, 0);
    expect(uri).to.equal(`${store.url}/v1/store/job-1/shard-0`);
    // The manifest: public, no signature.
    const manifest = (await (await fetch(`${uri}/manifest.json`)).json()) as { root: string; files: unknown[] };
    expect(manifest.root).to.equal(root);
    expect(manifest.files).to.have.length(2);
    // The files: the developer's signed download, checked against the on-chain root.
    const got = await downloadShardResults(uri, developer, path.join(dir, "dl1"), { expectedRoot: root });
    expect(got.root).to.equal(root);
    expect(fs.readFileSync(path.join(dir, "dl1", "output", "a.txt"), "utf8")).to.equal("alpha\n");
    expect(fs.readFileSync(path.join(dir, "dl1", "output", "b", "c.json"), "utf8")).to.equal('{"x":1}');
  });

  it("refuses files to anyone but the job's developer, and a request without a signature or replayed", async function () {
    const fileUrl = `${storeResultsUri(store.uploadUrl, 1n, 0)}/file?path=output%2Fa.txt`;
    const target = new URL(fileUrl);
    const path_ = target.pathname + target.search;
    expect((await fetch(fileUrl)).status).to.equal(401);
    const strangers = await signRequest(stranger, { method: "GET", path: path_, body: "", nonce: requestNonce() });
    const refused = await fetch(fileUrl, { headers: strangers });
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal("STORE_NOT_DEVELOPER");
    const signed = await signRequest(developer, { method: "GET", path: path_, body: "", nonce: requestNonce() });
    const ok = await fetch(fileUrl, { headers: signed });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal("alpha\n");
    expect(ok.headers.get("access-control-allow-origin")).to.equal("*");
    // Without a nonce (version 1) it is refused: each request is answered once.
    const v1 = await signRequest(developer, { method: "GET", path: path_, body: "" });
    expect((await fetch(fileUrl, { headers: v1 })).status).to.equal(401);
    const again = await fetch(fileUrl, { headers: signed });
    expect(again.status).to.equal(401);
    expect(((await again.json()) as { error: { details: { fault: string } } }).error.details.fault).to.equal(
      "replayed",
    );
  });

  it("accepts an upload only from the shard's operator, only once settled, only with the committed root", async function () {
    chain.shards.set("2/0", { operator: operator.address, state: ShardState.Settled, resultRoot: root });
    // Another key than the shard's operator: 403, nothing stored.
    await expectRefused(upload("2", 0, stranger), 403);
    // A root that is not the committed one: 422.
    await expectRefused(upload("2", 0, operator, `0x${"ab".repeat(32)}`), 422);
    expect((await fetch(`${storeResultsUri(store.uploadUrl, 2n, 0)}/manifest.json`)).status).to.equal(404);
    // The committed root but files whose hashes do not recompute it (a file left out): 422.
    const one = new Map([...files].slice(0, 1));
    let err: unknown;
    try {
      await uploadShardResults({
        uploadUrl: store.uploadUrl,
        account: operator,
        manifest: { jobId: "2", shard: 0, root, commitment: "container-files" },
        files: one,
        allowRemoteHosts: false,
        shardState: async () => ShardState.Settled,
      });
    } catch (e) {
      err = e;
    }
    expect((err as ResultsUploadError).details.status).to.equal(422);
    // Not yet settled on-chain (Submitted): 409.
    chain.shards.set("3/0", { operator: operator.address, state: ShardState.Submitted, resultRoot: root });
    await expectRefused(upload("3", 0), 409);
  });

  it("stores under an announced path only the announced bytes, then the shard once every file is in", async function () {
    const gamma = Buffer.from("gamma\n");
    const sha256 = `0x${createHash("sha256").update(gamma).digest("hex")}` as Hex;
    const gammaRoot = commitOutputs({ mode: "files", files: [{ path: "g.txt", sha256, size: gamma.length }] }).root;
    chain.shards.set("4/1", { operator: operator.address, state: ShardState.Settled, resultRoot: gammaRoot });
    const base = storeResultsUri(store.uploadUrl, 4n, 1);
    // A file before any signed manifest: 409, nothing kept.
    expect((await fetch(`${base}/output/g.txt`, { method: "PUT", body: gamma })).status).to.equal(409);
    const text = JSON.stringify({
      jobId: "4",
      shard: 1,
      root: gammaRoot,
      commitment: "container-files",
      files: [{ path: "output/g.txt", sha256, size: gamma.length }],
    });
    const manifestUrl = new URL(`${base}/manifest.json`);
    const headers = await signRequest(operator, {
      method: "PUT",
      path: manifestUrl.pathname,
      body: text,
      nonce: requestNonce(),
    });
    const announced = await fetch(manifestUrl, {
      method: "PUT",
      body: text,
      headers: { ...headers, "content-type": "application/json" },
    });
    expect(announced.status).to.equal(201);
    expect(await announced.json()).to.deep.equal({ state: "waiting", missing: ["output/g.txt"] });
    // The same signed request again: a replay, refused.
    expect(
      (
        await fetch(manifestUrl, {
          method: "PUT",
          body: text,
          headers: { ...headers, "content-type": "application/json" },
        })
      ).status,
    ).to.equal(401);
    // Other bytes of the same length under the announced path: 422, and the shard is not served.
    const forged = await fetch(`${base}/output/g.txt`, { method: "PUT", body: Buffer.from("GAMMA\n") });
    expect(forged.status).to.equal(422);
    expect(((await forged.json()) as { error: { code: string } }).error.code).to.equal("STORE_FILE_MISMATCH");
    expect((await fetch(`${base}/manifest.json`)).status).to.equal(404);
    // Longer than announced: 413 before the body is read.
    expect(
      (await fetch(`${base}/output/g.txt`, { method: "PUT", body: Buffer.from("gamma, longer\n") })).status,
    ).to.equal(413);
    const put = await fetch(`${base}/output/g.txt`, { method: "PUT", body: gamma });
    expect(put.status).to.equal(201);
    expect(await put.json()).to.deep.equal({ state: "stored", missing: 0 });
    expect((await fetch(`${base}/manifest.json`)).status).to.equal(200);
  });

  it("matmul rows: stored only when c.bin's bytes recompute the committed root", async function () {
    const c = Int32Array.from([1, -2, 3, 4, 5, 6]); // 2 rows of 3
    const bytes = Buffer.from(c.buffer);
    const matmulRoot = commitRows(rowHashes(c, 2, 3)).root;
    chain.shards.set("5/0", { operator: operator.address, state: ShardState.Settled, resultRoot: matmulRoot });
    const cBin = path.join(dir, "c.bin");
    const manifest = {
      jobId: "5",
      shard: 0,
      root: matmulRoot,
      commitment: "matmul-rows" as const,
      rowStart: 4,
      rowEnd: 6,
      n: 3,
    };
    // Bytes that are not the committed rows (the manifest names their sha256 honestly): 422, dropped.
    fs.writeFileSync(cBin, Buffer.from(Int32Array.from([9, 9, 9, 9, 9, 9]).buffer));
    const common = {
      uploadUrl: store.uploadUrl,
      account: operator,
      allowRemoteHosts: false,
      shardState: async () => ShardState.Settled,
    };
    let err: unknown;
    try {
      await uploadShardResults({ ...common, manifest, files: new Map([["c.bin", cBin]]) });
    } catch (e) {
      err = e;
    }
    expect((err as ResultsUploadError).details.status).to.equal(422);
    expect((await fetch(`${storeResultsUri(store.uploadUrl, 5n, 0)}/manifest.json`)).status).to.equal(404);
    fs.writeFileSync(cBin, bytes);
    await uploadShardResults({ ...common, manifest, files: new Map([["c.bin", cBin]]) });
    const got = await downloadShardResults(storeResultsUri(store.uploadUrl, 5n, 0), developer, path.join(dir, "dl5"), {
      expectedRoot: matmulRoot,
    });
    expect(got.root).to.equal(matmulRoot);
  });

  it("with the operator's agent gone, the developer's download comes from the store and still checks", async function () {
    // Port 9 on loopback: nothing listens (the operator's machine is down).
    const got = await downloadShardResultsFromSources(
      { resultURI: "http://127.0.0.1:9/v1/results/1/0", storeUri: storeResultsUri(store.uploadUrl, 1n, 0) },
      developer,
      path.join(dir, "dl-fallback"),
      { expectedRoot: root, timeoutMs: 5000 },
    );
    expect(got.source).to.equal("store");
    expect(got.operatorError?.code).to.equal("RESULTS_UNREACHABLE");
    expect(got.root).to.equal(root);
    expect(fs.readFileSync(path.join(dir, "dl-fallback", "output", "a.txt"), "utf8")).to.equal("alpha\n");
    // A committed root the store's files do not make: refused, and the message names both sources.
    let err: unknown;
    try {
      await downloadShardResultsFromSources(
        { resultURI: "http://127.0.0.1:9/v1/results/1/0", storeUri: storeResultsUri(store.uploadUrl, 1n, 0) },
        developer,
        path.join(dir, "dl-bad"),
        { expectedRoot: `0x${"cd".repeat(32)}`, timeoutMs: 5000 },
      );
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.match(/operator failed \(RESULTS_UNREACHABLE.*results store \(.*root/);
    expect(fs.existsSync(path.join(dir, "dl-bad", "output"))).to.equal(false);
  });

  it("drops an announced upload whose files never all came, after pendingTtlSec", async function () {
    const lone = Buffer.from("lonely\n");
    const loneSha = `0x${createHash("sha256").update(lone).digest("hex")}` as Hex;
    const loneRoot = commitOutputs({
      mode: "files",
      files: [{ path: "l.txt", sha256: loneSha, size: lone.length }],
    }).root;
    chain.shards.set("6/1", { operator: operator.address, state: ShardState.Settled, resultRoot: loneRoot });
    const body = JSON.stringify({
      jobId: "6",
      shard: 1,
      root: loneRoot,
      commitment: "container-files",
      files: [{ path: "output/l.txt", sha256: loneSha, size: lone.length }],
    });
    const url = new URL(`${storeResultsUri(store.uploadUrl, 6n, 1)}/manifest.json`);
    const headers = await signRequest(operator, { method: "PUT", path: url.pathname, body, nonce: requestNonce() });
    expect(
      (await fetch(url, { method: "PUT", body, headers: { ...headers, "content-type": "application/json" } })).status,
    ).to.equal(201);
    clock += 61;
    await store.tick();
    expect(
      (await fetch(`${storeResultsUri(store.uploadUrl, 6n, 1)}/output/l.txt`, { method: "PUT", body: lone })).status,
    ).to.equal(409);
    // A stored shard is never dropped.
    expect((await fetch(`${storeResultsUri(store.uploadUrl, 1n, 0)}/manifest.json`)).status).to.equal(200);
  });
});

// Result uploads (PROTOCOL §14.9): files PUT with their sha256, then the manifest signed by the
// operator; loopback only unless allowed; a refusing receiver is an error the agent can retry.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { ResultsNotReleasedError } from "../../agent/results/assertResultsReleased";
import { ResultsUploadError, uploadShardResults } from "../../agent/results/uploadResults";
import { ShardState } from "../../sdk/market/enums";
import { startUploadReceiver, type UploadReceiver } from "./helpers/uploadReceiver";

const account = privateKeyToAccount(`0x${"42".repeat(32)}`);
const ROOT = `0x${"ab".repeat(32)}` as const;
const settled = async () => ShardState.Settled;

describe("agent: result uploads", function () {
  let receiver: UploadReceiver;
  let dir: string;
  const files = new Map<string, string>();

  before(async function () {
    receiver = await startUploadReceiver(9206);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-upload-"));
    fs.mkdirSync(path.join(dir, "0"), { recursive: true });
    fs.writeFileSync(path.join(dir, "0", "out put.txt"), "hello\n");
    fs.writeFileSync(path.join(dir, "c.bin"), Buffer.from([1, 2, 3, 4]));
    files.set("items/0/out put.txt", path.join(dir, "0", "out put.txt"));
    files.set("c.bin", path.join(dir, "c.bin"));
  });

  after(async function () {
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("PUTs the manifest signed by the operator (v2 nonce), then every file with its sha256", async function () {
    const done = await uploadShardResults({
      uploadUrl: receiver.url,
      account,
      manifest: { jobId: "7", shard: 2, root: ROOT, commitment: "container-items", items: 1 },
      files,
      allowRemoteHosts: false,
      shardState: settled,
    });
    expect(done).to.deep.equal({ manifestUrl: `${receiver.url}/job-7/shard-2/manifest.json`, files: 2, bytes: 10 });
    const file = receiver.puts.get("/uploads/job-7/shard-2/items/0/out%20put.txt")!;
    expect(file.body.toString()).to.equal("hello\n");
    expect(file.headers["x-rigel-sha256"]).to.equal(`0x${createHash("sha256").update("hello\n").digest("hex")}`);
    expect(receiver.puts.get("/uploads/job-7/shard-2/c.bin")!.body).to.deep.equal(Buffer.from([1, 2, 3, 4]));
    const manifest = JSON.parse(receiver.puts.get("/uploads/job-7/shard-2/manifest.json")!.body.toString());
    expect(manifest.root).to.equal(ROOT);
    expect(manifest.files.map((f: { path: string; size: number }) => [f.path, f.size])).to.deep.equal([
      ["items/0/out put.txt", 6],
      ["c.bin", 4],
    ]);
    expect(receiver.manifestSigners.get("/uploads/job-7/shard-2/manifest.json")).to.equal(account.address);
  });

  it("refuses a non-loopback host unless allowed, and reports a refusing receiver", async function () {
    const common = {
      account,
      manifest: { jobId: "1", shard: 0, root: ROOT, commitment: "container-files" as const },
      files,
      shardState: settled,
    };
    let err: unknown;
    try {
      await uploadShardResults({ ...common, uploadUrl: "https://93.184.216.34/up", allowRemoteHosts: false });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ResultsUploadError);
    expect((err as ResultsUploadError).code).to.equal("AGENT_UPLOAD_HOST");
    // Regression (issue 18): with remote hosts on, the old rule PUT job-controlled bytes to any
    // loopback port and to private and metadata addresses; now each is refused before a byte is sent.
    for (const uploadUrl of [receiver.url, "http://169.254.169.254/up", "http://10.0.0.1/up"]) {
      const before = receiver.puts.size;
      err = undefined;
      try {
        await uploadShardResults({ ...common, uploadUrl, allowRemoteHosts: true });
      } catch (e) {
        err = e;
      }
      expect((err as ResultsUploadError).code, uploadUrl).to.equal("AGENT_UPLOAD_HOST");
      expect(receiver.puts.size).to.equal(before);
    }
    receiver.failWith = 500;
    err = undefined;
    try {
      await uploadShardResults({ ...common, uploadUrl: receiver.url, allowRemoteHosts: false });
    } catch (e) {
      err = e;
    } finally {
      receiver.failWith = undefined;
    }
    expect((err as ResultsUploadError).code).to.equal("AGENT_UPLOAD_REFUSED");
  });

  // Regression (PROTOCOL §18.7): results were PUT right after `settle` was sent, whatever the chain
  // said, so a shard not yet paid for (Submitted, or ended Failed) was handed to the developer.
  it("results upload before settlement is refused: nothing PUT until the shard is Settled or DeveloperFault", async function () {
    const manifest = { jobId: "9", shard: 1, root: ROOT, commitment: "container-files" as const };
    for (const state of [ShardState.Accepted, ShardState.Submitted, ShardState.Failed, ShardState.Expired]) {
      let err: unknown;
      try {
        await uploadShardResults({
          uploadUrl: receiver.url,
          account,
          manifest,
          files,
          allowRemoteHosts: false,
          shardState: async () => state,
        });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ResultsNotReleasedError);
      expect((err as ResultsNotReleasedError).code).to.equal("AGENT_RESULTS_NOT_RELEASED");
      expect([...receiver.puts.keys()].some((k) => k.startsWith("/uploads/job-9/"))).to.equal(false);
    }
    const done = await uploadShardResults({
      uploadUrl: receiver.url,
      account,
      manifest,
      files,
      allowRemoteHosts: false,
      shardState: async () => ShardState.DeveloperFault,
    });
    expect(done.files).to.equal(2);
    expect(receiver.puts.has("/uploads/job-9/shard-1/manifest.json")).to.equal(true);
  });
});

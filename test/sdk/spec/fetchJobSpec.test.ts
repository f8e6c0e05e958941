import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { fetchJobSpec, jobSpecDataUri, JobSpecFetchError } from "../../../sdk/spec/fetchJobSpec";
import { hashJobSpec } from "../../../sdk/spec/hashJobSpec";
import { parseJobSpec } from "../../../sdk/spec/parseJobSpec";

const spec = parseJobSpec({ kind: "matmul-int8", seed: `0x${"22".repeat(32)}`, m: 64, n: 64, k: 64 });
const { canonical, hash } = hashJobSpec(spec);

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(JobSpecFetchError);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("expected a JobSpecFetchError");
}

describe("sdk/spec/fetchJobSpec", () => {
  it("reads a data: URI and checks the hash", async () => {
    const got = await fetchJobSpec(jobSpecDataUri(spec), hash);
    expect(got.canonical).to.equal(canonical);
    expect(got.spec).to.deep.equal(spec);
  });

  it("reads a file:// URI", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rigel-spec-")), "spec.json");
    fs.writeFileSync(file, canonical);
    const fileRoots = [path.dirname(file)];
    expect((await fetchJobSpec(pathToFileURL(file).href, hash, { fileRoots })).canonical).to.equal(canonical);
    await rejects(fetchJobSpec(pathToFileURL(file).href, hash), /file:\/\/ URLs are not allowed here/);
  });

  // Regression (issue 18): the old rule read file:// specs with a blocking readFileSync anywhere:
  // /dev/zero grew until the process died, and a FIFO froze every agent that saw the job.
  it("refuses /dev/zero and a FIFO without blocking", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-spec-"));
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    const started = Date.now();
    await rejects(
      fetchJobSpec(pathToFileURL(path.join(dir, "fifo")).href, hash, { fileRoots: [dir] }),
      /not a regular file/,
    );
    await rejects(fetchJobSpec("file:///dev/zero", hash, { fileRoots: ["/dev"] }), /not a regular file/);
    expect(Date.now() - started).to.be.below(2_000);
  });

  it("reads http on loopback, and refuses remote hosts unless allowed", async () => {
    const server = http.createServer((_req, res) => res.end(canonical));
    await new Promise<void>((resolve) => server.listen(8629, "127.0.0.1", resolve));
    try {
      expect((await fetchJobSpec("http://127.0.0.1:8629/spec.json", hash)).canonical).to.equal(canonical);
    } finally {
      server.close();
    }
    await rejects(fetchJobSpec("http://93.184.216.34/spec.json", hash), /not allowed by this node's egress policy/);
    await rejects(
      fetchJobSpec("http://127.0.0.1:8629/spec.json", hash, { allowRemoteHosts: true }),
      /not allowed by this node's egress policy/,
    );
  });

  it("refuses a spec that does not hash to the on-chain hash", async () => {
    await rejects(fetchJobSpec(jobSpecDataUri(spec), `0x${"00".repeat(32)}`), /does not hash/);
  });

  it("explains unreadable URIs", async () => {
    await rejects(fetchJobSpec("file:///nonexistent/spec.json", hash, { fileRoots: ["/"] }), /no such file/);
    await rejects(fetchJobSpec("ftp://x/y", hash), /not allowed/);
    await rejects(fetchJobSpec("data:application/json,{oops", hash), /not valid JSON/);
  });
});

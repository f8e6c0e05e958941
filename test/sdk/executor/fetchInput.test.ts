import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { pruneInputCache } from "../../../sdk/executor/pruneInputCache";
import { fetchInput, InputFetchError, InputHashMismatchError } from "../../../sdk/executor/fetchInput";
import { tempDir } from "./dockerTestEnv";

const sha256 = (data: string | Buffer): `0x${string}` => `0x${createHash("sha256").update(data).digest("hex")}`;
const PORT = 8621;

describe("sdk/executor/fetchInput", () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  let requests = 0;
  const body = "served over http\n";

  before(async () => {
    dir = await tempDir("fetch");
    server = http.createServer((req, res) => {
      requests += 1;
      if (req.url === "/data") res.end(body);
      else res.writeHead(404).end("no");
    });
    await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("copies a file:// input into the cache, named by its hash, then reuses it", async () => {
    const file = path.join(dir, "in.txt");
    await fs.writeFile(file, "local bytes");
    const cacheDir = path.join(dir, "cache-file");
    const first = await fetchInput({ uri: pathToFileURL(file).href, sha256: sha256("local bytes"), cacheDir });
    expect(first).to.deep.equal({
      path: path.join(cacheDir, `sha256-${sha256("local bytes").slice(2)}`),
      size: 11,
      cached: false,
    });
    expect(await fs.readFile(first.path, "utf8")).to.equal("local bytes");
    const second = await fetchInput({ uri: pathToFileURL(file).href, sha256: sha256("local bytes"), cacheDir });
    expect(second).to.deep.equal({ ...first, cached: true });
  });

  it("downloads an http input from 127.0.0.1 and checks it", async () => {
    const cacheDir = path.join(dir, "cache-http");
    const seen = requests;
    const got = await fetchInput({
      uri: `${base}/data`,
      sha256: sha256(body).toUpperCase() as `0x${string}`,
      cacheDir,
    });
    expect(got.cached).to.equal(false);
    expect(got.size).to.equal(Buffer.byteLength(body));
    expect(await fs.readFile(got.path, "utf8")).to.equal(body);
    expect(requests - seen).to.equal(1);
  });

  it("keeps nothing when the hash does not match", async () => {
    const cacheDir = path.join(dir, "cache-bad");
    const wrong = sha256("not it");
    const err = await fetchInput({ uri: `${base}/data`, sha256: wrong, cacheDir }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InputHashMismatchError);
    expect((err as InputHashMismatchError).message).to.equal(
      `input ${base}/data has sha256 ${sha256(body)}, the spec says ${wrong}`,
    );
    expect(await fs.readdir(cacheDir)).to.deep.equal([]);
  });

  it("reports HTTP errors, missing files and hosts that are not allowed", async () => {
    const cacheDir = path.join(dir, "cache-errors");
    const h = sha256("x");
    const missing = await fetchInput({ uri: `${base}/nothing`, sha256: h, cacheDir }).catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(InputFetchError);
    expect((missing as Error).message).to.equal(`could not fetch input ${base}/nothing: HTTP 404`);

    const noFile = await fetchInput({ uri: "file:///no/such/file", sha256: h, cacheDir }).catch((e: unknown) => e);
    expect((noFile as Error).message).to.equal("could not fetch input file:///no/such/file: no such file");

    const remote = await fetchInput({ uri: "https://93.184.216.34/x", sha256: h, cacheDir }).catch((e: unknown) => e);
    expect((remote as Error).message).to.equal(
      "could not fetch input https://93.184.216.34/x: address 93.184.216.34 is not allowed by this node's egress policy",
    );
  });

  it("reads file inputs only under the allowed directories, symlinks resolved", async () => {
    const allowed = path.join(dir, "allowed");
    await fs.mkdir(allowed, { recursive: true });
    await fs.writeFile(path.join(allowed, "ok.txt"), "ok");
    await fs.writeFile(path.join(dir, "secret.txt"), "secret");
    await fs.symlink(path.join(dir, "secret.txt"), path.join(allowed, "sneaky.txt"));
    const cacheDir = path.join(dir, "cache-roots");
    const got = await fetchInput({
      uri: pathToFileURL(path.join(allowed, "ok.txt")).href,
      sha256: sha256("ok"),
      cacheDir,
      allowedFileRoots: [allowed],
    });
    expect(got.size).to.equal(2);
    const uri = pathToFileURL(path.join(allowed, "sneaky.txt")).href;
    const err = await fetchInput({ uri, sha256: sha256("secret"), cacheDir, allowedFileRoots: [allowed] }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal(
      `could not fetch input ${uri}: outside the directories allowed for file inputs`,
    );
  });

  it("refuses an input larger than the limit", async () => {
    const cacheDir = path.join(dir, "cache-big");
    const err = await fetchInput({ uri: `${base}/data`, sha256: sha256(body), cacheDir, maxBytes: 4 }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal(`could not fetch input ${base}/data: larger than 4 bytes`);
    expect(await fs.readdir(cacheDir)).to.deep.equal([]);
  });

  it("prunes the cache to its cap, least recently used first, never the input just fetched", async () => {
    const cacheDir = path.join(dir, "cache-lru");
    const roots = [dir];
    const put = async (name: string, bytes: number) => {
      const file = path.join(dir, name);
      await fs.writeFile(file, Buffer.alloc(bytes, name));
      return fetchInput({
        uri: pathToFileURL(file).href,
        sha256: sha256(Buffer.alloc(bytes, name)),
        cacheDir,
        allowedFileRoots: roots,
        cacheMaxBytes: 2500,
      });
    };
    const a = await put("a", 1000);
    const b = await put("b", 1000);
    // `a` used again: now `b` is the least recently used.
    await fs.utimes(b.path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect((await put("a", 1000)).cached).to.equal(true);
    const c = await put("c", 1000);
    const left = await fs.readdir(cacheDir);
    expect(left).to.have.members([path.basename(a.path), path.basename(c.path)]);
    // A cap below one input keeps just that input.
    expect(await pruneInputCache(cacheDir, 10, c.path)).to.have.length(1);
    expect(await fs.readdir(cacheDir)).to.deep.equal([path.basename(c.path)]);
  });
});

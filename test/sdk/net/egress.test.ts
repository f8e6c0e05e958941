import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { addressAllowed, egressOpen, egressPut, egressRead, EgressRefused } from "../../../sdk/net/egress";

const MiB = 1024 * 1024;
/** Loopback is allowed explicitly in these tests: the servers are local. */
const LOCAL = { allowLoopback: true, maxBytes: MiB, totalTimeoutMs: 5_000 };

async function refused(p: Promise<unknown>, reason: string): Promise<EgressRefused> {
  try {
    await p;
  } catch (err) {
    expect(err, (err as Error).message).to.be.instanceOf(EgressRefused);
    expect((err as EgressRefused).reason, (err as Error).message).to.equal(reason);
    return err as EgressRefused;
  }
  return expect.fail(`expected EgressRefused ${reason}`);
}

describe("sdk/net/egress", () => {
  let server: http.Server;
  let base: string;
  const hits: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/ok") return res.end("hello");
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        return res.end();
      }
      if (req.url === "/redirect-local") {
        res.writeHead(301, { location: "/ok" });
        return res.end();
      }
      if (req.url === "/declared-huge") {
        res.writeHead(200, { "content-length": String(1024 * MiB) });
        return res.write(Buffer.alloc(1024));
      }
      if (req.url === "/endless") {
        // No content-length: a stream that never ends; the reader must stop at its limit.
        const chunk = Buffer.alloc(64 * 1024);
        const pump = () => {
          while (res.write(chunk));
        };
        res.on("drain", pump);
        pump();
        return;
      }
      if (req.url === "/silent") return; // never answers
      if (req.method === "PUT") {
        req.resume();
        req.on("end", () => res.writeHead(201).end());
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  describe("addresses", () => {
    it("allows public unicast, and loopback only when asked", () => {
      expect(addressAllowed("93.184.216.34", { allowPublic: true })).to.equal(true);
      expect(addressAllowed("2606:2800:220:1::1", { allowPublic: true })).to.equal(true);
      expect(addressAllowed("127.0.0.1", { allowPublic: true })).to.equal(false);
      expect(addressAllowed("127.0.0.1", { allowLoopback: true })).to.equal(true);
      expect(addressAllowed("::1", { allowLoopback: true })).to.equal(true);
      expect(addressAllowed("93.184.216.34", { allowLoopback: true })).to.equal(false);
    });

    it("never allows private, link-local (metadata), unspecified, multicast or mapped private addresses", () => {
      const all = { allowPublic: true, allowLoopback: true };
      for (const a of [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "not an address",
      ])
        expect(addressAllowed(a, all), a).to.equal(false);
      // A mapped loopback address is loopback.
      expect(addressAllowed("::ffff:127.0.0.1", { allowPublic: true })).to.equal(false);
    });
  });

  describe("http", () => {
    it("reads a loopback URL when loopback is allowed", async () => {
      expect((await egressRead(`${base}/ok`, LOCAL)).toString()).to.equal("hello");
    });

    it("refuses loopback unless the policy allows it (the old rule: any loopback port, always)", async () => {
      await refused(egressRead(`${base}/ok`, { allowPublic: true, maxBytes: MiB }), "address");
      await refused(egressRead(`${base}/ok`, { maxBytes: MiB }), "address");
    });

    it("refuses a name that resolves to loopback at connect time", async () => {
      const before = hits.length;
      const port = (server.address() as AddressInfo).port;
      await refused(egressRead(`http://localhost:${port}/ok`, { allowPublic: true, maxBytes: MiB }), "address");
      expect(hits.length).to.equal(before);
    });

    it("refuses private and metadata literals before connecting", async () => {
      for (const host of ["169.254.169.254", "10.1.2.3", "[fd00:ec2::254]", "[::ffff:a9fe:a9fe]", "0.0.0.0"]) {
        const err = await refused(
          egressRead(`http://${host}/latest/meta-data/`, { allowPublic: true, allowLoopback: true, maxBytes: MiB }),
          "address",
        );
        expect(err.message).to.match(/not allowed/);
      }
    });

    it("never follows a redirect, and names it", async () => {
      const err = await refused(egressRead(`${base}/redirect`, LOCAL), "redirect");
      expect(err.details.location).to.equal("http://169.254.169.254/latest/meta-data/");
      const before = hits.filter((h) => h === "/ok").length;
      await refused(egressRead(`${base}/redirect-local`, LOCAL), "redirect");
      expect(hits.filter((h) => h === "/ok").length).to.equal(before);
    });

    it("refuses a declared size over the limit before reading the body", async () => {
      const err = await refused(egressRead(`${base}/declared-huge`, LOCAL), "too-large");
      expect(err.details.size).to.equal(1024 * MiB);
    });

    it("stops an endless body at the limit while streaming (never buffers past it)", async () => {
      const heap = process.memoryUsage().heapUsed;
      await refused(egressRead(`${base}/endless`, LOCAL), "too-large");
      expect(process.memoryUsage().heapUsed - heap).to.be.below(64 * MiB);
    });

    it("times out a server that never answers", async () => {
      const started = Date.now();
      await refused(egressRead(`${base}/silent`, { ...LOCAL, totalTimeoutMs: 300 }), "timeout");
      expect(Date.now() - started).to.be.below(4_000);
    });

    it("reports a non-2xx status", async () => {
      const err = await refused(egressRead(`${base}/missing`, LOCAL), "status");
      expect(err.details.status).to.equal(404);
    });

    it("refuses other schemes", async () => {
      await refused(egressRead("ftp://127.0.0.1/x", LOCAL), "scheme");
      await refused(egressRead("gopher://127.0.0.1/x", LOCAL), "scheme");
      await refused(egressRead("not a url", LOCAL), "bad-url");
    });

    it("PUTs to an allowed address, and refuses a redirect or a metadata address", async () => {
      expect(await egressPut({ url: `${base}/put`, body: "bytes", headers: {}, policy: LOCAL })).to.equal(201);
      await refused(egressPut({ url: `${base}/redirect`, body: "x", headers: {}, policy: LOCAL }), "redirect");
      await refused(
        egressPut({
          url: "http://169.254.169.254/x",
          body: "x",
          headers: {},
          policy: { allowPublic: true, maxBytes: MiB },
        }),
        "address",
      );
    });
  });

  describe("file://", () => {
    let root: string;
    let outside: string;

    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-egress-root-"));
      outside = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-egress-out-"));
      fs.writeFileSync(path.join(root, "ok.txt"), "inside");
      fs.writeFileSync(path.join(outside, "secret.txt"), "operator's secret");
      fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "link.txt"));
      fs.symlinkSync("/dev/zero", path.join(root, "zero"));
      execFileSync("mkfifo", [path.join(root, "fifo")]);
    });

    after(() => {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    });

    const policy = () => ({ fileRoots: [root], maxBytes: MiB });
    const url = (p: string) => pathToFileURL(p).href;

    it("reads a regular file under a root", async () => {
      expect((await egressRead(url(path.join(root, "ok.txt")), policy())).toString()).to.equal("inside");
    });

    it("refuses file:// when no root is configured", async () => {
      await refused(egressRead(url(path.join(root, "ok.txt")), { maxBytes: MiB }), "file-root");
    });

    it("refuses a path outside the roots, and a symlink out of them", async () => {
      await refused(egressRead(url(path.join(outside, "secret.txt")), policy()), "file-root");
      await refused(egressRead(url(path.join(root, "link.txt")), policy()), "file-root");
      await refused(
        egressRead(url(path.join(root, "..", path.basename(outside), "secret.txt")), policy()),
        "file-root",
      );
    });

    it("refuses /dev/zero (the old rule read it until memory ran out)", async () => {
      await refused(egressRead("file:///dev/zero", { fileRoots: ["/dev"], maxBytes: MiB }), "not-regular-file");
      await refused(
        egressRead(url(path.join(root, "zero")), { fileRoots: [root, "/dev"], maxBytes: MiB }),
        "not-regular-file",
      );
    });

    it("refuses a FIFO without blocking (the old rule's readFileSync froze the process)", async () => {
      const started = Date.now();
      await refused(egressRead(url(path.join(root, "fifo")), policy()), "not-regular-file");
      expect(Date.now() - started).to.be.below(2_000);
    });

    it("refuses a file over the limit", async () => {
      fs.writeFileSync(path.join(root, "big.bin"), Buffer.alloc(MiB + 1));
      await refused(egressOpen(url(path.join(root, "big.bin")), policy()), "too-large");
    });
  });
});

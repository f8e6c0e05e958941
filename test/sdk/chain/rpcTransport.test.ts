// The services' batching JSON-RPC transport (PROTOCOL §20.8): reads made in the same tick reach the
// node as one HTTP request. Old rule (oracle/cli.ts before): `http(url)`, one HTTP request per call
// and viem's 10 s timeout; a proof's 4 reads were 4 requests.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicClient, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { RPC_TRANSPORT_DEFAULTS, rpcTransport } from "../../../sdk/chain/rpcTransport";

/** `n` distinct reads (balances of distinct addresses: viem shares identical calls in flight). */
const reads = (client: PublicClient, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) => client.getBalance({ address: `0x${(i + 1).toString(16).padStart(40, "0")}` })),
  );

interface RpcCall {
  id: number;
  method: string;
}

/** A JSON-RPC stub on 127.0.0.1 (a free port) that answers every call with 0x2a. */
async function stubNode(): Promise<{ url: string; bodies: (RpcCall | RpcCall[])[]; close: () => Promise<void> }> {
  const bodies: (RpcCall | RpcCall[])[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const body = JSON.parse(raw) as RpcCall | RpcCall[];
      bodies.push(body);
      const answer = (c: RpcCall) => ({ jsonrpc: "2.0", id: c.id, result: "0x2a" });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("sdk/chain rpcTransport", function () {
  it("10 balance reads made in the same tick go to the node as one HTTP request of 10 calls", async function () {
    const node = await stubNode();
    try {
      const client = createPublicClient({ chain: hardhat, transport: rpcTransport(node.url) }) as PublicClient;
      const numbers = await reads(client, 10);
      expect(numbers).to.deep.equal(Array(10).fill(42n));
      expect(node.bodies).to.have.length(1);
      const [batch] = node.bodies;
      expect(Array.isArray(batch) && batch.map((c) => c.method)).to.deep.equal(Array(10).fill("eth_getBalance"));
    } finally {
      await node.close();
    }
  });

  it("a batch holds at most batchSize calls: 250 reads are 3 requests (100, 100, 50)", async function () {
    const node = await stubNode();
    try {
      const client = createPublicClient({ chain: hardhat, transport: rpcTransport(node.url) }) as PublicClient;
      await reads(client, 250);
      expect(node.bodies.map((b) => (Array.isArray(b) ? b.length : 1))).to.deep.equal([100, 100, 50]);
    } finally {
      await node.close();
    }
  });

  it("batch false: one HTTP request a call (the old behaviour, for comparison)", async function () {
    const node = await stubNode();
    try {
      const client = createPublicClient({
        chain: hardhat,
        transport: rpcTransport(node.url, { batch: false }),
      }) as PublicClient;
      await reads(client, 3);
      expect(node.bodies).to.have.length(3);
      expect(node.bodies.every((b) => !Array.isArray(b))).to.equal(true);
    } finally {
      await node.close();
    }
  });

  it("defaults: 30 s timeout (not viem's 10 s), 3 retries 250 ms apart; each can be overridden", function () {
    const fallback = rpcTransport("http://127.0.0.1:1")({ chain: hardhat });
    expect(fallback.config.timeout).to.equal(30_000);
    expect(fallback.config.retryCount).to.equal(3);
    expect(fallback.config.retryDelay).to.equal(250);
    expect(RPC_TRANSPORT_DEFAULTS.batch).to.deep.equal({ wait: 0, batchSize: 100 });
    const custom = rpcTransport("http://127.0.0.1:1", { timeout: 5_000, retryCount: 0 })({ chain: hardhat });
    expect(custom.config.timeout).to.equal(5_000);
    expect(custom.config.retryCount).to.equal(0);
  });
});

import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startRpcCounter } from "../../scripts/load/rpcCounter";

// The load run's profile proxy (`npm run load -- --rpc-stats`, PROTOCOL §20.8): it forwards every
// body unchanged and counts one HTTP request per POST and one call per JSON-RPC call, batches included.

describe("scripts/load/rpcCounter", () => {
  it("forwards bodies unchanged and counts requests and calls by method and eth_call function, batches included", async () => {
    const seen: string[] = [];
    const upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x7a69" }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    const port = (upstream.address() as AddressInfo).port;
    const counter = await startRpcCounter({
      upstream: `http://127.0.0.1:${port}`,
      port: 0,
      functionOf: (data) => (data.startsWith("0x12345678") ? "Market.getShard" : data.slice(0, 10)),
    });
    try {
      const post = (body: unknown) =>
        fetch(counter.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const single = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
      const answer = await post(single);
      expect(answer.status).to.equal(200);
      expect(await answer.json()).to.deep.equal({ jsonrpc: "2.0", id: 1, result: "0x7a69" });
      const batch = [
        { jsonrpc: "2.0", id: 2, method: "eth_call", params: [{ to: "0x01", data: "0x12345678aa" }, "latest"] },
        { jsonrpc: "2.0", id: 3, method: "eth_call", params: [{ to: "0x01", data: "0xdeadbeef" }, "latest"] },
        { jsonrpc: "2.0", id: 4, method: "eth_blockNumber", params: [] },
      ];
      await (await post(batch)).text();
      expect(seen).to.deep.equal([JSON.stringify(single), JSON.stringify(batch)]);
      expect(counter.counts()).to.deep.equal({
        requests: 2,
        calls: 4,
        byMethod: { eth_call: 2, eth_chainId: 1, eth_blockNumber: 1 },
        // eth_calls by the function their calldata names.
        byFunction: { "Market.getShard": 1, "0xdeadbeef": 1 },
      });
      counter.reset();
      expect(counter.counts()).to.deep.equal({ requests: 0, calls: 0, byMethod: {}, byFunction: {} });
    } finally {
      await counter.close();
      upstream.close();
    }
  });
});

// A counting JSON-RPC proxy for the load run's profile (`npm run load -- --rpc-stats`): the services
// talk to the node through it, and it counts HTTP requests and JSON-RPC calls by method (a batch
// counts one request and each of its calls). It forwards bodies unchanged; 127.0.0.1 only.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Parameters of {@link startRpcCounter}. */
export interface StartRpcCounterParameters {
  /** The node's URL. */
  upstream: string;
  /** Port on 127.0.0.1 (0: any free one). */
  port: number;
  /** Names an `eth_call`'s function from its calldata (e.g. by selector); its calls are counted by that name too. */
  functionOf?: (data: string) => string;
}

/** What {@link startRpcCounter} returns. */
export interface RpcCounter {
  url: string;
  /** HTTP requests and calls by method since the last {@link reset}. */
  counts(): {
    requests: number;
    calls: number;
    byMethod: Record<string, number>;
    /** `eth_call`s by the function `functionOf` names (empty without it). */
    byFunction: Record<string, number>;
  };
  reset(): void;
  close(): Promise<void>;
}

/** Starts the proxy; resolves once it listens. */
export async function startRpcCounter({ upstream, port, functionOf }: StartRpcCounterParameters): Promise<RpcCounter> {
  let requests = 0;
  let byMethod = new Map<string, number>();
  let byFunction = new Map<string, number>();
  const count = (call: { method?: unknown; params?: unknown } | undefined) => {
    const m = typeof call?.method === "string" ? call.method : "?";
    byMethod.set(m, (byMethod.get(m) ?? 0) + 1);
    const data =
      m === "eth_call" && Array.isArray(call?.params) ? (call.params[0] as { data?: unknown })?.data : undefined;
    if (functionOf && typeof data === "string") {
      const f = functionOf(data);
      byFunction.set(f, (byFunction.get(f) ?? 0) + 1);
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests++;
      try {
        type Call = { method?: unknown; params?: unknown };
        const parsed = JSON.parse(body.toString("utf8")) as Call | Call[];
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) count(call);
      } catch {
        count({ method: "(not JSON)" });
      }
      fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
        async (answer) => {
          const text = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`upstream failed: ${(err as Error).message}`);
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    counts: () => {
      const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
      return {
        requests,
        calls: [...byMethod.values()].reduce((a, b) => a + b, 0),
        byMethod: sorted(byMethod),
        byFunction: sorted(byFunction),
      };
    },
    reset: () => {
      requests = 0;
      byMethod = new Map();
      byFunction = new Map();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

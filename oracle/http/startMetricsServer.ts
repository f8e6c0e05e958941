import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** A metrics-only listener: `GET /metrics` and nothing else, on its own host and port. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the registry's `/metrics` on a separate port (bind it to a private interface), so the
 * public API port need not expose it (PROTOCOL §13, metrics).
 */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"code":"NOT_FOUND","message":"no such route"}');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

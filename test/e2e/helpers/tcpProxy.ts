// A TCP proxy on 127.0.0.1 in front of the Hardhat node: the services talk to the proxy, so a test
// can take the RPC endpoint away (every connection dropped, new ones refused) and bring it back on
// the same port, which is what services see when their RPC node restarts. (A restarted `hardhat
// node` would also lose its chain; this keeps the chain and tests the reconnecting.)
import net from "node:net";

export interface TcpProxy {
  url: string;
  /** Drops every connection and stops listening. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(listenPort: number, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, "127.0.0.1");
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream).pipe(client);
      });
      s.once("error", reject);
      s.listen(listenPort, "127.0.0.1", () => {
        server = s;
        resolve();
      });
    });
  const down = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    url: `http://127.0.0.1:${listenPort}`,
    down,
    up: () => (server ? Promise.resolve() : listen()),
    close: down,
  };
}

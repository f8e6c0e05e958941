// A receiver for result uploads (PROTOCOL §14.9) on 127.0.0.1: keeps every PUT body by path, and
// checks the manifest's signature with the sdk's request verifier.
import http from "node:http";
import type { Address } from "viem";
import { MemoryReplayGuard } from "../../../sdk/auth/replayGuard";
import { verifyRequest } from "../../../sdk/auth/verifyRequest";

export interface UploadReceiver {
  url: string;
  /** Path → body and headers of each PUT received. */
  puts: Map<string, { body: Buffer; headers: http.IncomingHttpHeaders }>;
  /** The signer of each manifest PUT, by path. */
  manifestSigners: Map<string, Address>;
  /** Answer every request with this status instead (e.g. 500). */
  failWith?: number;
  close(): Promise<void>;
}

export async function startUploadReceiver(port: number): Promise<UploadReceiver> {
  const replayGuard = new MemoryReplayGuard();
  const receiver: UploadReceiver = {
    url: `http://127.0.0.1:${port}/uploads`,
    puts: new Map(),
    manifestSigners: new Map(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        if (receiver.failWith) return res.writeHead(receiver.failWith).end();
        if (req.method !== "PUT") return res.writeHead(405).end();
        const body = Buffer.concat(chunks);
        const path = req.url ?? "";
        if (path.endsWith("/manifest.json")) {
          try {
            const signer = await verifyRequest({
              method: "PUT",
              path,
              body: body.toString("utf8"),
              headers: req.headers,
              replayGuard,
            });
            receiver.manifestSigners.set(path, signer);
          } catch {
            return res.writeHead(401).end();
          }
        }
        receiver.puts.set(path, { body, headers: req.headers });
        res.writeHead(201).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return receiver;
}

// The load side of the "oracle-http" bench suite (scripts/bench/oracleHttp.ts), run as a second
// process: POSTs signed proofs to an oracle node with bounded concurrency, count and time, and
// prints the latencies as JSON.
// Input (a JSON file named by env RIGEL_LOAD_FILE): { url, operatorKey, requests: ProofRequest[], total, concurrency, maxSeconds }.
import { readFileSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { signRequest } from "../../sdk/auth/signRequest";

interface LoadInput {
  url: string;
  operatorKey: Hex;
  requests: unknown[];
  total: number;
  concurrency: number;
  maxSeconds: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.env.RIGEL_LOAD_FILE ?? "", "utf8")) as LoadInput;
  const account = privateKeyToAccount(input.operatorKey);
  const started = Date.now();
  const latencies: { ms: number; status: number; first: boolean }[] = [];
  const seen = new Set<number>();
  let next = 0;
  const worker = async () => {
    while (next < input.total && Date.now() - started < input.maxSeconds * 1000) {
      const i = next++;
      const which = i % input.requests.length;
      // Trailing spaces make every body distinct, so that no two requests are one replay.
      const body = JSON.stringify(input.requests[which]) + " ".repeat(i);
      const headers = {
        "content-type": "application/json",
        ...(await signRequest(account, { method: "POST", path: "/v1/proofs", body })),
      };
      const t0 = process.hrtime.bigint();
      const response = await fetch(`${input.url}/v1/proofs`, { method: "POST", headers, body });
      await response.text();
      const first = !seen.has(which);
      seen.add(which);
      latencies.push({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: response.status, first });
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  process.stdout.write(JSON.stringify({ seconds: (Date.now() - started) / 1000, latencies }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});

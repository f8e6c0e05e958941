// `npm run load:node`: how many createJob transactions a second the Hardhat node takes alone (no
// agents, no oracles), under automine and under interval mining: the floor under `npm run load`.
// Each mode sends `--jobs` single-shard creates from 2 developer accounts, in batches of `--batch`
// (each account signs its half with consecutive nonces and sends it raw, then waits for every receipt),
// exactly as the load's developers do, but unpaced.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, http, maxUint256, parseEther, type PublicClient } from "viem";
import { computeTokenAbi } from "../../sdk/contracts/abis";
import { startDevnet } from "../lib/devnet";
import { sendAs } from "../lib/network";
import { measureReadCosts } from "./nodeReadCost";
import { createBatch } from "./runLoad";

const USAGE = `usage: npm run load:node -- [--jobs N] [--batch N] [--modes auto,250,1000] [--reads] [--port P]

How many createJob transactions a second the Hardhat node takes alone (no agents, no oracles),
under each mining mode: the floor under \`npm run load\`. Starts its own node on 127.0.0.1.

  --jobs N     single-shard creates per mode (default 300)
  --batch N    creates sent before waiting for their receipts (default 20)
  --modes M    comma-separated: auto (automine) or an interval in ms (default auto,250,1000)
  --reads      then the node's CPU per call of each read the services make (batched and alone) and
               of a createJob as eth_call, eth_estimateGas and mined transaction (Linux /proc)
  --port P     the node's port (default 8960)
  --help       this text`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      jobs: { type: "string", default: "300" },
      batch: { type: "string", default: "20" },
      port: { type: "string", default: "8960" },
      modes: { type: "string", default: "auto,250,1000" },
      reads: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
} catch (err) {
  fail((err as Error).message);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a whole number above 0, not ${text}`);
  return n;
};
const jobs = positive("jobs", values.jobs);
const batch = positive("batch", values.batch);
const port = positive("port", values.port);
const modes = values.modes!.split(",").map((m) => (m === "auto" ? 0 : positive("modes", m)));

async function main(): Promise<void> {
  const devnet = await startDevnet({
    port,
    workDir: path.join(os.tmpdir(), `rigel-load-node-${port}`),
    developers: 2,
    log: (line) => process.stderr.write(`[node] ${line}\n`),
  });
  try {
    const client = createPublicClient({ chain: devnet.chain, transport: http(devnet.rpcUrl) }) as PublicClient;
    const { JobMarket: market, ComputeToken: rgl } = devnet.deployment.contracts;
    for (const dev of devnet.developers)
      await sendAs(devnet, dev, {
        address: rgl,
        abi: computeTokenAbi,
        functionName: "approve",
        args: [market, maxUint256],
      });
    const deadline = BigInt(Number((await client.getBlock()).timestamp) + 30 * 86_400);
    let seed = 1;
    for (const mode of modes) {
      await client.request({ method: "evm_setAutomine" as never, params: [mode === 0] as never });
      if (mode > 0) await client.request({ method: "evm_setIntervalMining" as never, params: [mode] as never });
      const nonces = await Promise.all(
        devnet.developers.map((d) => client.getTransactionCount({ address: d.address, blockTag: "pending" })),
      );
      const firstBlock = await client.getBlockNumber({ cacheTime: 0 });
      const t0 = Date.now();
      for (let first = 0; first < jobs; first += batch) {
        const count = Math.min(batch, jobs - first);
        const per = Math.ceil(count / devnet.developers.length);
        await Promise.all(
          devnet.developers.map(async (dev, d) => {
            const n = Math.max(0, Math.min(per, count - d * per));
            if (n === 0) return;
            const s = seed;
            await createBatch(
              devnet,
              client,
              dev,
              nonces[d],
              (i) => ({ paymentToken: rgl, seed: BigInt(s + i), size: 32, price: parseEther("1") / 1000n, deadline }),
              d * per,
              n,
            );
            nonces[d] += n;
          }),
        );
        seed += count;
      }
      const seconds = (Date.now() - t0) / 1000;
      const blocks = (await client.getBlockNumber({ cacheTime: 0 })) - firstBlock;
      if (mode > 0) await client.request({ method: "evm_setIntervalMining" as never, params: [0] as never });
      process.stdout.write(
        `mining ${mode === 0 ? "auto" : `interval ${mode} ms`}: ${jobs} createJob in ${seconds.toFixed(1)} s = ` +
          `${(jobs / seconds).toFixed(1)} tx/s (${blocks} blocks; load average ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(" ")})\n`,
      );
    }
    if (values.reads) {
      await client.request({ method: "evm_setAutomine" as never, params: [true] as never });
      await client.request({ method: "hardhat_setLoggingEnabled" as never, params: [false] as never });
      for (const line of await measureReadCosts(devnet, client, { jobs, deadline, seed }))
        process.stdout.write(`${line}\n`);
    }
  } finally {
    await devnet.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

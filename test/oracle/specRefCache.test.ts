// The oracle reads each job's spec reference from its JobCreated log once (PROTOCOL §20.3, §20.8):
// by the indexed jobId topic, from the block of the latest known earlier job, then from a bounded cache.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { network } from "hardhat";
import { createPublicClient, custom, type Hex, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { deployProtocol, type Protocol } from "../../fixtures/protocolFixture";
import { createMatmulJob, matmulSpec } from "../../fixtures/oracleHarness";
import { MarketReader } from "../../oracle/chain/marketReader";
import { SpecRefCache } from "../../oracle/chain/specRefCache";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { jobSpecDataUri } from "../../sdk/spec/jobSpecDataUri";

/** A public client on the in-process chain that records the `fromBlock` of every eth_getLogs it sends. */
function countingClient(): { client: PublicClient; logReads: bigint[] } {
  const logReads: bigint[] = [];
  const client = createPublicClient({
    chain: hardhat,
    transport: custom({
      request: (args: { method: string; params?: unknown }) => {
        if (args.method === "eth_getLogs") {
          const [filter] = args.params as [{ fromBlock: Hex }];
          logReads.push(BigInt(filter.fromBlock));
        }
        return network.provider.request(args as Parameters<typeof network.provider.request>[0]);
      },
    }),
  }) as PublicClient;
  return { client, logReads };
}

const JOBS = 30;

async function jobsCreated(): Promise<{ p: Protocol; jobs: { id: bigint; seed: string; block: bigint }[] }> {
  const p = await loadFixture(deployProtocol);
  const jobs: { id: bigint; seed: string; block: bigint }[] = [];
  for (let i = 0; i < JOBS; i++) {
    const seed = (i + 16).toString(16).padStart(2, "0");
    const id = await createMatmulJob(p, matmulSpec(seed, 8, 8, 8), 1);
    jobs.push({ id, seed, block: BigInt((await network.provider.request({ method: "eth_blockNumber" })) as string) });
  }
  return { p, jobs };
}

async function readerOn(p: Protocol, client: PublicClient, specCacheSize?: number): Promise<MarketReader> {
  return new MarketReader(client, (await p.market.getAddress()) as Hex, (await p.committee.getAddress()) as Hex, {
    specCacheSize,
  });
}

describe("oracle: each job's spec reference is read from its JobCreated log once (PROTOCOL §20.3)", function () {
  it(`${JOBS} jobs, each asked for by three proofs at once and again later: ${JOBS} log reads, every spec its own`, async function () {
    const { p, jobs } = await jobsCreated();
    const { client, logReads } = countingClient();
    const reader = await readerOn(p, client);
    for (let round = 0; round < 2; round++) {
      for (const job of jobs) {
        const refs = await Promise.all([reader.specOf(job.id), reader.specOf(job.id), reader.specOf(job.id)]);
        const spec = matmulSpec(job.seed, 8, 8, 8);
        for (const ref of refs)
          expect(ref).to.deep.equal({ specHash: hashJobSpec(spec).hash, specURI: jobSpecDataUri(spec) });
      }
    }
    expect(logReads).to.have.length(JOBS);
    // The first read starts at the deployment block given (0 here); each later one at the block of the job before.
    expect(logReads[0]).to.equal(0n);
    for (let i = 1; i < JOBS; i++) expect(logReads[i]).to.equal(jobs[i - 1].block, `job ${i}`);
    expect(reader.specs.size).to.equal(JOBS);
  });

  it("a job not created yet reads as undefined and is not cached: asked again, it is read again", async function () {
    const { p, jobs } = await jobsCreated();
    const { client, logReads } = countingClient();
    const reader = await readerOn(p, client);
    const unknown = jobs[jobs.length - 1].id + 1n;
    expect(await reader.specOf(unknown)).to.equal(undefined);
    expect(await reader.specOf(unknown)).to.equal(undefined);
    expect(logReads).to.have.length(2);
    expect(reader.specs.size).to.equal(0);
  });

  it("the cache is bounded: with 8 places, 30 jobs keep the last 8, and the first job is read again, correctly", async function () {
    const { p, jobs } = await jobsCreated();
    const { client, logReads } = countingClient();
    const reader = await readerOn(p, client, 8);
    for (const job of jobs) await reader.specOf(job.id);
    expect(reader.specs.size).to.equal(8);
    expect(logReads).to.have.length(JOBS);
    const first = matmulSpec(jobs[0].seed, 8, 8, 8);
    expect(await reader.specOf(jobs[0].id)).to.deep.equal({
      specHash: hashJobSpec(first).hash,
      specURI: jobSpecDataUri(first),
    });
    expect(logReads).to.have.length(JOBS + 1);
    // No held job has a smaller id: the read starts at the floor again.
    expect(logReads[JOBS]).to.equal(0n);
    // The last job is still held: no read.
    await reader.specOf(jobs[JOBS - 1].id);
    expect(logReads).to.have.length(JOBS + 1);
  });
});

describe("SpecRefCache", function () {
  const ref = (block: bigint) => ({ specHash: `0x${"11".repeat(32)}` as Hex, specURI: "data:,x", block });

  it("evicts the least recently used job, not the oldest inserted", function () {
    const cache = new SpecRefCache(2, 5n);
    cache.set(1n, ref(10n));
    cache.set(2n, ref(11n));
    cache.get(1n); // 1 is now the most recently used
    cache.set(3n, ref(12n));
    expect(cache.get(2n)).to.equal(undefined);
    expect(cache.get(1n)?.block).to.equal(10n);
    expect(cache.get(3n)?.block).to.equal(12n);
  });

  it("fromBlockOf: the latest block of a held job with a smaller id, else the floor", function () {
    const cache = new SpecRefCache(10, 5n);
    expect(cache.fromBlockOf(7n)).to.equal(5n);
    cache.set(3n, ref(20n));
    cache.set(6n, ref(40n));
    cache.set(9n, ref(90n));
    expect(cache.fromBlockOf(2n)).to.equal(5n);
    expect(cache.fromBlockOf(4n)).to.equal(20n);
    expect(cache.fromBlockOf(7n)).to.equal(40n);
    expect(cache.fromBlockOf(100n)).to.equal(90n);
  });

  it("refuses a capacity below 1", function () {
    expect(() => new SpecRefCache(0, 0n)).to.throw(/capacity/);
  });
});

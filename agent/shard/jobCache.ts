import type { Hex } from "viem";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import type { ChainJob } from "../chain/agentChain";

/** The on-chain job without its escrow, the one field that changes after `createJob` (settlements draw on it). */
export type ImmutableJob = Omit<ChainJob, "escrow">;

/** Where the cache reads from: the chain's `getJob`, and the spec fetched and checked against its hash. */
export interface JobCacheSource {
  job(jobId: bigint): Promise<ImmutableJob>;
  spec(uri: string, specHash: Hex): Promise<JobSpec>;
}

interface Cached {
  job?: Promise<ImmutableJob>;
  spec?: Promise<JobSpec>;
}

/**
 * The immutable facts of the jobs the agent works on, read once per job (every shard of a job and
 * every step of a shard share them): the on-chain job and its spec, fetched and re-hashed once
 * (`fetchJobSpec`). A read that fails is forgotten, so the next step tries again. Bounded: beyond
 * `limit` jobs the one read longest ago goes first.
 */
export class JobCache {
  private readonly jobs = new Map<string, Cached>();

  constructor(
    private readonly source: JobCacheSource,
    private readonly limit = 64,
  ) {}

  /** The on-chain job (deadline, shard count, units cap, kind, spec hash…): never its escrow. */
  job(jobId: bigint): Promise<ImmutableJob> {
    const cached = this.slot(jobId);
    if (!cached.job) cached.job = this.remember(jobId, "job", this.source.job(jobId));
    return cached.job;
  }

  /** The job's spec, from the URI journaled when the shard was taken, checked against its on-chain hash. */
  spec(jobId: bigint, uri: string, specHash: Hex): Promise<JobSpec> {
    const cached = this.slot(jobId);
    if (!cached.spec) cached.spec = this.remember(jobId, "spec", this.source.spec(uri, specHash));
    return cached.spec;
  }

  private slot(jobId: bigint): Cached {
    const key = jobId.toString();
    let cached = this.jobs.get(key);
    if (!cached) {
      cached = {};
      this.jobs.set(key, cached);
      if (this.jobs.size > this.limit) this.jobs.delete(this.jobs.keys().next().value as string);
    }
    return cached;
  }

  private remember<T>(jobId: bigint, field: keyof Cached, read: Promise<T>): Promise<T> {
    read.catch(() => {
      const cached = this.jobs.get(jobId.toString());
      if (cached) delete cached[field];
    });
    return read;
  }
}

import { getAddress, type Address, type Hex, type PublicClient } from "viem";
import { RecentMap } from "../../sdk/memo/recentMap";
import { jobMarketAbi, operatorStakingAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { RigelError } from "../../sdk/errors/RigelError";
import { jobCreatedEvent } from "../../sdk/market/events";
import { MarketUnknownJobError, readJob } from "../../sdk/market/readJob";
import { readShard } from "../../sdk/market/readShard";
import { SpecRefCache } from "./specRefCache";

/** The shard fields the oracle checks a proof against. */
export interface ChainShard {
  state: number;
  operator: Address;
  submittedAt: bigint;
  submittedBlock: bigint;
  units: bigint;
  resultRoot: Hex;
  /** The verify window snapshotted when the shard was accepted (PROTOCOL §20.2; 0 while Open). */
  verifyWindow: bigint;
}

/** The job fields the oracle needs. */
export interface ChainJob {
  shards: number;
  maxUnitsPerShard: bigint;
  kind: number;
  verificationMode: number;
}

/**
 * What a claim of an assigned shard is checked against (PROTOCOL §20.10): the shard's assigned
 * operator (the zero address unless the shard is Open and assigned), the job's terms and whether it
 * is a gang, the collateral an accept would lock.
 */
export interface ClaimTerms {
  assignedOperator: Address;
  shards: number;
  maxUnitsPerShard: bigint;
  kind: number;
  verificationMode: number;
  deadline: bigint;
  minVramMiB: number;
  minOpsPerSec: bigint;
  gang: boolean;
  collateral: bigint;
}

/** The job's terms that never change after `createJob` (everything of {@link ClaimTerms} but the assignment and collateral). */
type FixedJobTerms = Omit<ClaimTerms, "assignedOperator" | "collateral">;

/** Jobs whose fixed terms a reader keeps (least recently used first out). */
const FIXED_TERMS_KEPT = 4096;

/** `OperatorStaking.eligibilityOf`: what `accept` checks of an operator. */
export interface OperatorEligibility {
  registered: boolean;
  jailedUntil: bigint;
  opsPerSec: bigint;
  vramMiB: number;
  capacityValidUntil: bigint;
  freeStake: bigint;
}

/** What the job's `JobCreated` log says and storage does not keep (PROTOCOL §20.3). */
export interface JobSpecRef {
  specHash: Hex;
  specURI: string;
}

/** The RPC failed while the node read the chain: retry later (HTTP 503). */
export class ChainUnavailableError extends RigelError {
  override readonly name = "ChainUnavailableError";
  readonly status = 503;
  constructor(what: string, cause: unknown) {
    super("ORACLE_CHAIN_UNAVAILABLE", `could not read ${what} from the chain`, { cause, details: { what } });
  }
}

/**
 * What the oracle reads from JobMarket and OracleCommittee, behind one interface so that tests can
 * swap it. Every read error becomes {@link ChainUnavailableError}.
 */
export class MarketReader {
  /** Jobs' spec references, each read from its `JobCreated` log once (PROTOCOL §20.3). */
  readonly specs: SpecRefCache;
  /** Spec reads in flight, so that concurrent proofs of one job share one log read. */
  private readonly specReads = new Map<bigint, Promise<JobSpecRef | undefined>>();
  /** OperatorStaking's address, read from the market once. */
  private staking?: Address;
  /**
   * Each job's fixed terms, read once (a job and its gang record, two calls): a claim and then each
   * proof of it used to read the whole job again, three oracles each, per shard.
   */
  private readonly fixedTerms = new RecentMap<bigint, Promise<FixedJobTerms>>(FIXED_TERMS_KEPT);

  /**
   * @param options.fromBlock the market's deployment block: no `JobCreated` log is older (default 0).
   * @param options.specCacheSize jobs whose spec reference is kept (default 4,096).
   */
  constructor(
    readonly client: PublicClient,
    readonly market: Address,
    readonly committee: Address,
    options: { fromBlock?: bigint; specCacheSize?: number } = {},
  ) {
    this.specs = new SpecRefCache(options.specCacheSize ?? 4096, options.fromBlock ?? 0n);
  }

  private async read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // Not the RPC: the chain answered that there is no such job.
      if (err instanceof MarketUnknownJobError) throw err;
      throw new ChainUnavailableError(what, err);
    }
  }

  getShard(jobId: bigint, shard: number): Promise<ChainShard> {
    return this.read("shard", async () => {
      const s = await readShard(this.client, { market: this.market, jobId, shard });
      return {
        state: Number(s.state),
        operator: s.operator,
        submittedAt: BigInt(s.submittedAt),
        submittedBlock: BigInt(s.submittedBlock),
        units: BigInt(s.units),
        resultRoot: s.resultRoot,
        verifyWindow: BigInt(s.verifyWindow),
      };
    });
  }

  getJob(jobId: bigint): Promise<ChainJob> {
    return this.read("job", async () => {
      const t = await this.jobTerms(jobId);
      return {
        shards: t.shards,
        maxUnitsPerShard: t.maxUnitsPerShard,
        kind: t.kind,
        verificationMode: t.verificationMode,
      };
    });
  }

  /** A job's fixed terms, read once and kept (an unknown job or a failed read is not kept). */
  private jobTerms(jobId: bigint): Promise<FixedJobTerms> {
    let terms = this.fixedTerms.get(jobId);
    if (terms) return terms;
    terms = (async () => {
      const [job, gang] = await Promise.all([
        readJob(this.client, { market: this.market, jobId }),
        this.client.readContract({ address: this.market, abi: jobMarketAbi, functionName: "gangOf", args: [jobId] }),
      ]);
      return {
        shards: Number(job.shards),
        maxUnitsPerShard: BigInt(job.maxUnitsPerShard),
        kind: Number(job.kind),
        verificationMode: Number(job.verificationMode),
        deadline: BigInt(job.deadline),
        minVramMiB: Number(job.minVramMiB),
        minOpsPerSec: BigInt(job.minOpsPerSec),
        gang: gang.acceptDeadline !== 0n,
      };
    })();
    this.fixedTerms.set(jobId, terms);
    terms.catch(() => this.fixedTerms.delete(jobId));
    return terms;
  }

  /** The shard's assigned operator while it is Open (zero otherwise), PROTOCOL §20.9-§20.10. */
  assignedOperator(jobId: bigint, shard: number): Promise<Address> {
    return this.read("assigned operator", async () =>
      getAddress(
        await this.client.readContract({
          address: this.market,
          abi: jobMarketAbi,
          functionName: "assignedOperator",
          args: [jobId, shard],
        }),
      ),
    );
  }

  /**
   * The facts a claim is checked against (PROTOCOL §20.10): the assignment and the collateral read
   * now, the job's fixed terms from {@link jobTerms}.
   */
  claimTerms(jobId: bigint, shard: number): Promise<ClaimTerms> {
    return this.read("claim terms", async () => {
      const at = { address: this.market, abi: jobMarketAbi } as const;
      const [assigned, fixed, collateral] = await Promise.all([
        this.client.readContract({ ...at, functionName: "assignedOperator", args: [jobId, shard] }),
        this.jobTerms(jobId),
        this.client.readContract({ ...at, functionName: "collateralFor", args: [jobId] }),
      ]);
      return { ...fixed, assignedOperator: getAddress(assigned), collateral };
    });
  }

  /** The staking contract's view of an operator, as `accept` reads it (`eligibilityOf`). */
  eligibilityOf(operator: Address): Promise<OperatorEligibility> {
    return this.read("operator eligibility", async () => {
      this.staking ??= await this.client.readContract({
        address: this.market,
        abi: jobMarketAbi,
        functionName: "staking",
      });
      const e = await this.client.readContract({
        address: this.staking,
        abi: operatorStakingAbi,
        functionName: "eligibilityOf",
        args: [operator],
      });
      return {
        registered: e.registered,
        jailedUntil: BigInt(e.jailedUntil),
        opsPerSec: BigInt(e.opsPerSec),
        vramMiB: Number(e.vramMiB),
        capacityValidUntil: BigInt(e.capacityValidUntil),
        freeStake: e.freeStake,
      };
    });
  }

  /**
   * The spec hash and URI, from the job's `JobCreated` log (neither is stored on-chain). Read once per
   * job (then cached), by the indexed jobId topic, from the block of the latest held job with a
   * smaller id (ids are issued in order) or the deployment block: never a scan from block 0.
   */
  specOf(jobId: bigint): Promise<JobSpecRef | undefined> {
    const held = this.specs.get(jobId);
    if (held) return Promise.resolve({ specHash: held.specHash, specURI: held.specURI });
    let read = this.specReads.get(jobId);
    if (!read) {
      read = this.readSpec(jobId).finally(() => this.specReads.delete(jobId));
      this.specReads.set(jobId, read);
    }
    return read;
  }

  private readSpec(jobId: bigint): Promise<JobSpecRef | undefined> {
    return this.read("spec URI", async () => {
      const logs = await this.client.getLogs({
        address: this.market,
        event: jobCreatedEvent,
        args: { jobId },
        fromBlock: this.specs.fromBlockOf(jobId),
        toBlock: "latest",
        strict: true,
      });
      const log = logs[0];
      if (!log) return undefined; // not created yet as this node reads it: not cached, asked again later
      const ref = { specHash: log.args.specHash, specURI: log.args.specURI };
      if (log.blockNumber !== null) this.specs.set(jobId, { ...ref, block: log.blockNumber });
      return ref;
    });
  }

  threshold(): Promise<number> {
    return this.read("threshold", async () =>
      Number(
        await this.client.readContract({
          address: this.committee,
          abi: oracleCommitteeAbi,
          functionName: "threshold",
        }),
      ),
    );
  }

  isActiveSigner(signer: Address): Promise<boolean> {
    return this.read("committee membership", () =>
      this.client.readContract({
        address: this.committee,
        abi: oracleCommitteeAbi,
        functionName: "isActiveSigner",
        args: [signer],
      }),
    );
  }

  blockHash(blockNumber: bigint): Promise<Hex> {
    return this.read("block hash", async () => {
      const block = await this.client.getBlock({ blockNumber });
      if (!block.hash) throw new Error(`block ${blockNumber} has no hash`);
      return block.hash;
    });
  }

  /** The latest block's timestamp: the chain's clock. */
  chainTime(): Promise<bigint> {
    return this.read("chain time", async () => (await this.client.getBlock({ blockTag: "latest" })).timestamp);
  }
}

import type { Address, Hex, PublicClient } from "viem";
import { oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { RigelError } from "../../sdk/errors/RigelError";
import { jobCreatedEvent } from "../../sdk/market/events";
import { MarketUnknownJobError, readJob } from "../../sdk/market/readJob";
import { readShard } from "../../sdk/market/readShard";

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
  constructor(
    readonly client: PublicClient,
    readonly market: Address,
    readonly committee: Address,
  ) {}

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
      const j = await readJob(this.client, { market: this.market, jobId });
      return {
        shards: Number(j.shards),
        maxUnitsPerShard: BigInt(j.maxUnitsPerShard),
        kind: Number(j.kind),
        verificationMode: Number(j.verificationMode),
      };
    });
  }

  /** The spec hash and URI, from the job's `JobCreated` log (neither is stored on-chain). */
  specOf(jobId: bigint): Promise<JobSpecRef | undefined> {
    return this.read("spec URI", async () => {
      const logs = await this.client.getLogs({
        address: this.market,
        event: jobCreatedEvent,
        args: { jobId },
        fromBlock: 0n,
        toBlock: "latest",
        strict: true,
      });
      const args = logs[0]?.args;
      return args && { specHash: args.specHash, specURI: args.specURI };
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

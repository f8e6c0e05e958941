import { parseAbiItem, type Address, type Hex, type PublicClient } from "viem";
import { jobMarketAbi, oracleCommitteeAbi } from "../../sdk/contracts/abis";
import { RigelError } from "../../sdk/errors/RigelError";

/** `IJobMarket.ShardState`. */
export const ShardState = {
  Open: 0,
  Accepted: 1,
  Submitted: 2,
  Settled: 3,
  Failed: 4,
  Cancelled: 5,
  Expired: 6,
} as const;

/** The shard fields the oracle checks a proof against. */
export interface ChainShard {
  state: number;
  operator: Address;
  submittedAt: bigint;
  submittedBlock: bigint;
  units: bigint;
  resultRoot: Hex;
  resultURI: string;
}

/** The job fields the oracle needs. */
export interface ChainJob {
  shards: number;
  maxUnitsPerShard: bigint;
  kind: number;
  verificationMode: number;
  specHash: Hex;
}

/** The RPC failed while the node read the chain: retry later (HTTP 503). */
export class ChainUnavailableError extends RigelError {
  override readonly name = "ChainUnavailableError";
  readonly status = 503;
  constructor(what: string, cause: unknown) {
    super("ORACLE_CHAIN_UNAVAILABLE", `could not read ${what} from the chain`, { cause, details: { what } });
  }
}

const JOB_CREATED = parseAbiItem(
  "event JobCreated(uint256 indexed jobId, address indexed developer, address indexed paymentToken, (address developer, uint64 deadline, uint32 shards, address paymentToken, uint64 maxUnitsPerShard, uint32 minVramMiB, uint128 maxPricePerUnit, uint64 minOpsPerSec, uint8 kind, uint8 verificationMode, bytes32 specHash, uint256 escrow) job, string specURI)",
);

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
      throw new ChainUnavailableError(what, err);
    }
  }

  getShard(jobId: bigint, shard: number): Promise<ChainShard> {
    return this.read("shard", async () => {
      const s = await this.client.readContract({
        address: this.market,
        abi: jobMarketAbi,
        functionName: "getShard",
        args: [jobId, shard],
      });
      return {
        state: Number(s.state),
        operator: s.operator,
        submittedAt: BigInt(s.submittedAt),
        submittedBlock: BigInt(s.submittedBlock),
        units: BigInt(s.units),
        resultRoot: s.resultRoot,
        resultURI: s.resultURI,
      };
    });
  }

  getJob(jobId: bigint): Promise<ChainJob> {
    return this.read("job", async () => {
      const j = await this.client.readContract({
        address: this.market,
        abi: jobMarketAbi,
        functionName: "getJob",
        args: [jobId],
      });
      return {
        shards: Number(j.shards),
        maxUnitsPerShard: BigInt(j.maxUnitsPerShard),
        kind: Number(j.kind),
        verificationMode: Number(j.verificationMode),
        specHash: j.specHash,
      };
    });
  }

  /** The spec URI, from the job's `JobCreated` log (it is not stored on-chain). */
  specUri(jobId: bigint): Promise<string | undefined> {
    return this.read("spec URI", async () => {
      const logs = await this.client.getLogs({
        address: this.market,
        event: JOB_CREATED,
        args: { jobId },
        fromBlock: 0n,
        toBlock: "latest",
        strict: true,
      });
      return logs[0]?.args.specURI;
    });
  }

  verifyWindow(): Promise<bigint> {
    return this.read("verify window", async () => {
      const p = await this.client.readContract({ address: this.market, abi: jobMarketAbi, functionName: "params" });
      return BigInt(p.verifyWindow);
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

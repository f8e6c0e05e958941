import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { computeTokenAbi, jobMarketAbi, operatorStakingAbi, rewardsDistributorAbi } from "../../sdk/contracts/abis";
import type { Deployment } from "../../sdk/contracts/deployments";
import { RigelError } from "../../sdk/errors/RigelError";
import { readJob } from "../../sdk/market/readJob";
import { readShard } from "../../sdk/market/readShard";
import type { CapacityAttestation, ShardAttestation } from "../../sdk/eip712/types";
import { FeeBumpSender, type FeeBumpPolicy, type PendingTx } from "../../sdk/chain/sendWithFeeBump";
import type { Logger } from "../../sdk/log/createLogger";

/** A transaction that reverted or could not be sent; `details.reason` holds the decoded revert when known. */
export class AgentTxError extends RigelError {
  override readonly name = "AgentTxError";
}

/** What `AgentChain.create` needs: a transport (http to an RPC, or an in-process provider in tests). */
export interface AgentChainParameters {
  transport: Transport;
  chain?: Chain;
  account: LocalAccount;
  deployment: Pick<Deployment, "chainId" | "contracts" | "block">;
  /**
   * Replace a transaction not mined in time (PROTOCOL §14.2, sdk/chain `FeeBumpSender`); default
   * 60 s and 500 gwei (config `txBumpAfterMs`, `txMaxFeeGwei`).
   */
  feeBump?: FeeBumpPolicy;
  /** Where replacements are logged. */
  logger?: Logger;
}

/** The default {@link FeeBumpPolicy} of an agent: replace after 60 s, never offer over 500 gwei. */
export const DEFAULT_FEE_BUMP: FeeBumpPolicy = { bumpAfterMs: 60_000, maxFeePerGas: 500n * 10n ** 9n };

export type ChainJob = Awaited<ReturnType<AgentChain["getJob"]>>;
export type ChainShard = Awaited<ReturnType<AgentChain["getShard"]>>;

/**
 * The agent's typed view of the protocol contracts: the reads it decides with and the writes it makes,
 * each write waiting for its receipt and turning a revert into {@link AgentTxError}.
 */
export class AgentChain {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient;
  readonly account: LocalAccount;
  readonly contracts: Deployment["contracts"];
  readonly chainId: number;
  readonly startBlock: bigint;
  /** Sends are serialised: one account, one nonce sequence (concurrent shards would collide). */
  private sendQueue: Promise<unknown> = Promise.resolve();
  private verifyWindowSec: bigint | undefined;
  private readonly sender: FeeBumpSender;

  constructor(p: AgentChainParameters) {
    const chain =
      p.chain ??
      ({
        id: p.deployment.chainId,
        name: `chain-${p.deployment.chainId}`,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [] } },
      } as Chain);
    this.publicClient = createPublicClient({ transport: p.transport, chain, pollingInterval: 100 }) as PublicClient;
    this.walletClient = createWalletClient({ transport: p.transport, chain, account: p.account });
    this.account = p.account;
    this.contracts = p.deployment.contracts;
    this.chainId = p.deployment.chainId;
    this.startBlock = p.deployment.block;
    this.sender = new FeeBumpSender({
      publicClient: this.publicClient,
      walletClient: this.walletClient,
      account: p.account,
      chain,
      policy: p.feeBump ?? DEFAULT_FEE_BUMP,
      logger: p.logger,
    });
  }

  get address(): Address {
    return this.account.address;
  }

  /** The job as stored (sdk `readJob`: an unknown id throws `MarketUnknownJobError`). */
  getJob(jobId: bigint) {
    return readJob(this.publicClient, { market: this.contracts.JobMarket, jobId });
  }

  getShard(jobId: bigint, shard: number) {
    return readShard(this.publicClient, { market: this.contracts.JobMarket, jobId, shard });
  }

  assignedOperator(jobId: bigint, shard: number): Promise<Address> {
    return this.publicClient.readContract({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "assignedOperator",
      args: [jobId, shard],
    });
  }

  /** The job's gang state (all zero for a plain job; `acceptDeadline > 0` marks a gang, §9.7). */
  gangOf(jobId: bigint) {
    return this.publicClient.readContract({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "gangOf",
      args: [jobId],
    });
  }

  collateralFor(jobId: bigint): Promise<bigint> {
    return this.publicClient.readContract({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "collateralFor",
      args: [jobId],
    });
  }

  operatorInfo(operator: Address = this.address) {
    return this.publicClient.readContract({
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "operatorInfo",
      args: [operator],
    });
  }

  capacityOf(operator: Address = this.address) {
    return this.publicClient.readContract({
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "capacityOf",
      args: [operator],
    });
  }

  operatorStats(operator: Address = this.address) {
    return this.publicClient.readContract({
      address: this.contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "operatorStats",
      args: [operator],
    });
  }

  operatorRecord(operator: Address = this.address) {
    return this.publicClient.readContract({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "operatorRecord",
      args: [operator],
    });
  }

  rglBalance(owner: Address = this.address): Promise<bigint> {
    return this.publicClient.readContract({
      address: this.contracts.ComputeToken,
      abi: computeTokenAbi,
      functionName: "balanceOf",
      args: [owner],
    });
  }

  async latestTimestamp(): Promise<bigint> {
    return (await this.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  }

  /** Sends a call to one of the protocol contracts and waits for it to be mined; reverts throw. */
  private async send(
    what: string,
    request: { address: Address; abi: readonly unknown[]; functionName: string; args: readonly unknown[] },
  ): Promise<{ hash: Hex; blockNumber: bigint }> {
    const write = async (): Promise<PendingTx> => {
      const { request: simulated } = await this.publicClient.simulateContract({
        ...(request as Parameters<PublicClient["simulateContract"]>[0]),
        account: this.account,
      });
      // Headroom over the estimate: the state can change between estimate and inclusion (the last
      // accept of a gang also writes its start; another agent's accept may land first). Unused gas is
      // not charged.
      const estimate = await this.publicClient.estimateContractGas(
        simulated as Parameters<PublicClient["estimateContractGas"]>[0],
      );
      // Sent by the fee-bump sender: a transaction not mined in time is replaced with higher fees.
      return this.sender.broadcast({
        to: request.address,
        data: encodeFunctionData(simulated as Parameters<typeof encodeFunctionData>[0]),
        gas: withGasHeadroom(estimate),
      });
    };
    const queued = this.sendQueue.then(write, write);
    this.sendQueue = queued.catch(() => undefined);
    let pending: PendingTx;
    try {
      pending = await queued;
    } catch (err) {
      const reason = revertReason(err);
      // Out of gas is not the market refusing: the step is retried.
      const reverted =
        err instanceof BaseError &&
        err.walk((e) => e instanceof ContractFunctionRevertedError) !== null &&
        !/out of gas/i.test(reason ?? "");
      throw new AgentTxError("AGENT_TX_FAILED", `${what} failed${reason ? `: ${reason}` : ""}`, {
        details: { what, reason, reverted },
        cause: err,
      });
    }
    const { hash, receipt } = await this.sender.waitMined(pending);
    if (receipt.status !== "success") {
      throw new AgentTxError("AGENT_TX_REVERTED", `${what} reverted in block ${receipt.blockNumber}`, {
        details: { what, hash },
      });
    }
    return { hash, blockNumber: receipt.blockNumber };
  }

  accept(jobId: bigint, shard: number) {
    return this.send(`accept ${jobId}/${shard}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "accept",
      args: [jobId, shard],
    });
  }

  submit(jobId: bigint, shard: number, root: Hex, units: bigint, resultURI: string) {
    return this.send(`submit ${jobId}/${shard}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "submit",
      args: [jobId, shard, root, units, resultURI],
    });
  }

  settle(attestation: ShardAttestation, signatures: readonly Hex[]) {
    return this.send(`settle ${attestation.jobId}/${attestation.shard}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "settle",
      args: [attestation, signatures],
    });
  }

  /** Releases an unstarted gang after its accept deadline (anyone may): refund, collateral unlocked. */
  releaseGang(jobId: bigint) {
    return this.send(`releaseGang ${jobId}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "releaseGang",
      args: [jobId],
    });
  }

  /** `JobMarket.params().verifyWindow` (read once: seconds after a submission that settle is accepted). */
  async verifyWindow(): Promise<bigint> {
    this.verifyWindowSec ??= BigInt(
      (
        await this.publicClient.readContract({
          address: this.contracts.JobMarket,
          abi: jobMarketAbi,
          functionName: "params",
        })
      ).verifyWindow,
    );
    return this.verifyWindowSec;
  }

  expire(jobId: bigint, shard: number) {
    return this.send(`expire ${jobId}/${shard}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "expire",
      args: [jobId, shard],
    });
  }

  register(uri: string, commissionBps: number) {
    return this.send("register", {
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "register",
      args: [uri, commissionBps],
    });
  }

  updateMetadata(uri: string) {
    return this.send("updateMetadata", {
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "updateMetadata",
      args: [uri],
    });
  }

  async stake(amount: bigint) {
    const allowance = await this.publicClient.readContract({
      address: this.contracts.ComputeToken,
      abi: computeTokenAbi,
      functionName: "allowance",
      args: [this.address, this.contracts.OperatorStaking],
    });
    if (allowance < amount) {
      await this.send("approve", {
        address: this.contracts.ComputeToken,
        abi: computeTokenAbi,
        functionName: "approve",
        args: [this.contracts.OperatorStaking, amount],
      });
    }
    return this.send("stake", {
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "stake",
      args: [amount],
    });
  }

  recordCapacity(attestation: CapacityAttestation, signatures: readonly Hex[]) {
    return this.send("recordCapacity", {
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "recordCapacity",
      args: [attestation, signatures],
    });
  }

  requestUnstake(amount: bigint) {
    return this.send("requestUnstake", {
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "requestUnstake",
      args: [amount],
    });
  }

  withdrawStake() {
    return this.send("withdrawStake", {
      address: this.contracts.OperatorStaking,
      abi: operatorStakingAbi,
      functionName: "withdrawStake",
      args: [],
    });
  }

  claimRewards() {
    return this.send("claim", {
      address: this.contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "claim",
      args: [this.address],
    });
  }

  claimableRewards(operator: Address = this.address): Promise<bigint> {
    return this.publicClient.readContract({
      address: this.contracts.RewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "claimableRewards",
      args: [operator],
    });
  }
}

/** The decoded custom error name (and args) of a viem contract error, when there is one. */
/** Gas sent with a transaction: the estimate plus a quarter plus 50,000. */
export function withGasHeadroom(estimate: bigint): bigint {
  return estimate + estimate / 4n + 50_000n;
}

export function revertReason(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 8; depth++) {
    const e = current as {
      data?: { errorName?: string; args?: readonly unknown[] };
      shortMessage?: string;
      cause?: unknown;
    };
    if (e.data?.errorName) {
      const args = (e.data.args ?? []).map((a) => (typeof a === "bigint" ? a.toString() : String(a)));
      return `${e.data.errorName}(${args.join(", ")})`;
    }
    current = e.cause;
  }
  return (err as { shortMessage?: string })?.shortMessage;
}

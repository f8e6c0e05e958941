import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  getAddress,
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
import type { Submission, SubmissionSender } from "./submissionBatcher";
import { FeeBumpSender, type FeeBumpPolicy, type PendingTx } from "../../sdk/chain/sendWithFeeBump";
import type { Logger } from "../../sdk/log/createLogger";
import { withGasHeadroom } from "../../sdk/chain/gasHeadroom";

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
  private nonce: number | undefined;
  private feeCache: { at: number; value: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } } | undefined;
  /** The fee estimate in flight, shared by every send that needs it. */
  private feeRead: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> | undefined;
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

  /**
   * The next nonce of this account: read once ("pending"), then counted here, since every transaction
   * of the account goes through {@link send}'s queue. Forgotten (read again) after any failed send.
   */
  private async nextNonce(): Promise<number> {
    this.nonce ??= await this.publicClient.getTransactionCount({ address: this.address, blockTag: "pending" });
    return this.nonce;
  }

  /**
   * EIP-1559 fees, estimated at most once every {@link FEES_TTL_MS} (`maxFeePerGas` covers a rising
   * base fee). Sends that find the estimate stale together share one read (under load, dozens of
   * shards of one agent reach their send in the same second: one fee read, not one each).
   */
  private fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    if (this.feeCache && Date.now() - this.feeCache.at <= FEES_TTL_MS) return Promise.resolve(this.feeCache.value);
    this.feeRead ??= this.publicClient
      .estimateFeesPerGas()
      .then(({ maxFeePerGas, maxPriorityFeePerGas }) => {
        this.feeCache = { at: Date.now(), value: { maxFeePerGas, maxPriorityFeePerGas } };
        return this.feeCache.value;
      })
      .finally(() => (this.feeRead = undefined));
    return this.feeRead;
  }

  /**
   * Sends a call to one of the protocol contracts and waits for it to be mined; reverts throw.
   * The gas estimate (which also reverts, with the decoded reason, when the call would) runs outside
   * the queue, so the shards of one agent estimate side by side; only the nonce, signature and raw
   * send are serialised (one account, one nonce sequence).
   */
  private async send(
    what: string,
    request: { address: Address; abi: readonly unknown[]; functionName: string; args: readonly unknown[] },
  ): Promise<{ hash: Hex; blockNumber: bigint }> {
    let pending: PendingTx;
    try {
      // Headroom over the estimate: the state can change between estimate and inclusion (the last
      // accept of a gang also writes its start; another agent's accept may land first). Unused gas is
      // not charged.
      // The account by its address: viem prepares a local account's estimate as a transaction (fee,
      // nonce and block reads, three RPCs per send under load); the node needs only `from`.
      const estimate = await this.publicClient.estimateContractGas({
        ...(request as Parameters<PublicClient["estimateContractGas"]>[0]),
        account: this.account.address,
      });
      const data = encodeFunctionData(request as Parameters<typeof encodeFunctionData>[0]);
      const write = async (): Promise<PendingTx> => {
        const nonce = await this.nextNonce();
        try {
          // Sent by the fee-bump sender: a transaction not mined in time is replaced with higher fees
          // (same nonce, PROTOCOL §14.2).
          const sent = await this.sender.broadcast(
            { to: request.address, data, gas: withGasHeadroom(estimate) },
            { nonce, fees: await this.fees() },
          );
          this.nonce = nonce + 1;
          return sent;
        } catch (err) {
          this.nonce = undefined;
          throw err;
        }
      };
      const queued = this.sendQueue.then(write, write);
      this.sendQueue = queued.catch(() => undefined);
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
    let mined: Awaited<ReturnType<FeeBumpSender["waitMined"]>>;
    try {
      mined = await this.sender.waitMined(pending);
    } catch (err) {
      // The nonce was taken by another transaction of this account: count again from the chain.
      this.nonce = undefined;
      throw new AgentTxError("AGENT_TX_FAILED", `${what} failed: ${(err as Error).message}`, {
        details: { what, reverted: false },
        cause: err,
      });
    }
    const { hash, receipt } = mined;
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

  /** Accepts a shard and submits its result in one transaction (an assigned shard computed first, §20.7). */
  acceptAndSubmit(sub: Submission) {
    return this.send(`acceptAndSubmit ${sub.jobId}/${sub.shard}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "acceptAndSubmit",
      args: [sub.jobId, sub.shard, sub.resultRoot, sub.units, sub.resultURI],
    });
  }

  /** Submits the results of many accepted shards in one transaction (reverts whole when one fails). */
  submitMany(subs: readonly Submission[]) {
    return this.send(`submitMany ${subs.map((s) => `${s.jobId}/${s.shard}`).join(",")}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "submitMany",
      args: [subs],
    });
  }

  /** The batcher's two writes (agent/chain/submissionBatcher.ts). */
  submissionSender(): SubmissionSender {
    return {
      submitMany: (subs) => this.submitMany(subs),
      submit: (s) => this.submit(s.jobId, s.shard, s.resultRoot, s.units, s.resultURI),
    };
  }

  /** What the market owes `account` in `token` (pull payments: withdrawn with {@link withdraw}). */
  owedOf(token: Address, account: Address = this.address): Promise<bigint> {
    return this.publicClient.readContract({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "owedOf",
      args: [token, account],
    });
  }

  /** A job's spec hash, from its JobCreated event (the market does not store it, §20.3). */
  async specHashOf(jobId: bigint): Promise<Hex> {
    const logs = await this.publicClient.getContractEvents({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "JobCreated",
      args: { jobId },
      fromBlock: this.startBlock,
      strict: true,
    });
    const hash = logs[0]?.args.specHash;
    if (!hash)
      throw new AgentTxError("AGENT_UNKNOWN_JOB", `no JobCreated event for job ${jobId}`, { details: { jobId } });
    return hash;
  }

  /**
   * Every token the market ever allowlisted (its `PaymentTokenSet` events since the deployment):
   * what may be owed, a token disallowed since included.
   */
  async knownPaymentTokens(): Promise<Address[]> {
    const logs = await this.publicClient.getContractEvents({
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      eventName: "PaymentTokenSet",
      fromBlock: this.startBlock,
    });
    const tokens = new Set<Address>([getAddress(this.contracts.ComputeToken)]);
    for (const l of logs) if (l.args.token) tokens.add(getAddress(l.args.token));
    return [...tokens];
  }

  /** Withdraws everything the market owes this operator in `token`, paid to `to`. */
  withdraw(token: Address, to: Address = this.address) {
    return this.send(`withdraw ${token}`, {
      address: this.contracts.JobMarket,
      abi: jobMarketAbi,
      functionName: "withdraw",
      args: [token, to],
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

/** How long an estimate of the EIP-1559 fees is reused. */
const FEES_TTL_MS = 5_000;

/** The decoded custom error name (and args) of a viem contract error, when there is one. */
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

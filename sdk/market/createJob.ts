import {
  maxUint256,
  type Abi,
  parseEventLogs,
  parseSignature,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { readContract, signTypedData, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { computeTokenAbi, jobMarketAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";
import type { JobSpec } from "../spec/jobSpecTypes";
import { jobParamsForSpec, type JobParams, type JobParamsForSpecParameters } from "./jobParamsForSpec";

/** The two clients {@link createJob} uses: reads and receipts, and the developer's wallet. */
export interface CreateJobClients {
  publicClient: Client;
  /** Its account pays the escrow and sends (or signs) every step. */
  walletClient: Client<Transport, Chain | undefined, Account>;
}

/** Where {@link createJob} stands, for a progress display: a wallet prompt, then each transaction's hash. */
export type CreateJobStep =
  | { step: "approve" | "create" | "createWithPermit"; status: "wallet" }
  | { step: "approve" | "create" | "createWithPermit"; status: "pending"; hash: Hash }
  | { step: "permit"; status: "wallet" };

/** Parameters of {@link createJob}: the job as for {@link jobParamsForSpec}, and how to send it. */
export interface CreateJobParameters extends JobParamsForSpecParameters {
  /** JobMarket's address. */
  market: Address;
  /** A gang job (`createGangJob`, docs/PROTOCOL.md §9.7): every shard accepted before `acceptDeadline`, then all start. */
  gang?: { acceptDeadline: bigint };
  /**
   * How an allowance short of the escrow is covered: `approve` (default) sends `approve(market,
   * escrow)` first; `permit` signs an EIP-2612 permit for `2^256 − 1` (what `createJobWithPermit`
   * applies) and creates in one transaction, or approves when the token has no permit (no EIP-5267
   * `eip712Domain` or `nonces`) or the job is a gang (there is no gang-with-permit entrypoint).
   */
  approval?: "approve" | "permit";
  /** The permit's deadline; default the job's deadline. */
  permitDeadline?: bigint;
  /** Called before each wallet prompt and after each transaction is sent. */
  onStep?: (step: CreateJobStep) => void;
}

export interface CreateJobReturnType {
  jobId: bigint;
  /** The transaction that created the job. */
  hash: Hash;
  receipt: TransactionReceipt;
  /** How the escrow was allowed: the allowance already covered it, an approve transaction, or a permit. */
  approval: "allowance" | "approve" | "permit";
  /** The approve transaction, when one was sent. */
  approveHash?: Hash;
  params: JobParams;
  /** The spec as hashed on-chain (with the plan's split). */
  spec: JobSpec;
  escrow: bigint;
}

/** A transaction of {@link createJob} was mined but reverted, or the creating one emitted no `JobCreated`. */
export class CreateJobError extends RigelError {
  override readonly name = "CreateJobError";
  constructor(message: string, details: { step: string; hash: Hash }) {
    super("MARKET_CREATE_JOB_FAILED", message, { details });
  }
}

/** Whether the token answers EIP-2612's `nonces` and EIP-5267's `eip712Domain` (RGL does). */
async function permitDomain(client: Client, token: Address, owner: Address) {
  try {
    const [domain, nonce] = await Promise.all([
      readContract(client, { address: token, abi: computeTokenAbi, functionName: "eip712Domain" }),
      readContract(client, { address: token, abi: computeTokenAbi, functionName: "nonces", args: [owner] }),
    ]);
    const [, name, version, chainId, verifyingContract] = domain;
    return { domain: { name, version, chainId, verifyingContract }, nonce };
  } catch {
    return undefined;
  }
}

/**
 * Creates a job from a spec (docs/PROTOCOL.md §9.1, §17): the params of {@link jobParamsForSpec}
 * (with the planner's plan when given), the escrow allowed by approve or EIP-2612 permit when the
 * allowance is short, then `createJob`, `createJobWithPermit` or `createGangJob`. Each transaction is
 * simulated first, so a revert throws viem's error with the decoded custom error before the wallet
 * is asked; a mined revert, or no `JobCreated` in the receipt, throws {@link CreateJobError}.
 * Browser-safe: the dapp passes wagmi's clients, the CLI its own.
 */
export async function createJob(
  { publicClient, walletClient }: CreateJobClients,
  parameters: CreateJobParameters,
): Promise<CreateJobReturnType> {
  const { market, gang, onStep } = parameters;
  const { params, spec, escrow } = jobParamsForSpec(parameters);
  const account = walletClient.account;
  const token = params.paymentToken;

  const send = async (
    step: "approve" | "create" | "createWithPermit",
    request: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
  ): Promise<TransactionReceipt> => {
    onStep?.({ step, status: "wallet" });
    const { request: simulated } = await simulateContract(publicClient, { ...request, account } as never);
    const hash = await writeContract(walletClient, simulated as never);
    onStep?.({ step, status: "pending", hash });
    const receipt = await waitForTransactionReceipt(publicClient, { hash });
    if (receipt.status !== "success") throw new CreateJobError(`${step} transaction ${hash} reverted`, { step, hash });
    return receipt;
  };

  const allowance = await readContract(publicClient, {
    address: token,
    abi: computeTokenAbi,
    functionName: "allowance",
    args: [account.address, market],
  });
  let approval: CreateJobReturnType["approval"] = "allowance";
  let approveHash: Hash | undefined;
  let receipt: TransactionReceipt;
  const permit =
    allowance < escrow && parameters.approval === "permit" && gang === undefined
      ? await permitDomain(publicClient, token, account.address)
      : undefined;
  if (permit) {
    approval = "permit";
    const deadline = parameters.permitDeadline ?? params.deadline;
    onStep?.({ step: "permit", status: "wallet" });
    const signature = await signTypedData(walletClient, {
      account,
      domain: permit.domain,
      types: {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      primaryType: "Permit",
      message: { owner: account.address, spender: market, value: maxUint256, nonce: permit.nonce, deadline },
    });
    const { r, s, v, yParity } = parseSignature(signature);
    receipt = await send("createWithPermit", {
      address: market,
      abi: jobMarketAbi,
      functionName: "createJobWithPermit",
      args: [params, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
    });
  } else {
    if (allowance < escrow) {
      approval = "approve";
      approveHash = (
        await send("approve", {
          address: token,
          abi: computeTokenAbi,
          functionName: "approve",
          args: [market, escrow],
        })
      ).transactionHash;
    }
    receipt = await send(
      "create",
      gang === undefined
        ? { address: market, abi: jobMarketAbi, functionName: "createJob", args: [params] }
        : { address: market, abi: jobMarketAbi, functionName: "createGangJob", args: [params, gang.acceptDeadline] },
    );
  }
  const created = parseEventLogs({ abi: jobMarketAbi, eventName: "JobCreated", logs: receipt.logs }).filter(
    (e) => e.address.toLowerCase() === market.toLowerCase(),
  );
  if (created.length !== 1) {
    throw new CreateJobError("the transaction emitted no JobCreated event", {
      step: "create",
      hash: receipt.transactionHash,
    });
  }
  return {
    jobId: created[0].args.jobId,
    hash: receipt.transactionHash,
    receipt,
    approval,
    approveHash,
    params,
    spec,
    escrow,
  };
}

import { parseEventLogs, type Account, type Address, type Chain, type Client, type Hash, type Transport } from "viem";
import { readContract, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { jobMarketAbi } from "../contracts/abis";
import { RigelError } from "../errors/RigelError";

/** The two clients {@link withdraw} uses: reads and receipts, and the owner's wallet. */
export interface WithdrawClients {
  publicClient: Client;
  walletClient: Client<Transport, Chain | undefined, Account>;
}

/** Parameters of {@link withdraw}. */
export interface WithdrawParameters {
  /** JobMarket's address. */
  market: Address;
  /** The payment token to withdraw. */
  token: Address;
  /** Who receives it (default: the wallet's own address). */
  to?: Address;
}

/** What {@link withdraw} did: nothing (`amount` 0, no transaction) when nothing was owed. */
export interface WithdrawReturnType {
  amount: bigint;
  hash?: Hash;
}

/** The withdrawal transaction was mined but reverted, or emitted no `Withdrawn`. */
export class WithdrawError extends RigelError {
  override readonly name = "WithdrawError";
  constructor(message: string, details: { hash: Hash }) {
    super("MARKET_WITHDRAW_FAILED", message, { details });
  }
}

/**
 * Withdraws everything the wallet's account is owed in `token` (`JobMarket.withdraw(token, to)`,
 * docs/PROTOCOL.md §20.1). Reads `owedOf` first and sends nothing when it is 0 (the contract would
 * revert `MarketNothingOwed`); otherwise simulates (a revert throws viem's error with the decoded
 * custom error), sends, and returns the amount the `Withdrawn` event reports. Browser-safe.
 */
export async function withdraw(
  { publicClient, walletClient }: WithdrawClients,
  { market, token, to }: WithdrawParameters,
): Promise<WithdrawReturnType> {
  const account = walletClient.account;
  const owed = await readContract(publicClient, {
    address: market,
    abi: jobMarketAbi,
    functionName: "owedOf",
    args: [token, account.address],
  });
  if (owed === 0n) return { amount: 0n };
  const { request } = await simulateContract(publicClient, {
    account,
    address: market,
    abi: jobMarketAbi,
    functionName: "withdraw",
    args: [token, to ?? account.address],
  });
  const hash = await writeContract(walletClient, request as never);
  const receipt = await waitForTransactionReceipt(publicClient, { hash });
  if (receipt.status !== "success") throw new WithdrawError(`withdraw transaction ${hash} reverted`, { hash });
  const withdrawn = parseEventLogs({ abi: jobMarketAbi, eventName: "Withdrawn", logs: receipt.logs }).filter(
    (e) => e.address.toLowerCase() === market.toLowerCase(),
  );
  if (withdrawn.length !== 1) throw new WithdrawError(`withdraw transaction ${hash} emitted no Withdrawn`, { hash });
  return { amount: withdrawn[0].args.amount, hash };
}

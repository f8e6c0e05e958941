import type { Address } from "viem";
import type { Config } from "wagmi";
import { getBalance, readContract } from "wagmi/actions";
import { writeChecked } from "./writeChecked";
import { computeTokenAbi } from "../../../sdk/contracts/abis";
import { approvalAmount, shortfallText } from "../lib/spendCheck";
import type { TxSteps } from "./useTx";

/** The wallet cannot cover a spend: nothing was sent or approved. The message is the sentence shown. */
export class InsufficientFundsError extends Error {
  override readonly name = "InsufficientFundsError";
}

/**
 * Before a spend of `amount` RGL by `spender` (PROTOCOL §16.7): checks that the wallet holds the
 * amount and some ETH for gas (else throws {@link InsufficientFundsError} with `You have 40 RGL;
 * this action needs 100 RGL.`, and nothing is sent), then approves exactly `amount` as a first step
 * when the allowance is short, never more.
 */
export async function approveIfNeeded(
  config: Config,
  step: TxSteps,
  token: Address,
  owner: Address,
  spender: Address,
  amount: bigint,
  what = "this action",
): Promise<void> {
  const [allowance, balance, eth] = await Promise.all([
    readContract(config, { address: token, abi: computeTokenAbi, functionName: "allowance", args: [owner, spender] }),
    readContract(config, { address: token, abi: computeTokenAbi, functionName: "balanceOf", args: [owner] }),
    getBalance(config, { address: owner }),
  ]);
  const short = shortfallText({ eth: eth.value, token: balance, symbol: "RGL", decimals: 18 }, amount, what);
  if (short !== undefined) throw new InsufficientFundsError(short);
  const approve = approvalAmount(allowance, amount);
  if (approve === 0n) return;
  await step.send("Approve RGL", () =>
    writeChecked(config, { address: token, abi: computeTokenAbi, functionName: "approve", args: [spender, approve] }),
  );
}

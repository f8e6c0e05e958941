import type { Address } from "viem";
import type { Config } from "wagmi";
import { readContract } from "wagmi/actions";
import { writeChecked } from "./writeChecked";
import { computeTokenAbi } from "../../../sdk/contracts/abis";
import type { TxSteps } from "./useTx";

/** Approves `spender` for `amount` of RGL as a first step, unless the allowance already covers it. */
export async function approveIfNeeded(
  config: Config,
  step: TxSteps,
  token: Address,
  owner: Address,
  spender: Address,
  amount: bigint,
): Promise<void> {
  const allowance = await readContract(config, {
    address: token,
    abi: computeTokenAbi,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance >= amount) return;
  await step.send("Approve RGL", () =>
    writeChecked(config, { address: token, abi: computeTokenAbi, functionName: "approve", args: [spender, amount] }),
  );
}

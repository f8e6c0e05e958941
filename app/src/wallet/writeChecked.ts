import type { Abi, ContractFunctionArgs, ContractFunctionName, Hash } from "viem";
import type { Config } from "wagmi";
import { simulateContract, writeContract, type SimulateContractParameters } from "wagmi/actions";

/**
 * Simulates the call first (eth_call, which returns the revert data of a custom error on every node),
 * then sends it: a call that would revert fails before the wallet is asked, with a decodable reason.
 */
export async function writeChecked<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
>(config: Config, parameters: SimulateContractParameters<abi, functionName, args, Config>): Promise<Hash> {
  const { request } = await simulateContract(config, parameters as never);
  return writeContract(config, request as never);
}

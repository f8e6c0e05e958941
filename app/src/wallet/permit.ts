import { parseSignature, type Address, type Hex } from "viem";
import type { Config } from "wagmi";
import { readContract, signTypedData } from "wagmi/actions";
import { computeTokenAbi } from "../../../sdk/contracts/abis";

/** An EIP-2612 permit signature, split as `createJobWithPermit` takes it. */
export interface PermitSignature {
  deadline: bigint;
  v: number;
  r: Hex;
  s: Hex;
}

/**
 * Asks the wallet to sign an EIP-2612 permit for `spender` over `value` of the token (JobMarket's
 * `createJobWithPermit` applies it for `maxUint256`, so that is the value to sign there), with the
 * token's own EIP-712 domain (read through EIP-5267 `eip712Domain()`) and its current nonce.
 */
export async function signPermit(
  config: Config,
  token: Address,
  owner: Address,
  spender: Address,
  value: bigint,
  deadline: bigint,
): Promise<PermitSignature> {
  const [domain, nonce] = await Promise.all([
    readContract(config, { address: token, abi: computeTokenAbi, functionName: "eip712Domain" }),
    readContract(config, { address: token, abi: computeTokenAbi, functionName: "nonces", args: [owner] }),
  ]);
  const [, name, version, chainId, verifyingContract] = domain;
  const signature = await signTypedData(config, {
    account: owner,
    domain: { name, version, chainId, verifyingContract },
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
    message: { owner, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { deadline, r, s, v: Number(v ?? BigInt(yParity + 27)) };
}

/** Whether the token answers EIP-2612's `nonces` and EIP-5267's `eip712Domain` (RGL does). */
export async function supportsPermit(config: Config, token: Address, owner: Address): Promise<boolean> {
  try {
    await Promise.all([
      readContract(config, { address: token, abi: computeTokenAbi, functionName: "eip712Domain" }),
      readContract(config, { address: token, abi: computeTokenAbi, functionName: "nonces", args: [owner] }),
    ]);
    return true;
  } catch {
    return false;
  }
}

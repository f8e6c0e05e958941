import type { Address, Hex } from "viem";
import type { AgentChain } from "../chain/agentChain";

/** Input of {@link autoWithdraw}. */
export interface AutoWithdrawParameters {
  chain: Pick<AgentChain, "owedOf" | "withdraw" | "address">;
  /** The payment tokens to look at (those the operator was paid in). */
  tokens: readonly Address[];
  /** Withdraw a token only once at least this many base units are owed (> 0). */
  min: bigint;
  /** Recipient (default: the operator). */
  to?: Address;
}

export type AutoWithdrawReturnType = { token: Address; amount: bigint; hash: Hex }[];

/**
 * Withdraws, token by token, what the market owes the operator where it reaches `min`
 * (docs/PROTOCOL.md §20.7): one `withdraw(token, to)` per such token, none for the others. Reverts
 * and chain errors pass through (the daemon tries again at its next interval); a token already
 * withdrawn reads 0 owed and is skipped.
 */
export async function autoWithdraw(p: AutoWithdrawParameters): Promise<AutoWithdrawReturnType> {
  const done: AutoWithdrawReturnType = [];
  for (const token of p.tokens) {
    const owed = await p.chain.owedOf(token);
    if (owed === 0n || owed < p.min) continue;
    const tx = await p.chain.withdraw(token, p.to ?? p.chain.address);
    done.push({ token, amount: owed, hash: tx.hash });
  }
  return done;
}

import type { Address } from "viem";
import { useBalance, useReadContract } from "wagmi";
import { computeTokenAbi } from "../../../sdk/contracts/abis";
import { formatToken } from "../lib/format";
import type { WalletFunds } from "../lib/spendCheck";
import { useRigel } from "../RigelContext";

const REFRESH_MS = 2_000;

/** The connected wallet's ETH (gas) and RGL (the payment token), refreshed every 2 s. */
export function useWalletFunds(account: Address | undefined): WalletFunds {
  const { deployment } = useRigel();
  const eth = useBalance({ address: account, query: { enabled: account !== undefined, refetchInterval: REFRESH_MS } });
  const token = useReadContract({
    address: deployment.contracts.ComputeToken,
    abi: computeTokenAbi,
    functionName: "balanceOf",
    args: account ? [account] : undefined,
    query: { enabled: account !== undefined, refetchInterval: REFRESH_MS },
  });
  return { eth: eth.data?.value, token: token.data, symbol: "RGL", decimals: 18 };
}

/**
 * What the wallet holds, beside a button that spends it (PROTOCOL §16.7): `Your wallet: 1,000 RGL ·
 * 9,999.99 ETH for gas`, or that it is being read.
 */
export function WalletBalances({ funds, testId = "wallet-balances" }: { funds: WalletFunds; testId?: string }) {
  if (funds.eth === undefined || funds.token === undefined) {
    return (
      <span className="muted balances" data-testid={testId}>
        Reading your balances…
      </span>
    );
  }
  return (
    <span className="muted balances" data-testid={testId}>
      Your wallet: <strong>{formatToken(funds.token, funds.symbol, 4, funds.decimals)}</strong> ·{" "}
      <strong>{formatToken(funds.eth, "ETH", 4)}</strong> for gas
    </span>
  );
}

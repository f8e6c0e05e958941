import type { Address } from "viem";
import { useConfig } from "wagmi";
import { jobMarketAbi } from "../../../sdk/contracts/abis";
import { useOwed } from "../chain/queries";
import type { OwedRow } from "../chain/readOwed";
import { formatToken } from "../lib/format";
import { useRigel } from "../RigelContext";
import { useTx } from "../wallet/useTx";
import { writeChecked } from "../wallet/writeChecked";
import { TxStatus } from "./TxStatus";

/** An owed amount as the panel shows it: up to 6 decimals of the token's own. */
export function owedText(row: Pick<OwedRow, "owed" | "symbol" | "decimals">): string {
  return formatToken(row.owed, row.symbol, 6, row.decimals);
}

/** One token: what is owed and a Withdraw button that pays it to the connected account. */
function OwedLine({ row, account }: { row: OwedRow; account: Address }) {
  const { deployment } = useRigel();
  const config = useConfig();
  const tx = useTx();
  const busy = tx.state.status === "signing" || tx.state.status === "pending";
  const label = `Withdraw ${owedText(row)}`;
  return (
    <tr data-testid={`owed-${row.symbol}`}>
      <td>{row.symbol}</td>
      <td data-testid="owed-amount" title={`${row.owed} base units`}>
        {owedText(row)}
      </td>
      <td>
        <button
          data-testid={`withdraw-${row.symbol}`}
          disabled={row.owed === 0n || busy}
          onClick={() =>
            void tx.run(label, (step) =>
              step.send(label, () =>
                writeChecked(config, {
                  address: deployment.contracts.JobMarket,
                  abi: jobMarketAbi,
                  functionName: "withdraw",
                  args: [row.token, account],
                }),
              ),
            )
          }
        >
          Withdraw
        </button>
        <TxStatus state={tx.state} />
      </td>
    </tr>
  );
}

/**
 * What the market owes `account` per payment token, each with a Withdraw button (`withdraw(token,
 * account)`): RGL always, other tokens when something is owed in them.
 */
export function OwedTable({ rows, account, caption }: { rows: OwedRow[]; account: Address; caption: string }) {
  const shown = rows.filter((r, i) => i === 0 || r.owed > 0n);
  return (
    <div className="card" data-testid="owed">
      <p className="muted">{caption}</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Token</th>
              <th>Owed to you</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <OwedLine key={r.token} row={r} account={account} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** {@link OwedTable} over the chain's `owedOf`, refreshed every 2 s and after every withdrawal. */
export function OwedPanel({ account, caption }: { account: Address; caption: string }) {
  const owed = useOwed(account);
  if (owed.isError) return <p className="error">Cannot read what the market owes you: the chain is unreachable.</p>;
  if (!owed.data) return <p className="muted">Loading what the market owes you…</p>;
  return <OwedTable rows={owed.data} account={account} caption={caption} />;
}

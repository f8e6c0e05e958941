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
  // Why the button is off, on it and beside it (PROTOCOL §16.7).
  const why = row.owed === 0n ? `Nothing owed in ${row.symbol}.` : busy ? "A withdrawal is under way." : undefined;
  return (
    <tr data-testid={`owed-${row.symbol}`}>
      <td>{row.symbol}</td>
      <td data-testid="owed-amount" title={`${row.owed} base units`}>
        {owedText(row)}
      </td>
      <td>
        <button
          data-testid={`withdraw-${row.symbol}`}
          disabled={why !== undefined}
          title={why ?? `${label} to ${account}`}
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
        {why && (
          <span className="muted why" data-testid={`withdraw-${row.symbol}-why`}>
            {" "}
            {why}
          </span>
        )}
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

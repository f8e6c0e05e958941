import type { Address } from "viem";
import { useDelegators } from "../chain/pageQueries";
import { formatTime, formatToken, shortAddress } from "../lib/format";

/** The operator's delegators: address, amount (active, pending, thawing) and since when. */
export function DelegatorsTable({ operator }: { operator: Address }) {
  const delegators = useDelegators(operator);
  if (!delegators.data) return <p className="muted">Loading delegators…</p>;
  if (delegators.data.length === 0)
    return (
      <p className="muted" data-testid="delegators-none">
        No delegators.
      </p>
    );
  return (
    <div className="table-wrap">
      <table data-testid="delegators">
        <thead>
          <tr>
            <th>Delegator</th>
            <th>Amount</th>
            <th>Pending</th>
            <th>Thawing</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {delegators.data.map((d) => (
            <tr key={d.address}>
              <td className="mono" title={d.address}>
                {shortAddress(d.address)}
              </td>
              <td>{formatToken(d.value)}</td>
              <td>{formatToken(d.pending)}</td>
              <td>{formatToken(d.thawing)}</td>
              <td>{formatTime(d.since)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { EpochEarnings } from "../lib/earningsByEpoch";
import { formatToken } from "../lib/format";
import { ChartAxes, chartFrame, xOf, yOf } from "./ChartAxes";

/** The operator's earnings per epoch: work payments and rewards (operator part) stacked, with axes. */
export function EarningsChart({ rows }: { rows: EpochEarnings[] }) {
  const max = rows.reduce((m, r) => (r.work + r.rewards > m ? r.work + r.rewards : m), 0n);
  const f = chartFrame(max);
  const base = f.height - f.bottom;
  return (
    <figure className="chart" data-testid="earnings-chart" data-epochs={rows.length}>
      <svg viewBox={`0 0 ${f.width} ${f.height}`} role="img" aria-label="Earnings per epoch: work payments and rewards">
        <ChartAxes frame={f} labels={rows.map((r) => r.epoch.toString())} xTitle="epoch" yTitle="RGL earned" />
        {rows.map((r, i) => {
          const { x, w } = xOf(f, i, rows.length);
          const yWork = yOf(f, r.work);
          const yAll = yOf(f, r.work + r.rewards);
          return (
            <g key={r.epoch.toString()}>
              <rect x={x} y={yWork} width={w} height={base - yWork} className="bar bar-work" />
              <rect x={x} y={yAll} width={w} height={yWork - yAll} className="bar bar-reward" />
              <title>
                epoch {r.epoch.toString()}: {formatToken(r.work)} work, {formatToken(r.rewards)} rewards
              </title>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="key key-work" /> work payments (settled shards, net of the fee){" "}
        <span className="key key-reward" /> rewards (commission + self share of the epoch)
      </figcaption>
    </figure>
  );
}

import type { EpochPoint } from "../chain/readRewardsOverview";
import { formatToken } from "../lib/format";
import { ChartAxes, chartFrame, xOf, yOf } from "./ChartAxes";

/**
 * Bars: RGL actually minted per epoch; line: the schedule's emission. Axes with RGL ticks on y and
 * epoch numbers on x; every epoch it is given (the page picks the range). SVG, scales to its box.
 */
export function EmissionChart({ epochs, current }: { epochs: EpochPoint[]; current: bigint }) {
  const max = epochs.reduce((m, e) => (e.emission > m ? e.emission : e.minted > m ? e.minted : m), 0n);
  const f = chartFrame(max);
  const n = epochs.length;
  const line = epochs
    .map((e, i) => {
      const { x, w } = xOf(f, i, n);
      return `${i === 0 ? "M" : "L"}${(x + w / 2).toFixed(1)},${yOf(f, e.emission).toFixed(1)}`;
    })
    .join(" ");
  return (
    <figure className="chart" data-testid="emission-chart" data-epochs={n}>
      <svg viewBox={`0 0 ${f.width} ${f.height}`} role="img" aria-label="Emission per epoch: schedule and actual">
        <ChartAxes frame={f} labels={epochs.map((e) => e.epoch.toString())} xTitle="epoch" yTitle="RGL per epoch" />
        {epochs.map((e, i) => {
          const { x, w } = xOf(f, i, n);
          return (
            <rect
              key={e.epoch.toString()}
              x={x}
              y={yOf(f, e.minted)}
              width={w}
              height={f.height - f.bottom - yOf(f, e.minted)}
              className={e.epoch === current ? "bar bar-current" : "bar"}
            >
              <title>
                epoch {e.epoch.toString()}: minted {formatToken(e.minted)} of {formatToken(e.emission)}
              </title>
            </rect>
          );
        })}
        <path d={line} className="schedule" fill="none" />
      </svg>
      <figcaption>
        <span className="key key-bar" /> minted (actual distribution) <span className="key key-line" /> schedule
        (emission of the epoch; future epochs shown without bars)
      </figcaption>
    </figure>
  );
}

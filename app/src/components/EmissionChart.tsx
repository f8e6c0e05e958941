import type { EpochPoint } from "../chain/readRewardsOverview";
import { formatToken } from "../lib/format";

/** Bars: RGL actually minted per epoch; line: the schedule's emission. SVG, scales to its box. */
export function EmissionChart({ epochs, current }: { epochs: EpochPoint[]; current: bigint }) {
  const width = 600;
  const height = 180;
  const pad = 28;
  const max = epochs.reduce((m, e) => (e.emission > m ? e.emission : m), 1n);
  const x = (i: number) => pad + (i * (width - 2 * pad)) / Math.max(1, epochs.length);
  const y = (v: bigint) => height - pad - Number((v * 1000n) / max) * ((height - 2 * pad) / 1000);
  const barW = ((width - 2 * pad) / Math.max(1, epochs.length)) * 0.7;
  const line = epochs
    .map((e, i) => `${i === 0 ? "M" : "L"}${(x(i) + barW / 2).toFixed(1)},${y(e.emission).toFixed(1)}`)
    .join(" ");
  return (
    <figure className="chart" data-testid="emission-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Emission per epoch: schedule and actual">
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} className="axis" />
        {epochs.map((e, i) => (
          <rect
            key={e.epoch.toString()}
            x={x(i)}
            y={y(e.minted)}
            width={barW}
            height={height - pad - y(e.minted)}
            className={e.epoch === current ? "bar bar-current" : "bar"}
          >
            <title>
              epoch {e.epoch.toString()}: minted {formatToken(e.minted)} of {formatToken(e.emission)}
            </title>
          </rect>
        ))}
        <path d={line} className="schedule" fill="none" />
        <text x={pad} y={14} className="label">
          {formatToken(max, "RGL", 0)} / epoch
        </text>
        <text x={pad} y={height - 8} className="label">
          epoch {epochs[0]?.epoch.toString()}
        </text>
        <text x={width - pad} y={height - 8} className="label" textAnchor="end">
          epoch {epochs[epochs.length - 1]?.epoch.toString()}
        </text>
      </svg>
      <figcaption>
        <span className="key key-bar" /> minted (actual distribution) <span className="key key-line" /> schedule
      </figcaption>
    </figure>
  );
}

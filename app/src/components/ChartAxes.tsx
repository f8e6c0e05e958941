import { categoryTicks, niceTicks } from "../lib/chartTicks";
import { formatToken } from "../lib/format";

/** The frame of a bar chart: its box, plot area and the scales the bars use. */
export interface ChartFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** The y axis top (the last nice tick). */
  yMax: bigint;
  ticks: bigint[];
}

/** A frame of `width × height` whose y axis runs from 0 to a nice tick at or above `max`. */
export function chartFrame(max: bigint, width = 640, height = 220): ChartFrame {
  // Nothing to show yet: an axis up to 1 RGL rather than 1 wei.
  const ticks = niceTicks(max > 0n ? max : 10n ** 18n, 4);
  return { width, height, left: 84, right: 12, top: 24, bottom: 36, yMax: ticks[ticks.length - 1]!, ticks };
}

/** The y pixel of `value` in the frame. */
export function yOf(f: ChartFrame, value: bigint): number {
  const span = f.height - f.top - f.bottom;
  return f.height - f.bottom - (Number((value * 10_000n) / f.yMax) / 10_000) * span;
}

/** The x pixel of point `i` of `count` (its bar's left edge) and the bar width. */
export function xOf(f: ChartFrame, i: number, count: number): { x: number; w: number } {
  const step = (f.width - f.left - f.right) / Math.max(1, count);
  return { x: f.left + i * step, w: Math.max(1, step * 0.7) };
}

/** Axes with ticks and labels: RGL on the y axis (grid lines), `labels` under chosen bars, a title for each axis. */
export function ChartAxes({
  frame: f,
  labels,
  xTitle,
  yTitle,
}: {
  frame: ChartFrame;
  labels: string[];
  xTitle: string;
  yTitle: string;
}) {
  const xTicks = categoryTicks(labels.length, 7);
  return (
    <g className="axes">
      <line x1={f.left} y1={f.height - f.bottom} x2={f.width - f.right} y2={f.height - f.bottom} className="axis" />
      <line x1={f.left} y1={f.top} x2={f.left} y2={f.height - f.bottom} className="axis" />
      {f.ticks.map((t) => (
        <g key={t.toString()} data-testid="y-tick">
          <line x1={f.left - 4} y1={yOf(f, t)} x2={f.width - f.right} y2={yOf(f, t)} className="grid" />
          <text x={f.left - 6} y={yOf(f, t) + 4} className="label" textAnchor="end">
            {formatToken(t, "", 2).trim()}
          </text>
        </g>
      ))}
      {xTicks.map((i) => {
        const { x, w } = xOf(f, i, labels.length);
        return (
          <g key={i} data-testid="x-tick">
            <line
              x1={x + w / 2}
              y1={f.height - f.bottom}
              x2={x + w / 2}
              y2={f.height - f.bottom + 4}
              className="axis"
            />
            <text x={x + w / 2} y={f.height - f.bottom + 16} className="label" textAnchor="middle">
              {labels[i]}
            </text>
          </g>
        );
      })}
      <text x={f.left} y={12} className="label">
        {yTitle}
      </text>
      <text x={(f.left + f.width - f.right) / 2} y={f.height - 4} className="label" textAnchor="middle">
        {xTitle}
      </text>
    </g>
  );
}

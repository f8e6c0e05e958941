// One row of the benchmark table (`npm run bench`), and helpers that every bench suite shares.
import fs from "node:fs";

/** What a figure is compared with: a baseline measured in the same run, or a physical limit. */
export interface BenchReference {
  label: string;
  value: number;
  unit: string;
}

export interface BenchRow {
  /** The suite, e.g. "gas", "pow". */
  group: string;
  /** What is measured. */
  name: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  /** How many runs the median is over. */
  runs: number;
  reference?: BenchReference;
  /** figure / reference (median / reference.value). */
  ratio?: number;
  note?: string;
}

/** Median, min and max of samples. */
export function stats(samples: readonly number[]): { median: number; min: number; max: number } {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** A row from samples, with the ratio to its reference filled in. */
export function row(
  group: string,
  name: string,
  samples: readonly number[],
  unit: string,
  reference?: BenchReference,
  note?: string,
): BenchRow {
  const s = stats(samples);
  return {
    group,
    name,
    ...s,
    unit,
    runs: samples.length,
    reference,
    ratio: reference && reference.value !== 0 ? s.median / reference.value : undefined,
    note,
  };
}

/** Seconds since `start` (from process.hrtime.bigint()). */
export const since = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** True when the runner asked for the quick mode. */
export const quick = (): boolean => process.env.RIGEL_BENCH_QUICK === "1";

/** Hands rows to the runner (RIGEL_BENCH_OUT) or prints them when run alone. */
export function emit(rows: readonly BenchRow[]): void {
  const out = process.env.RIGEL_BENCH_OUT;
  if (out) fs.writeFileSync(out, JSON.stringify(rows, null, 2));
  else for (const r of rows) console.log(JSON.stringify(r));
}

// Percentiles of a sample, for the load script and the bench suites (pure, no I/O).

/**
 * The q-quantile (0 ≤ q ≤ 1) of `samples` by the nearest-rank method: the smallest sample with at
 * least q·n samples at or below it (q = 0 gives the minimum). Throws on an empty sample.
 */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError("percentile of an empty sample");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in [0, 1]`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

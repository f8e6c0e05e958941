// Machine-speed baselines that bench suites measure in their own run, so that their figures can be
// shown as ratios that mean something on a noisy, shared machine.

/** CPU time of this thread, in seconds, spent by fn. */
export function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  return process.cpuUsage(start).user / 1e6;
}

/**
 * The machine's plain scalar speed, measured now: GOPS of a naive i-k-j int32 multiply-add loop
 * (no packing, no blocking), in CPU time of this thread.
 */
export function scalarBaselineGops(size: number): number {
  const a = new Int32Array(size * size).map((_, i) => (i * 7) % 251);
  const b = new Int32Array(size * size).map((_, i) => (i * 13) % 241);
  const c = new Int32Array(size * size);
  const t = cpuSeconds(() => {
    for (let i = 0; i < size; i++)
      for (let p = 0; p < size; p++) {
        const x = a[i * size + p];
        for (let j = 0; j < size; j++) c[i * size + j] = (c[i * size + j] + x * b[p * size + j]) | 0;
      }
  });
  return (2 * size ** 3) / t / 1e9;
}

/**
 * "Nice" ticks from 0 to at least `max` (1, 2 or 5 × 10^k apart, about `count` of them), for an axis
 * of bigint amounts. The last tick is ≥ `max`, so it can be the axis top. `max ≤ 0` gives [0, 1].
 */
export function niceTicks(max: bigint, count = 4): bigint[] {
  if (max <= 0n) return [0n, 1n];
  const rough = (max + BigInt(count) - 1n) / BigInt(count);
  let magnitude = 1n;
  while (magnitude * 10n <= rough) magnitude *= 10n;
  const step = [1n, 2n, 5n, 10n].map((m) => m * magnitude).find((s) => s >= rough)!;
  const ticks: bigint[] = [];
  for (let v = 0n; ; v += step) {
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}

/**
 * Indexes of about `count` evenly spread labels along a category axis of `length` points (epochs,
 * days): always the first and the last, the rest at a round stride.
 */
export function categoryTicks(length: number, count = 6): number[] {
  if (length <= 0) return [];
  if (length <= count) return Array.from({ length }, (_, i) => i);
  const rough = (length - 1) / (count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const stride = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let i = 0; i < length - 1; i += stride) ticks.push(i);
  if (length - 1 - ticks[ticks.length - 1]! < stride / 2 && ticks.length > 1) ticks.pop();
  ticks.push(length - 1);
  return ticks;
}

const WAD = 10n ** 18n;

/** TypeScript mirror of EmissionMath.emission (same rounding). */
export function emissionOf(initial: bigint, decayBps: bigint, epoch: bigint): bigint {
  let base = ((10_000n - decayBps) * WAD) / 10_000n;
  let factor = WAD;
  let e = epoch;
  while (e > 0n && factor > 0n) {
    if (e & 1n) factor = (factor * base) / WAD;
    base = (base * base) / WAD;
    e >>= 1n;
  }
  return (initial * factor) / WAD;
}
